//go:build !(linux || freebsd || openbsd || netbsd || dragonfly || windows || darwin)

package screen

import (
	"fmt"
	"image"
	"runtime"
)

// Capture is not available on this platform.
func Capture() ([]image.Image, error) {
	return nil, fmt.Errorf("screen capture is not supported on %s: scan an image file instead", runtime.GOOS)
}
