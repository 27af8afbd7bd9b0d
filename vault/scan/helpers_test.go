package scan

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// need reports whether tool is on PATH; without it the caller skips its
// cross-check, except in CI (CI set), where a missing tool fails the test.
func need(t *testing.T, tool string) bool {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (scripts/deps test installs it)", tool)
		}
		t.Logf("%s is not installed: cross-check skipped", tool)
		return false
	}
	return true
}

// zbar decodes an encoded image with zbarimg, the independent reader the
// test images are checked against, so that every image we require Decode to
// read is one a mature scanner reads too. It also tries inverted images, as
// dark-mode codes need.
func zbar(t *testing.T, data []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "img")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Stest-inverted", path).Output()
	text := strings.TrimRight(string(out), "\n")
	if err != nil || text == "" {
		return nil // exit status 4: nothing found
	}
	return strings.Split(text, "\n")
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodeGIF quantises to 256 greys without dithering, as a screenshot tool
// saving a GIF would.
func encodeGIF(t testing.TB, img image.Image) []byte {
	t.Helper()
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{Y: uint8(i)}
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, &gif.Options{NumColors: 256, Quantizer: fixedPalette(pal), Drawer: draw.Src}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type fixedPalette color.Palette

func (p fixedPalette) Quantize(color.Palette, image.Image) color.Palette { return color.Palette(p) }
