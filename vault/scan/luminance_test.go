package scan

import (
	"math/rand/v2"
	"testing"
)

// TestResized: shrinking averages the covered area — flat stays flat, halving
// averages 2×2 blocks, and a fractional factor keeps the mean brightness.
func TestResized(t *testing.T) {
	flat := gray{pix: make([]byte, 97*61), w: 97, h: 61}
	for i := range flat.pix {
		flat.pix[i] = 77
	}
	for _, f := range []float64{1 / 1.1, 1 / 1.25, 1 / 1.333, 1 / 1.5} {
		r := flat.resized(f)
		if r.w != int(97*f+0.5) || r.h != int(61*f+0.5) {
			t.Fatalf("resized(%.3f) is %d×%d", f, r.w, r.h)
		}
		for i, p := range r.pix {
			if p != 77 {
				t.Fatalf("resized(%.3f) of a flat 77 has %d at %d", f, p, i)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	g := gray{pix: make([]byte, 40*30), w: 40, h: 30}
	var sum int
	for i := range g.pix {
		g.pix[i] = uint8(rng.IntN(256))
		sum += int(g.pix[i])
	}
	half := g.resized(0.5)
	for y := 0; y < half.h; y++ {
		for x := 0; x < half.w; x++ {
			want := (int(g.pix[2*y*40+2*x]) + int(g.pix[2*y*40+2*x+1]) + int(g.pix[(2*y+1)*40+2*x]) + int(g.pix[(2*y+1)*40+2*x+1]) + 2) / 4
			if got := int(half.pix[y*half.w+x]); got < want-1 || got > want+1 {
				t.Fatalf("resized(0.5) at (%d,%d) = %d, want the 2×2 mean %d", x, y, got, want)
			}
		}
	}
	r := g.resized(0.8) // 32×24: every output pixel covers 1.25×1.25 inputs
	var rsum int
	for _, p := range r.pix {
		rsum += int(p)
	}
	if in, out := float64(sum)/float64(len(g.pix)), float64(rsum)/float64(len(r.pix)); in-out > 1 || out-in > 1 {
		t.Fatalf("resized(0.8) changed the mean brightness from %.1f to %.1f", in, out)
	}
}
