package scan

import (
	"bytes"
	"image"
	"image/png"
	"slices"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"

	"github.com/authdesk/authdesk/vault/scan/internal/shot"
)

// The benchmarks time Decode on the screenshots genshot writes for
// 'make bench', each beside its peer in the same run: plain gozxing — the
// same multi-code reader and hints, but reading pixels through img.At via
// gozxing.NewLuminanceSourceFromImage. The metrics are the peer's time per
// image and the ratio (peer time / our time; above 1 means we are faster).
//
// BenchmarkDecodeBytes starts from the PNG file's bytes, as 'authctl scan'
// does, so both sides include Go's PNG decoder; BenchmarkDecode starts from
// the decoded image, which isolates the QR reading.

func BenchmarkDecodeBytes(b *testing.B) {
	for _, s := range shot.Bench {
		b.Run(s.Name, func(b *testing.B) {
			data := encodePNG(b, shot.Screenshot(s.W, s.H, shot.URI, 4, s.Seed))
			peer := func() []string {
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				return gozxingPlain(img)
			}
			race(b, func() ([]string, error) { return DecodeBytes(data) }, peer)
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, s := range shot.Bench {
		b.Run(s.Name, func(b *testing.B) {
			img := shot.Screenshot(s.W, s.H, shot.URI, 4, s.Seed)
			race(b, func() ([]string, error) { return Decode(img) }, func() []string { return gozxingPlain(img) })
		})
	}
}

// gozxingPlain is the peer: gozxing as its README shows it, with the same
// reader and hints Decode's first attempt uses.
func gozxingPlain(img image.Image) []string {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil
	}
	rs, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.GetText())
	}
	return out
}

// race checks that both sides read the benchmark's code, then times ours as
// the benchmark's ns/op and the peer alongside it, iteration by iteration,
// so both see the same machine load.
func race(b *testing.B, ours func() ([]string, error), peer func() []string) {
	want := []string{shot.URI}
	if got, err := ours(); err != nil || !slices.Equal(got, want) {
		b.Fatalf("ours read %q, %v; want %q", got, err, want)
	}
	if got := peer(); !slices.Equal(got, want) {
		b.Fatalf("peer read %q; want %q", got, want)
	}
	var mine, theirs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		ours()
		t1 := time.Now()
		b.StopTimer()
		peer()
		theirs += time.Since(t1)
		b.StartTimer()
		mine += t1.Sub(t0)
	}
	b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "gozxing-ns/op")
	b.ReportMetric(float64(theirs)/float64(mine), "speedup")
}
