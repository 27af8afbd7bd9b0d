// Package shot makes the synthetic screenshots the scan tests, benchmarks
// and 'make bench' decode: a busy desktop-like background (gradient, noise,
// window bars, lines of text-like glyph boxes) with QR codes pasted on it, as
// a browser would show them — possibly in dark mode, possibly zoomed.
//
// It is deterministic for a given seed, so a failing case can be replayed.
package shot

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"

	qrcode "github.com/skip2/go-qrcode"
)

// URI is the payload of the benchmark screenshots.
const URI = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example"

// Bench lists the benchmark screenshots — the same ones bench_test.go
// decodes in process and genshot writes for 'make bench' to time
// 'authctl scan' against 'zbarimg' — each Screenshot(W, H, URI, 4, Seed).
var Bench = []struct {
	Name string
	W, H int
	Seed uint64
}{
	{"1080p", 1920, 1080, 1080},
	{"4k", 3840, 2160, 2160},
}

// Code renders text as a QR code with error-correction level Medium, ppm
// pixels per module and the standard 4-module quiet zone, dark on white.
func Code(text string, ppm int) *image.RGBA {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		panic(err) // test input: a text too long for a QR code is a bug in the test
	}
	src := q.Image(-ppm)
	dst := image.NewRGBA(src.Bounds())
	draw.Draw(dst, dst.Bounds(), src, image.Point{}, draw.Src)
	return dst
}

// Invert turns a dark-on-light picture into light-on-dark, as dark-mode pages
// (and some authenticator set-up pages) show their codes.
func Invert(img *image.RGBA) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	for i := 0; i < len(img.Pix); i += 4 {
		out.Pix[i] = 255 - img.Pix[i]
		out.Pix[i+1] = 255 - img.Pix[i+1]
		out.Pix[i+2] = 255 - img.Pix[i+2]
		out.Pix[i+3] = img.Pix[i+3]
	}
	return out
}

// Zoom scales img by factor as a browser zoom does: with nearest-neighbour
// (smooth false: modules of uneven whole-pixel widths) or bilinear smoothing.
func Zoom(img image.Image, factor float64, smooth bool) *image.RGBA {
	b := img.Bounds()
	w := int(float64(b.Dx())*factor + 0.5)
	h := int(float64(b.Dy())*factor + 0.5)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	var s xdraw.Scaler = xdraw.NearestNeighbor
	if smooth {
		s = xdraw.BiLinear
	}
	s.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// Desktop paints a w×h screenshot-like background: a diagonal gradient with
// noise, title bars, and paragraphs of small dark boxes shaped like words,
// which give a QR finder-pattern search plenty of false leads. dark selects
// a dark theme (light text on a dark page).
func Desktop(w, h int, dark bool, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	base0, base1 := 200.0, 250.0
	if dark {
		base0, base1 = 20, 55
	}
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		var bits uint64
		for x := 0; x < w; x++ {
			if x%8 == 0 {
				bits = rng.Uint64()
			}
			// Noise of ±8 from two 4-bit draws (triangular, like sensor
			// noise or dithering, and far cheaper than NormFloat64).
			noise := int(bits&15) + int(bits>>4&15) - 15
			bits >>= 8
			v := int(base0+(base1-base0)*float64(x+y)/float64(w+h)) + noise/2
			c := min(255, max(0, v))
			p := row[x*4 : x*4+4 : x*4+4]
			p[0], p[1], p[2], p[3] = uint8(c), uint8(min(255, c+6)), uint8(min(255, c+12)), 255
		}
	}
	ink := color.RGBA{30, 30, 40, 255}
	paper := color.RGBA{250, 250, 252, 255}
	if dark {
		ink, paper = color.RGBA{215, 215, 220, 255}, color.RGBA{32, 33, 36, 255}
	}
	// A few windows, each with a title bar and paragraphs of "text".
	for n := 0; n < 6; n++ {
		ww, wh := w/4+rng.IntN(w/3), h/4+rng.IntN(h/3)
		x0, y0 := rng.IntN(w-ww), rng.IntN(h-wh)
		fill(img, image.Rect(x0, y0, x0+ww, y0+wh), paper)
		fill(img, image.Rect(x0, y0, x0+ww, y0+24), color.RGBA{60, 90, 160, 255})
		line := 10 + rng.IntN(8)
		glyph := line * 6 / 10
		for y := y0 + 40; y+line < y0+wh-10; y += line {
			x := x0 + 12
			for x < x0+ww-60 {
				word := glyph/2*(2+rng.IntN(8)) + 1
				fill(img, image.Rect(x, y, x+word, y+glyph), ink)
				x += word + glyph/2 + 1
			}
			if rng.IntN(6) == 0 {
				y += line // paragraph break
			}
		}
	}
	return img
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// Paste draws pic onto img with its top-left corner at at.
func Paste(img *image.RGBA, pic image.Image, at image.Point) {
	draw.Draw(img, pic.Bounds().Sub(pic.Bounds().Min).Add(at), pic, pic.Bounds().Min, draw.Src)
}

// Place picks a random top-left corner for a size-pic inside a w×h canvas,
// keeping a margin so the code's quiet zone stays on screen.
func Place(w, h int, size image.Point, rng *rand.Rand) image.Point {
	return image.Pt(rng.IntN(max(1, w-size.X)), rng.IntN(max(1, h-size.Y)))
}

// Screenshot is a w×h desktop with the QR code for text, ppm pixels per
// module, pasted at a seeded random place: what 'authctl scan' gets from a
// screen capture.
func Screenshot(w, h int, text string, ppm int, seed uint64) *image.RGBA {
	img := Desktop(w, h, false, seed)
	code := Code(text, ppm)
	rng := rand.New(rand.NewPCG(seed, 1))
	Paste(img, code, Place(w, h, code.Bounds().Size(), rng))
	return img
}
