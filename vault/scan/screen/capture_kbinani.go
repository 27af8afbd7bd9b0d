//go:build windows || darwin

package screen

import (
	"errors"
	"fmt"
	"image"
	"runtime"

	"github.com/kbinani/screenshot"
)

// Capture returns the pixels of every active display, one image each.
func Capture() ([]image.Image, error) {
	n := screenshot.NumActiveDisplays()
	if n == 0 {
		if runtime.GOOS == "darwin" {
			// kbinani/screenshot needs cgo (CoreGraphics) on macOS.
			return nil, errors.New("screen capture on macOS needs a build with cgo: take a screenshot (Shift-Command-4) and scan the file instead")
		}
		return nil, errors.New("no active display to capture")
	}
	var shots []image.Image
	for i := 0; i < n; i++ {
		img, err := screenshot.CaptureDisplay(i)
		if err != nil {
			return nil, fmt.Errorf("capture display %d of %d: %w", i+1, n, err)
		}
		shots = append(shots, img)
	}
	return shots, nil
}
