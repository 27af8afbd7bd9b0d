package scan

import (
	"bytes"
	"errors"
	"image"
	"runtime"
	"testing"

	"github.com/authdesk/authdesk/vault/scan/internal/shot"
)

// FuzzDecodeBytes feeds DecodeBytes arbitrary files: it must never panic,
// must either read something or say why not, must refuse what is over the
// pixel limit, and must not let a small file make it allocate a lot — a
// header promising millions of pixels with no data behind them is refused
// before the decoders allocate for them. The seed corpus in
// testdata/fuzz/FuzzDecodeBytes holds such headers (PNG, JPEG, GIF); the
// seeds added here are small, valid images of each format.
func FuzzDecodeBytes(f *testing.F) {
	code := shot.Code("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP", 1)
	f.Add(encodePNG(f, code))
	f.Add(encodeGIF(f, code))
	f.Add(encodeJPEG(f, shot.Code("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP", 2), 90))
	f.Add(pngHeader(8000, 8000, nil))
	f.Add(pngHeader(7000, 7000, []byte("\x00\x00\x00\x00IDAT")))
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		texts, err := DecodeBytes(data)
		runtime.ReadMemStats(&after)
		if err == nil && len(texts) == 0 {
			t.Fatal("DecodeBytes returned neither text nor an error")
		}
		if cfg, _, cerr := image.DecodeConfig(bytes.NewReader(data)); cerr == nil &&
			int64(cfg.Width)*int64(cfg.Height) > maxPixels && err == nil {
			t.Fatalf("a %d×%d image was decoded despite the %d-pixel limit", cfg.Width, cfg.Height, maxPixels)
		}
		// What a file may make DecodeBytes allocate is bounded by the
		// formats' best compression: a 1-bit PNG inflates at most ~8,300
		// pixels per byte, and a progressive JPEG keeps 4 bytes of
		// coefficients per pixel and component. Only a file that decodes
		// (then its pixels are real) goes through Decode's planes, ten or so
		// bytes per pixel.
		perByte := uint64(16_000)
		if err == nil || errors.Is(err, ErrNotFound) {
			perByte = 200_000
		}
		if n, limit := after.TotalAlloc-before.TotalAlloc, 8<<20+perByte*uint64(len(data)); n > limit {
			t.Fatalf("%d bytes of input made DecodeBytes allocate %d bytes (limit %d; error %v)", len(data), n, limit, err)
		}
	})
}
