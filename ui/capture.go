package ui

import (
	"image"

	"github.com/authdesk/authdesk/vault/scan"
	"github.com/authdesk/authdesk/vault/scan/screen"
)

// captureScreens is the real screen capture, one image per display.
func captureScreens() ([]image.Image, error) { return screen.Capture() }

// renderQR draws text as a QR code PNG at most size pixels wide.
func renderQR(text string, size int) ([]byte, error) { return scan.Render(text, size) }
