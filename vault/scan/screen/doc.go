// Package screen captures what the displays show, so a QR code on screen —
// an account's set-up page in the browser — can be read with scan.Decode
// without saving a screenshot first:
//
//	shots, err := screen.Capture()
//	for _, img := range shots {
//		texts, err := scan.Decode(img)
//		…
//	}
//
// It is a package of its own so that vault/scan, which only turns pixels into
// text, carries no display-protocol dependencies.
//
// # Platforms
//
// On Linux and the BSDs Capture speaks the X11 protocol itself through
// github.com/jezek/xgb, a pure-Go X client (no cgo, no libX11), so authctl
// built with CGO_ENABLED=0 can capture. Each monitor is one image (from
// Xinerama; without it, the whole root window is one image). Under XWayland
// only the windows of X clients are visible to it.
//
// A Wayland session without X (DISPLAY unset) cannot be captured this way:
// Wayland lets only the compositor read the screen, and the only way in is
// the desktop portal (org.freedesktop.portal.Screenshot), which asks the user
// interactively. Capture says so and suggests scanning a file instead.
//
// On Windows and macOS Capture uses github.com/kbinani/screenshot, the
// widely used capture library: on Windows through GDI with no cgo, on macOS
// through CoreGraphics, which needs cgo — a macOS build without cgo gets an
// error that says to scan a screenshot file instead. Elsewhere Capture
// returns an error.
package screen
