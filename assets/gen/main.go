// Command gen draws the Authdesk icon, assets/icon.png: a shield with a
// keyhole, the mark of a vault that opens with a code. It is drawn from
// geometry rather than kept as a hand-edited bitmap so that it stays sharp at
// any size and can be changed by editing numbers. Run it from the repository
// root: go run ./assets/gen
//
// The shapes are filled with golang.org/x/image/vector, an anti-aliasing
// rasterizer from the Go project, so the edges are smooth at 512 px and the
// silhouette still reads when the desktop shrinks it to 16 px.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/vector"
)

func main() {
	out := flag.String("o", "assets/icon.png", "output PNG file")
	size := flag.Int("size", 512, "width and height in pixels")
	flag.Parse()
	img := Draw(*size)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		fmt.Fprintln(os.Stderr, "gen: encode:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// Draw renders the icon at size×size. All coordinates below are on a
// 512-unit grid and scaled.
func Draw(size int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	s := float32(size) / 512

	// The shield: flat-topped shoulders dipping to a point, filled with a
	// vertical gradient from a bright to a deep blue.
	shield := func(r *vector.Rasterizer, inset float32) {
		p := func(x, y float32) (float32, float32) { return x * s, y * s }
		r.MoveTo(p(256, 28+inset))
		r.CubeTo(xy(s, 318, 70+inset*0.6, 384, 84+inset*0.4, 446-inset, 88+inset*0.4))
		r.CubeTo(xy(s, 458-inset, 89+inset*0.4, 466-inset, 98+inset*0.4, 466-inset, 110+inset*0.4))
		r.LineTo(p(466-inset, 250))
		r.CubeTo(xy(s, 466-inset, 376-inset*0.2, 376-inset*0.4, 452-inset*0.6, 262, 492-inset))
		r.CubeTo(xy(s, 258, 493.5-inset, 254, 493.5-inset, 250, 492-inset))
		r.CubeTo(xy(s, 136+inset*0.4, 452-inset*0.6, 46+inset, 376-inset*0.2, 46+inset, 250))
		r.LineTo(p(46+inset, 110+inset*0.4))
		r.CubeTo(xy(s, 46+inset, 98+inset*0.4, 54+inset, 89+inset*0.4, 66+inset, 88+inset*0.4))
		r.CubeTo(xy(s, 128+inset, 84+inset*0.4, 194, 70+inset*0.6, 256, 28+inset))
		r.ClosePath()
	}
	fill(dst, shield, 0, gradient{
		y0: 28 * s, y1: 494 * s,
		c0: color.RGBA{0x5b, 0x8d, 0xff, 0xff},
		c1: color.RGBA{0x23, 0x3c, 0xc4, 0xff},
	})
	// A lighter inner face leaves a rim, which gives the mark depth at
	// large sizes and disappears harmlessly at small ones.
	if size >= 48 {
		fill(dst, shield, 22, gradient{
			y0: 50 * s, y1: 470 * s,
			c0: color.RGBA{0x4a, 0x7c, 0xf6, 0xff},
			c1: color.RGBA{0x2b, 0x47, 0xd6, 0xff},
		})
	}

	// The keyhole: a disc over a tapered slot with a rounded foot, in white
	// so it survives any desktop background.
	white := image.NewUniform(color.RGBA{0xff, 0xff, 0xff, 0xff})
	keyhole := func(r *vector.Rasterizer, _ float32) {
		circle(r, s, 256, 214, 66)
		r.MoveTo(xy2(s, 226, 240))
		r.LineTo(xy2(s, 286, 240))
		r.LineTo(xy2(s, 306, 368))
		r.CubeTo(xy(s, 308, 382, 300, 392, 286, 392))
		r.LineTo(xy2(s, 226, 392))
		r.CubeTo(xy(s, 212, 392, 204, 382, 206, 368))
		r.ClosePath()
	}
	fill(dst, keyhole, 0, white)
	return dst
}

func xy(s float32, v ...float32) (float32, float32, float32, float32, float32, float32) {
	return v[0] * s, v[1] * s, v[2] * s, v[3] * s, v[4] * s, v[5] * s
}

func xy2(s float32, x, y float32) (float32, float32) { return x * s, y * s }

// circle adds a closed circle made of four cubic Béziers.
func circle(r *vector.Rasterizer, s, cx, cy, rad float32) {
	k := float32(4 * (math.Sqrt2 - 1) / 3 * 1) // control distance for a quarter arc
	c := rad * k
	r.MoveTo(xy2(s, cx+rad, cy))
	r.CubeTo(xy(s, cx+rad, cy+c, cx+c, cy+rad, cx, cy+rad))
	r.CubeTo(xy(s, cx-c, cy+rad, cx-rad, cy+c, cx-rad, cy))
	r.CubeTo(xy(s, cx-rad, cy-c, cx-c, cy-rad, cx, cy-rad))
	r.CubeTo(xy(s, cx+c, cy-rad, cx+rad, cy-c, cx+rad, cy))
	r.ClosePath()
}

func fill(dst *image.RGBA, path func(*vector.Rasterizer, float32), inset float32, src image.Image) {
	b := dst.Bounds()
	r := vector.NewRasterizer(b.Dx(), b.Dy())
	r.DrawOp = draw.Over
	path(r, inset)
	r.Draw(dst, b, src, image.Point{})
}

// gradient is a vertical linear gradient from c0 at y0 to c1 at y1.
type gradient struct {
	y0, y1 float32
	c0, c1 color.RGBA
}

func (g gradient) ColorModel() color.Model { return color.RGBAModel }
func (g gradient) Bounds() image.Rectangle { return image.Rect(-1e9, -1e9, 1e9, 1e9) }
func (g gradient) At(_, y int) color.Color {
	t := (float32(y) + 0.5 - g.y0) / (g.y1 - g.y0)
	t = max(0, min(1, t))
	mix := func(a, b uint8) uint8 { return uint8(float32(a) + (float32(b)-float32(a))*t + 0.5) }
	return color.RGBA{mix(g.c0.R, g.c1.R), mix(g.c0.G, g.c1.G), mix(g.c0.B, g.c1.B), 0xff}
}
