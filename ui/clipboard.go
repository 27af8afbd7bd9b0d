package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// clipboardImage reads a PNG image from the clipboard. Fyne's clipboard
// carries text only, so on Linux and the BSDs this asks wl-paste (Wayland)
// or xclip (X11), the usual tools, when installed. Elsewhere the error says
// what works instead.
func clipboardImage() ([]byte, error) {
	switch runtime.GOOS {
	case "darwin", "windows":
		return nil, errors.New("the clipboard holds no otpauth:// link, and Authdesk cannot read images " +
			"from the clipboard on this system yet: save the image (or take a screenshot to a file) " +
			"and use QR image file, or drop the file on the window")
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		if _, err := exec.LookPath("wl-paste"); err == nil {
			return pasteWith("wl-paste", []string{"--list-types"}, []string{"--no-newline", "--type", "image/png"})
		}
	}
	if _, err := exec.LookPath("xclip"); err == nil && os.Getenv("DISPLAY") != "" {
		return pasteWith("xclip",
			[]string{"-selection", "clipboard", "-t", "TARGETS", "-o"},
			[]string{"-selection", "clipboard", "-t", "image/png", "-o"})
	}
	return nil, errors.New("the clipboard holds no otpauth:// link; to paste an image, install " +
		"xclip (X11) or wl-clipboard (Wayland), or save the image and use QR image file")
}

// pasteWith lists the clipboard's types with tool, then reads image/png.
func pasteWith(tool string, list, read []string) ([]byte, error) {
	types, err := exec.Command(tool, list...).Output()
	if err != nil {
		return nil, errors.New("the clipboard is empty")
	}
	if !strings.Contains(string(types), "image/png") {
		return nil, errors.New("the clipboard holds neither an otpauth:// link nor an image")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, read...)
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("read the clipboard image with %s: %v %s", tool, err, strings.TrimSpace(stderr.String()))
	}
	return data, nil
}
