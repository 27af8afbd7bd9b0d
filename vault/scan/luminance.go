package scan

import (
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// gray is an 8-bit luminance plane, row-major with no padding: the one
// conversion every decoding attempt starts from. 0 is black, 255 white.
type gray struct {
	pix  []byte
	w, h int
}

// toGray converts img to luminance once. The common decoder outputs get a
// fast path that reads their pixel slices directly: *image.YCbCr (JPEG) gives
// its Y plane as is, *image.Paletted (GIF, go-qrcode) maps through a
// 256-entry table, and *image.RGBA / *image.NRGBA (PNG, screen captures) are
// weighted as (R+2G+B)/4, the weighting gozxing itself uses. Transparent
// pixels are composited over white, so a code drawn on a transparent
// background reads as dark on light.
func toGray(img image.Image) gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := gray{pix: make([]byte, w*h), w: w, h: h}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Pix[i:i+w])
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			i := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Y[i:i+w])
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[x*4 : x*4+4 : x*4+4]
				// Premultiplied: over white is c + (255-a).
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) >> 2
				dst[x] = byte(l + (255 - uint32(p[3])))
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.pix[y*w : (y+1)*w]
			for x := range dst {
				p := src[x*4 : x*4+4 : x*4+4]
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) >> 2
				a := uint32(p[3])
				dst[x] = byte((l*a + 255*(255-a) + 127) / 255)
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i := range lut {
			lut[i] = 255 // indices past the palette: treat as background
		}
		for i, c := range m.Palette {
			if i < len(lut) {
				lut[i] = lumOf(c)
			}
		}
		for y := 0; y < h; y++ {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			src := m.Pix[i : i+w]
			dst := g.pix[y*w : (y+1)*w]
			for x, p := range src {
				dst[x] = lut[p]
			}
		}
	default:
		// Rare pixel formats (16-bit, CMYK): the slow generic path.
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.pix[i] = lumOf(img.At(x, y))
				i++
			}
		}
	}
	return g
}

// lumOf is the luminance of one colour over a white background.
func lumOf(c color.Color) byte {
	r, gg, b, a := c.RGBA() // premultiplied, 16-bit
	l := (r + 2*gg + b) >> 2
	return byte((l + (0xffff - a)) >> 8)
}

// inverted returns the photographic negative, for codes shown light on dark.
func (g gray) inverted() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	for i, p := range g.pix {
		out.pix[i] = 255 - p
	}
	return out
}

// resized shrinks g by the factor f (0 < f < 1, output size rounded) with
// area averaging: shrinking a browser-zoomed code by the zoom factor gives
// back modules of even width.
func (g gray) resized(f float64) gray {
	w := int(float64(g.w)*f + 0.5)
	h := int(float64(g.h)*f + 0.5)
	if w < 1 || h < 1 || f >= 1 {
		return gray{}
	}
	// Separable box filter: rows first into a w×g.h buffer, then columns.
	hx := boxWeights(g.w, w)
	tmp := make([]uint16, w*g.h)
	for y := 0; y < g.h; y++ {
		src := g.pix[y*g.w : (y+1)*g.w]
		dst := tmp[y*w : (y+1)*w]
		for x, sp := range hx {
			var sum uint32
			for i, wt := range sp.weights {
				sum += uint32(src[sp.first+i]) * wt
			}
			dst[x] = uint16(sum) // at most 255*256
		}
	}
	hy := boxWeights(g.h, h)
	out := gray{pix: make([]byte, w*h), w: w, h: h}
	acc := make([]uint32, w)
	for y, sp := range hy {
		clear(acc)
		for i, wt := range sp.weights {
			row := tmp[(sp.first+i)*w : (sp.first+i+1)*w]
			for x, v := range row {
				acc[x] += uint32(v) * wt
			}
		}
		dst := out.pix[y*w : (y+1)*w]
		for x, v := range acc {
			dst[x] = byte((v + 1<<15) >> 16)
		}
	}
	return out
}

// span is the set of source samples (from first on) that cover one output
// sample when shrinking, with 8.8 fixed-point weights that sum to 256.
type span struct {
	first   int
	weights []uint32
}

// boxWeights computes, for n source samples shrunk to m, which source
// samples each output sample covers and by how much.
func boxWeights(n, m int) []span {
	out := make([]span, m)
	scale := float64(n) / float64(m)
	for i := range out {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		first := int(lo)
		last := min(int(hi-1e-9), n-1)
		ws := make([]uint32, 0, last-first+1)
		var total uint32
		for j := first; j <= last; j++ {
			cover := min(hi, float64(j+1)) - max(lo, float64(j))
			wt := uint32(cover/scale*256 + 0.5)
			ws = append(ws, wt)
			total += wt
		}
		// Put the rounding error on the largest weight so the sum is 256.
		big := 0
		for j, wt := range ws {
			if wt > ws[big] {
				big = j
			}
		}
		ws[big] = ws[big] + 256 - total
		out[i] = span{first: first, weights: ws}
	}
	return out
}

var _ gozxing.LuminanceSource = (*source)(nil)

// source adapts a gray plane to gozxing's LuminanceSource without copying.
type source struct {
	gozxing.LuminanceSourceBase
	g gray
}

func newSource(g gray) *source {
	return &source{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: g.w, Height: g.h}, g: g}
}

func (s *source) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.g.h {
		return nil, gozxing.NewNotFoundException("row %d is outside the image", y)
	}
	if len(row) < s.g.w {
		row = make([]byte, s.g.w)
	}
	copy(row, s.g.pix[y*s.g.w:(y+1)*s.g.w])
	return row, nil
}

// GetMatrix returns the plane itself; gozxing only reads it.
func (s *source) GetMatrix() []byte { return s.g.pix }

func (s *source) Invert() gozxing.LuminanceSource { return newSource(s.g.inverted()) }

func (s *source) String() string { return gozxing.LuminanceSourceString(s) }
