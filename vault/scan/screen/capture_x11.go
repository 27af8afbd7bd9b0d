//go:build linux || freebsd || openbsd || netbsd || dragonfly

package screen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"math/bits"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
)

func init() {
	// xgb logs to stderr when it retries without an Xauthority file; that is
	// routine (Xvfb, local servers) and not for the user's terminal.
	xgb.Logger = log.New(io.Discard, "", 0)
}

// errWayland is returned on a Wayland session with no X server to ask.
var errWayland = errors.New("screen capture on Wayland needs the desktop portal (xdg-desktop-portal), which is not supported yet: take a screenshot with your desktop's tool and scan the file instead")

// Capture returns the pixels of every monitor of the X display named by
// $DISPLAY, one image each, left to right as the X server lists them.
func Capture() ([]image.Image, error) {
	display := os.Getenv("DISPLAY")
	if display == "" {
		if os.Getenv("WAYLAND_DISPLAY") != "" || os.Getenv("XDG_SESSION_TYPE") == "wayland" {
			return nil, errWayland
		}
		return nil, errors.New("no display to capture: DISPLAY is not set (scan an image file instead)")
	}
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to X display %s: %w", display, err)
	}
	defer c.Close()
	setup := xproto.Setup(c)
	root := setup.DefaultScreen(c)
	f, err := pixelFormat(setup, root)
	if err != nil {
		return nil, fmt.Errorf("capture X display %s: %w", display, err)
	}
	var shots []image.Image
	for _, r := range monitors(c, root) {
		img, err := grab(c, root.Root, r, f)
		if err != nil {
			return nil, fmt.Errorf("capture X display %s, monitor at %v: %w", display, r, err)
		}
		shots = append(shots, img)
	}
	return shots, nil
}

