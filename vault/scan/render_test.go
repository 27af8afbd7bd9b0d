package scan

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestRenderRoundTrip: what Render draws, Decode reads back — for payloads
// from a few bytes to the most a QR code at level M holds, with every
// character otpauth URIs use (and some they do not).
func TestRenderRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz234567%:/?&=.-_@ ü€"
	texts := append([]string{}, uris...)
	for _, n := range []int{1, 10, 50, 100, 200, 300, 500, 800, 1200, 1600} {
		r := []rune(alphabet)
		var b strings.Builder
		b.WriteString("otpauth://totp/")
		for b.Len() < n {
			b.WriteRune(r[rng.IntN(len(r))])
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, strings.Repeat("7", 3000)) // numeric mode, version 30-odd
	for _, text := range texts {
		for _, size := range []int{200, 512} {
			pic, err := Render(text, size)
			if err != nil {
				t.Fatalf("Render(%d bytes, %d): %v", len(text), size, err)
			}
			img, err := png.Decode(bytes.NewReader(pic))
			if err != nil {
				t.Fatalf("Render(%d bytes): not a PNG: %v", len(text), err)
			}
			b := img.Bounds()
			if b.Dx() != b.Dy() {
				t.Fatalf("Render(%d bytes): %v is not square", len(text), b)
			}
			got, err := Decode(img)
			if err != nil || !slices.Equal(got, []string{text}) {
				t.Fatalf("Render(%d bytes, %d) → %v → Decode = %q, %v", len(text), size, b.Size(), got, err)
			}
		}
	}
}

// TestRenderModules: every module is the same whole number of pixels, the
// largest that fits in size, inside a quiet zone of four modules.
func TestRenderModules(t *testing.T) {
	text := uris[1] // 95 bytes at level M: version 6, 41 modules + 8 of quiet zone
	const n = 49
	for _, c := range []struct{ size, want int }{
		{49, 49}, {100, 98}, {200, 196}, {244, 196}, {245, 245}, {1000, 980}, {10, 49},
	} {
		pic, err := Render(text, c.size)
		if err != nil {
			t.Fatal(err)
		}
		img, _ := png.Decode(bytes.NewReader(pic))
		if got := img.Bounds().Dx(); got != c.want {
			t.Errorf("Render(size %d) is %d pixels wide, want %d", c.size, got, c.want)
			continue
		}
		ppm := c.want / n
		// The quiet zone is white; the finder pattern's corner is black.
		if isDark(img, 4*ppm-1, 4*ppm-1) || !isDark(img, 4*ppm, 4*ppm) {
			t.Errorf("size %d: the code does not start after a 4-module quiet zone of %d pixels", c.size, 4*ppm)
		}
		// Whole modules: every row of pixels within a module row is equal.
		g := toGray(img)
		for y := 0; y < g.h; y++ {
			base := (y / ppm) * ppm
			if !bytes.Equal(g.pix[y*g.w:(y+1)*g.w], g.pix[base*g.w:(base+1)*g.w]) {
				t.Fatalf("size %d: pixel row %d differs from row %d of the same module row", c.size, y, base)
			}
		}
	}
}

func isDark(img image.Image, x, y int) bool {
	r, _, _, _ := img.At(x, y).RGBA()
	return r < 0x8000
}

func TestRenderRefuses(t *testing.T) {
	for _, c := range []struct {
		text string
		size int
		want string
	}{
		{"", 200, "the text is empty"},
		{"x", 0, "size 0 is out of range"},
		{"x", -5, "size -5 is out of range"},
		{"x", 100000, "size 100000 is out of range"},
		{strings.Repeat("x", 5000), 200, "render QR code of 5000 bytes"},
	} {
		_, err := Render(c.text, c.size)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Render(%d bytes, %d): %v, want an error containing %q", len(c.text), c.size, err, c.want)
		}
	}
}
