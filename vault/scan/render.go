package scan

import (
	"errors"
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// maxRenderSize bounds Render's size argument: larger than any screen needs.
const maxRenderSize = 8192

// Render draws text as a QR code and returns it as a PNG: dark modules on
// white, error-correction level M (15% of the code may be damaged), with the
// standard quiet zone of four modules around it. Every module is the same
// whole number of pixels, so the picture stays sharp and scannable at any
// size; the image is the largest such square that fits in size×size pixels
// (and never less than one pixel per module, even if that exceeds size).
func Render(text string, size int) ([]byte, error) {
	if text == "" {
		return nil, errors.New("render QR code: the text is empty")
	}
	if size < 1 || size > maxRenderSize {
		return nil, fmt.Errorf("render QR code: size %d is out of range 1–%d pixels", size, maxRenderSize)
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("render QR code of %d bytes: %w", len(text), err)
	}
	modules := len(q.Bitmap()) // with the quiet zone
	ppm := max(1, size/modules)
	// go-qrcode: a negative size means that many pixels per module.
	png, err := q.PNG(-ppm)
	if err != nil {
		return nil, fmt.Errorf("render QR code: %w", err)
	}
	return png, nil
}