// monitors lists the monitors' rectangles from Xinerama, or the whole root
// window when the server has no Xinerama. Mirrored monitors appear once.
func monitors(c *xgb.Conn, root *xproto.ScreenInfo) []image.Rectangle {
	whole := image.Rect(0, 0, int(root.WidthInPixels), int(root.HeightInPixels))
	if xinerama.Init(c) != nil {
		return []image.Rectangle{whole}
	}
	active, err := xinerama.IsActive(c).Reply()
	if err != nil || active.State == 0 {
		return []image.Rectangle{whole}
	}
	reply, err := xinerama.QueryScreens(c).Reply()
	if err != nil {
		return []image.Rectangle{whole}
	}
	var rs []image.Rectangle
	seen := map[image.Rectangle]bool{}
	for _, s := range reply.ScreenInfo {
		r := image.Rect(int(s.XOrg), int(s.YOrg), int(s.XOrg)+int(s.Width), int(s.YOrg)+int(s.Height)).Intersect(whole)
		if !r.Empty() && !seen[r] {
			seen[r] = true
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return []image.Rectangle{whole}
	}
	return rs
}

// format says how the server lays out the pixels of a ZPixmap image of the
// root window.
type format struct {
	bpp, pad      int // bits per pixel, scanline padding in bits
	order         binary.ByteOrder
	r, g, b       uint32 // channel masks of the root visual
	rsh, gsh, bsh int    // their shifts
	rbits, gbits  int    // their widths
	bbits         int
}

func pixelFormat(setup *xproto.SetupInfo, root *xproto.ScreenInfo) (format, error) {
	var f format
	for _, pf := range setup.PixmapFormats {
		if pf.Depth == root.RootDepth {
			f.bpp, f.pad = int(pf.BitsPerPixel), int(pf.ScanlinePad)
		}
	}
	if f.pad%8 != 0 || f.pad == 0 {
		f.pad = 8
	}
	if f.bpp != 16 && f.bpp != 24 && f.bpp != 32 {
		return f, fmt.Errorf("unsupported pixel format: depth %d at %d bits per pixel (want a TrueColor display of 16, 24 or 32 bits)", root.RootDepth, f.bpp)
	}
	f.order = binary.LittleEndian
	if setup.ImageByteOrder == xproto.ImageOrderMSBFirst {
		f.order = binary.BigEndian
	}
	for _, d := range root.AllowedDepths {
		for _, v := range d.Visuals {
			if v.VisualId == root.RootVisual {
				if v.Class != xproto.VisualClassTrueColor && v.Class != xproto.VisualClassDirectColor {
					return f, fmt.Errorf("unsupported visual class %d (want TrueColor)", v.Class)
				}
				f.r, f.g, f.b = v.RedMask, v.GreenMask, v.BlueMask
			}
		}
	}
	if f.r == 0 || f.g == 0 || f.b == 0 {
		return f, errors.New("the root window's visual has no colour masks")
	}
	f.rsh, f.rbits = bits.TrailingZeros32(f.r), bits.OnesCount32(f.r)
	f.gsh, f.gbits = bits.TrailingZeros32(f.g), bits.OnesCount32(f.g)
	f.bsh, f.bbits = bits.TrailingZeros32(f.b), bits.OnesCount32(f.b)
	return f, nil
}

// chunkBytes bounds one GetImage reply, so a 4K monitor is fetched in a few
// strips rather than as one 33 MB reply.
const chunkBytes = 4 << 20

// grab reads rectangle r of the root window in strips and converts it to RGBA.
func grab(c *xgb.Conn, win xproto.Window, r image.Rectangle, f format) (*image.RGBA, error) {
	w, h := r.Dx(), r.Dy()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	stride := ((w*f.bpp + f.pad - 1) / f.pad) * f.pad / 8
	rows := max(1, chunkBytes/stride)
	for y := 0; y < h; y += rows {
		n := min(rows, h-y)
		reply, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(win),
			int16(r.Min.X), int16(r.Min.Y+y), uint16(w), uint16(n), 0xffffffff).Reply()
		if err != nil {
			return nil, err
		}
		if len(reply.Data) < stride*n {
			return nil, fmt.Errorf("the X server sent %d bytes for %d rows of %d bytes", len(reply.Data), n, stride)
		}
		for i := 0; i < n; i++ {
			convertRow(img.Pix[(y+i)*img.Stride:(y+i)*img.Stride+w*4], reply.Data[i*stride:], w, f)
		}
	}
	return img, nil
}

func convertRow(dst, src []byte, w int, f format) {
	// The usual case — 32-bit little-endian BGRX — byte for byte.
	if f.bpp == 32 && f.order == binary.LittleEndian && f.r == 0xff0000 && f.g == 0xff00 && f.b == 0xff {
		for x := 0; x < w; x++ {
			s := src[x*4 : x*4+4 : x*4+4]
			d := dst[x*4 : x*4+4 : x*4+4]
			d[0], d[1], d[2], d[3] = s[2], s[1], s[0], 0xff
		}
		return
	}
	for x := 0; x < w; x++ {
		var p uint32
		switch f.bpp {
		case 32:
			p = f.order.Uint32(src[x*4:])
		case 24:
			s := src[x*3 : x*3+3]
			if f.order == binary.LittleEndian {
				p = uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16
			} else {
				p = uint32(s[2]) | uint32(s[1])<<8 | uint32(s[0])<<16
			}
		case 16:
			p = uint32(f.order.Uint16(src[x*2:]))
		}
		d := dst[x*4 : x*4+4 : x*4+4]
		d[0] = channel(p, f.r, f.rsh, f.rbits)
		d[1] = channel(p, f.g, f.gsh, f.gbits)
		d[2] = channel(p, f.b, f.bsh, f.bbits)
		d[3] = 0xff
	}
}

// channel extracts one colour channel and scales it to 8 bits.
func channel(p, mask uint32, shift, n int) byte {
	v := (p & mask) >> shift
	if n >= 8 {
		return byte(v >> (n - 8))
	}
	max := uint32(1)<<n - 1
	return byte(v * 255 / max)
}
