//go:build linux || freebsd || openbsd || netbsd || dragonfly

package screen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/randr"
	"github.com/jezek/xgb/xproto"

	"github.com/authdesk/authdesk/vault/scan"
	"github.com/authdesk/authdesk/vault/scan/screen"
)

// need skips the test when a tool is missing, except in CI, where a missing
// tool is a broken test setup and fails.
func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (scripts/deps test installs it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// xvfb starts a private X server with the given Xvfb arguments and returns
// its display name; it is stopped when the test ends.
func xvfb(t *testing.T, args ...string) string {
	t.Helper()
	need(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	// -noreset: by default an X server resets — clearing the screen and
	// dropping connections being made — whenever its last client leaves.
	cmd := exec.Command("Xvfb", append([]string{"-displayfd", "3", "-nolisten", "tcp", "-noreset"}, args...)...)
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// SIGTERM, not SIGKILL: Xvfb then removes its lock file and socket, which
	// a later server picking the same display number would trip over.
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	num := make(chan string, 1)
	go func() {
		buf := make([]byte, 16)
		n, _ := r.Read(buf)
		num <- strings.TrimSpace(string(buf[:n]))
	}()
	select {
	case n := <-num:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(10 * time.Second):
		t.Fatal("Xvfb did not report its display within 10s")
	}
	return ""
}

// shown is a picture put on screen by show: the ImageMagick process showing
// it, and what it said on stderr.
type shown struct {
	exited chan struct{}
	stderr *bytes.Buffer
}

// show opens pic in a window at (x, y) on display with ImageMagick's display;
// the window closes when the test ends.
func show(t *testing.T, display string, pic []byte, x, y int) *shown {
	t.Helper()
	need(t, "display")
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, pic, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "display", "-geometry", fmt.Sprintf("+%d+%d", x, y), path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	s := &shown{exited: make(chan struct{}), stderr: new(bytes.Buffer)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { cancel(); <-s.exited })
	return s
}

// captureUntil captures display until a monitor shows want, giving the
// window of s (nil: a picture painted on the root) 30 seconds to appear —
// the machines are shared and slow at times.
func captureUntil(t *testing.T, display string, s *shown, want string) []image.Image {
	t.Helper()
	t.Setenv("DISPLAY", display)
	deadline := time.Now().Add(30 * time.Second)
	for {
		shots, err := screen.Capture()
		if err != nil {
			t.Fatalf("Capture: %v", err)
		}
		for _, img := range shots {
			if texts, err := scan.Decode(img); err == nil && len(texts) == 1 && texts[0] == want {
				return shots
			}
		}
		if s != nil {
			select {
			case <-s.exited:
				t.Fatalf("ImageMagick's display exited before its window was captured: %s", s.stderr)
			default:
			}
		}
		if time.Now().After(deadline) {
			saved := filepath.Join(os.TempDir(), "capture-failed.png")
			var buf bytes.Buffer
			png.Encode(&buf, shots[0])
			os.WriteFile(saved, buf.Bytes(), 0o644)
			t.Fatalf("the QR code shown on %s was not found in %d captured image(s) within 30s (first saved to %s)",
				display, len(shots), saved)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// paint draws pic straight onto the root window of display at (x, y) with
// PutImage, as a desktop background would show it: no client window, so
// nothing depends on a toolkit reaching a private server in time.
func paint(t *testing.T, display string, pic []byte, x, y int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	setup := xproto.Setup(c)
	root := setup.DefaultScreen(c)
	bpp, pad := 0, 32
	for _, f := range setup.PixmapFormats {
		if f.Depth == root.RootDepth {
			bpp, pad = int(f.BitsPerPixel), int(f.ScanlinePad)
		}
	}
	b := img.Bounds()
	stride := (b.Dx()*bpp + pad - 1) / pad * pad / 8
	data := make([]byte, stride*b.Dy())
	for py := 0; py < b.Dy(); py++ {
		for px := 0; px < b.Dx(); px++ {
			if r, _, _, _ := img.At(b.Min.X+px, b.Min.Y+py).RGBA(); r > 0x8000 {
				// White: all colour bits set, in any TrueColor layout.
				for i := 0; i < bpp/8; i++ {
					data[py*stride+px*bpp/8+i] = 0xff
				}
			}
		}
	}
	gc, err := xproto.NewGcontextId(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateGCChecked(c, gc, xproto.Drawable(root.Root), 0, nil).Check(); err != nil {
		t.Fatal(err)
	}
	if err := xproto.PutImageChecked(c, xproto.ImageFormatZPixmap, xproto.Drawable(root.Root), gc,
		uint16(b.Dx()), uint16(b.Dy()), int16(x), int16(y), 0, root.RootDepth, data).Check(); err != nil {
		t.Fatalf("PutImage: %v", err)
	}
}

const uri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"

func render(t *testing.T) []byte {
	pic, err := scan.Render(uri, 200)
	if err != nil {
		t.Fatal(err)
	}
	return pic
}

// TestCaptureTestenv reads a QR code shown on the display scripts/testenv
// provides, as the app's "scan the screen" does.
func TestCaptureTestenv(t *testing.T) {
	display := os.Getenv("DISPLAY")
	if display == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DISPLAY is not set: run the tests under scripts/testenv")
		}
		t.Skip("DISPLAY is not set: run under scripts/testenv")
	}
	// Stay connected: scripts/testenv's Xvfb resets whenever its last client
	// leaves, which would wipe the window or refuse display's connection.
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("connect to %s: %v", display, err)
	}
	defer c.Close()
	w := show(t, display, render(t), 300, 200)
	shots := captureUntil(t, display, w, uri)
	if len(shots) == 0 {
		t.Fatal("no images")
	}
}

// TestCaptureMonitors: a desktop of two monitors side by side, of different
// sizes, gives one image per monitor, of its size, and a code shown on the
// second monitor is found in the second image. Xvfb has one screen; the two
// monitors are declared on it with RandR 1.5, as xrandr --setmonitor does.
func TestCaptureMonitors(t *testing.T) {
	display := xvfb(t, "-screen", "0", "1440x600x24")
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := randr.Init(c); err != nil {
		t.Fatalf("RandR: %v", err)
	}
	root := xproto.Setup(c).DefaultScreen(c).Root
	res, err := randr.GetScreenResources(c, root).Reply()
	if err != nil || len(res.Outputs) == 0 {
		t.Fatalf("RandR outputs: %v", err)
	}
	// LEFT takes over Xvfb's one output, so the server drops the automatic
	// monitor that covered the whole screen; RIGHT is a monitor without one.
	for i, m := range []struct {
		name    string
		x, w, h int
	}{{"LEFT", 0, 800, 600}, {"RIGHT", 800, 640, 480}} {
		atom, err := xproto.InternAtom(c, false, uint16(len(m.name)), m.name).Reply()
		if err != nil {
			t.Fatal(err)
		}
		info := randr.MonitorInfo{Name: atom.Atom, X: int16(m.x), Width: uint16(m.w), Height: uint16(m.h),
			WidthInMillimeters: uint32(m.w / 4), HeightInMillimeters: uint32(m.h / 4)}
		if i == 0 {
			info.NOutput, info.Outputs = 1, res.Outputs[:1]
		}
		if err := randr.SetMonitorChecked(c, root, info).Check(); err != nil {
			t.Fatalf("declare monitor %s: %v", m.name, err)
		}
	}
	paint(t, display, render(t), 900, 100) // on the second monitor
	shots := captureUntil(t, display, nil, uri)
	if len(shots) != 2 {
		t.Fatalf("got %d images, want one per monitor (2)", len(shots))
	}
	for i, want := range []image.Point{{800, 600}, {640, 480}} {
		if got := shots[i].Bounds().Size(); got != want {
			t.Errorf("monitor %d: image is %v, want %v", i+1, got, want)
		}
	}
	if _, err := scan.Decode(shots[0]); !errors.Is(err, scan.ErrNotFound) {
		t.Errorf("first monitor: Decode = %v, want ErrNotFound (the code is on the second)", err)
	}
}

// TestCapture16Bit exercises the general pixel conversion (RGB 565) that
// 24-bit servers never reach.
func TestCapture16Bit(t *testing.T) {
	display := xvfb(t, "-screen", "0", "1024x768x16")
	paint(t, display, render(t), 100, 50)
	shots := captureUntil(t, display, nil, uri)
	if got := shots[0].Bounds().Size(); got != image.Pt(1024, 768) {
		t.Fatalf("image is %v, want 1024×768", got)
	}
}

func TestCaptureWayland(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	_, err := screen.Capture()
	if err == nil || !strings.Contains(err.Error(), "portal") || !strings.Contains(err.Error(), "scan the file") {
		t.Fatalf("Capture on Wayland without X: %v, want an error about the desktop portal and scanning a file", err)
	}
}

func TestCaptureNoDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("XDG_SESSION_TYPE", "tty")
	if _, err := screen.Capture(); err == nil || !strings.Contains(err.Error(), "DISPLAY is not set") {
		t.Fatalf("Capture with no display: %v, want an error saying DISPLAY is not set", err)
	}
	t.Setenv("DISPLAY", ":4242")
	if _, err := screen.Capture(); err == nil || !strings.Contains(err.Error(), ":4242") {
		t.Fatalf("Capture of a display that does not exist: %v, want an error naming it", err)
	}
}
