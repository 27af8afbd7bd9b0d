package scan

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/authdesk/authdesk/vault/scan/internal/shot"
)

// uris are payloads of the lengths real set-up pages show, from a bare
// minimum to a long label with every parameter.
var uris = []string{
	"otpauth://totp/A?secret=JBSWY3DPEHPK3PXP",
	"otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example",
	"otpauth://hotp/ACME%20Corporation:john.doe@subdomain.example.org?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Corporation&algorithm=SHA256&digits=8&counter=42&image=https%3A%2F%2Fexample.org%2Flogo.png",
}

// screenshot describes one generated test image: a desktop of w×h with the
// code for text pasted at a seeded random place, optionally in dark mode
// and zoomed.
type screenshot struct {
	w, h   int
	text   string
	ppm    int     // pixels per module before zoom
	dark   bool    // light modules on a dark page
	zoom   float64 // browser zoom; 0 or 1 for none
	smooth bool    // zoom with bilinear smoothing instead of nearest-neighbour
	format string  // png, jpeg (quality 75) or gif
}

func (s screenshot) String() string {
	name := fmt.Sprintf("%dx%d/ppm%d/len%d", s.w, s.h, s.ppm, len(s.text))
	if s.dark {
		name += "/dark"
	}
	if s.zoom > 1 {
		name += fmt.Sprintf("/zoom%.0f", s.zoom*100)
		if s.smooth {
			name += "-bilinear"
		} else {
			name += "-nearest"
		}
	}
	return name + "/" + s.format
}

func (s screenshot) image(seed uint64) image.Image {
	code := shot.Code(s.text, s.ppm)
	if s.dark {
		code = shot.Invert(code)
	}
	var pic image.Image = code
	if s.zoom > 1 {
		pic = shot.Zoom(code, s.zoom, s.smooth)
	}
	img := shot.Desktop(s.w, s.h, s.dark, seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	shot.Paste(img, pic, shot.Place(s.w, s.h, pic.Bounds().Size(), rng))
	return img
}

func (s screenshot) encode(t *testing.T, seed uint64) []byte {
	img := s.image(seed)
	switch s.format {
	case "jpeg":
		return encodeJPEG(t, img, 75)
	case "gif":
		return encodeGIF(t, img)
	}
	return encodePNG(t, img)
}

func screenshots() []screenshot {
	var all []screenshot
	for _, size := range []image.Point{{1920, 1080}, {3840, 2160}} {
		add := func(s screenshot) {
			s.w, s.h = size.X, size.Y
			if s.format == "" {
				s.format = "png"
			}
			all = append(all, s)
		}
		add(screenshot{text: uris[1], ppm: 3})
		add(screenshot{text: uris[1], ppm: 3, dark: true})
		add(screenshot{text: uris[0], ppm: 2})
		for _, z := range []float64{1.1, 1.25, 1.333, 1.5} {
			for _, smooth := range []bool{false, true} {
				add(screenshot{text: uris[1], ppm: 2, zoom: z, smooth: smooth})
			}
		}
		add(screenshot{text: uris[2], ppm: 2, zoom: 1.25})
		add(screenshot{text: uris[2], ppm: 3, zoom: 1.5, smooth: true})
		add(screenshot{text: uris[1], ppm: 2, dark: true, zoom: 1.25})
		add(screenshot{text: uris[1], ppm: 3, dark: true, zoom: 1.5, smooth: true})
		add(screenshot{text: uris[1], ppm: 3, format: "jpeg"})
		add(screenshot{text: uris[1], ppm: 2, dark: true, zoom: 1.25, format: "jpeg"})
		add(screenshot{text: uris[2], ppm: 3, zoom: 1.333, smooth: true, format: "jpeg"})
	}
	// 1080p only: zbarimg misses this one at 4K (dark, smoothed, dense).
	all = append(all, screenshot{w: 1920, h: 1080, text: uris[2], ppm: 3, dark: true, zoom: 1.1, smooth: true, format: "png"})
	for _, s := range []screenshot{
		{text: uris[1], ppm: 3},
		{text: uris[2], ppm: 2, dark: true, zoom: 1.25},
	} {
		s.w, s.h, s.format = 1920, 1080, "gif"
		all = append(all, s)
	}
	return all
}

// TestDecodeScreenshots is the main promise: a QR code anywhere on a busy
// screenshot up to 4K, light or dark, at browser zooms of 110–150% with or
// without smoothing, saved as PNG, JPEG or GIF, is read — and zbarimg reads
// each image too, so none of them is unfair.
func TestDecodeScreenshots(t *testing.T) {
	checkZbar := need(t, "zbarimg")
	for i, s := range screenshots() {
		seed := uint64(1000 + i)
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			data := s.encode(t, seed)
			if checkZbar {
				if got := zbar(t, data); !slices.Equal(got, []string{s.text}) {
					t.Fatalf("seed %d: zbarimg reads %q, want %q: the test image is unfair", seed, got, s.text)
				}
			}
			got, err := DecodeBytes(data)
			if err != nil {
				t.Fatalf("seed %d: DecodeBytes: %v", seed, err)
			}
			if !slices.Equal(got, []string{s.text}) {
				t.Fatalf("seed %d: DecodeBytes = %q, want %q", seed, got, s.text)
			}
		})
	}
}

// TestDecodeAttemptsNeeded shows that the fallbacks are what reads the hard
// images: dark mode is not read by the first attempt but by an inverted one,
// and a zoomed dense code by a rescaled one. If gozxing ever reads these
// directly, the fallbacks can go.
func TestDecodeAttemptsNeeded(t *testing.T) {
	for _, c := range []struct {
		s    screenshot
		seed uint64
		want func(attempt) bool
	}{
		{screenshot{w: 1920, h: 1080, text: uris[1], ppm: 3, dark: true}, 1, func(a attempt) bool { return a.invert }},
		// A dense code at 133% with nearest-neighbour: modules 2 or 3 pixels
		// wide. Whether gozxing reads it at full size depends on where it
		// sits (its binarizer works in 8×8 blocks); at this seed it does not.
		{screenshot{w: 1920, h: 1080, text: uris[2], ppm: 2, zoom: 1.333}, 2, func(a attempt) bool { return a.scale != 1 }},
	} {
		t.Run(c.s.String(), func(t *testing.T) {
			g := toGray(c.s.image(c.seed))
			for _, a := range attempts {
				p := plane(g, a)
				fs := read(p, a)
				if len(fs) == 0 {
					continue
				}
				if fs[0].text != c.s.text {
					t.Fatalf("attempt %+v read %q, want %q", a, fs[0].text, c.s.text)
				}
				if !c.want(a) {
					t.Fatalf("attempt %+v read it first; the image no longer needs the fallback it is here for", a)
				}
				return
			}
			t.Fatal("no attempt read it")
		})
	}
}

func plane(g gray, a attempt) gray {
	if a.scale != 1 {
		g = g.resized(a.scale)
	}
	if a.invert {
		g = g.inverted()
	}
	return g
}

// TestDecodeSeveral: codes come back in reading order — rows top to bottom,
// left to right within a row even when not aligned — and a code shown twice
// is listed once.
func TestDecodeSeveral(t *testing.T) {
	a := "otpauth://totp/First:a@example.com?secret=JBSWY3DPEHPK3PXP&issuer=First"
	b := "otpauth://totp/Second:b@example.com?secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ&issuer=Second"
	c := "https://example.com/help/two-factor"
	img := shot.Desktop(1920, 1080, false, 3)
	shot.Paste(img, shot.Code(c, 3), image.Pt(1300, 700)) // bottom row
	shot.Paste(img, shot.Code(b, 3), image.Pt(900, 150))  // top row, right
	shot.Paste(img, shot.Code(a, 3), image.Pt(200, 190))  // top row, left, a little lower
	shot.Paste(img, shot.Code(a, 4), image.Pt(250, 650))  // the first again, bigger
	data := encodePNG(t, img)
	want := []string{a, b, c}
	if need(t, "zbarimg") {
		got := zbar(t, data)
		slices.Sort(got)
		if w := slices.Sorted(slices.Values([]string{a, a, b, c})); !slices.Equal(got, w) {
			t.Fatalf("zbarimg reads %q, want %q: the test image is unfair", got, w)
		}
	}
	got, err := DecodeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("DecodeBytes = %q, want %q", got, want)
	}
}

// TestDecodePixelFormats: each fast path of the grey conversion (and the
// generic one) reads the same code, including from a sub-image whose bounds
// do not start at the origin and from a code on a transparent background.
func TestDecodePixelFormats(t *testing.T) {
	text := uris[1]
	code := shot.Code(text, 4)
	b := code.Bounds()
	canvas := image.Rect(-30, -20, b.Dx()+50, b.Dy()+40) // negative origin too
	convert := func(dst draw.Image) image.Image {
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(dst, b.Add(image.Pt(10, 10)), code, image.Point{}, draw.Src)
		return dst
	}
	pal := color.Palette{color.White, color.Black, color.RGBA{255, 0, 0, 255}}
	transparent := image.NewNRGBA(canvas)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if code.RGBAAt(x, y).R < 128 {
				transparent.Set(x+10, y+10, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	rgba := convert(image.NewRGBA(canvas)).(*image.RGBA)
	ycbcr := image.NewYCbCr(canvas, image.YCbCrSubsampleRatio420)
	for y := canvas.Min.Y; y < canvas.Max.Y; y++ {
		for x := canvas.Min.X; x < canvas.Max.X; x++ {
			ycbcr.Y[ycbcr.YOffset(x, y)] = color.GrayModel.Convert(rgba.At(x, y)).(color.Gray).Y
		}
	}
	for i := range ycbcr.Cb {
		ycbcr.Cb[i], ycbcr.Cr[i] = 128, 128
	}
	for name, img := range map[string]image.Image{
		"RGBA":                  rgba,
		"RGBA sub-image":        rgba.SubImage(image.Rect(5, 5, b.Dx()+30, b.Dy()+30)),
		"NRGBA":                 convert(image.NewNRGBA(canvas)),
		"NRGBA transparent":     transparent,
		"Gray":                  convert(image.NewGray(canvas)),
		"Gray sub-image":        convert(image.NewGray(canvas)).(*image.Gray).SubImage(image.Rect(0, 0, b.Dx()+25, b.Dy()+25)),
		"Paletted":              convert(image.NewPaletted(canvas, pal)),
		"YCbCr":                 ycbcr,
		"YCbCr sub-image":       ycbcr.SubImage(image.Rect(2, 3, b.Dx()+20, b.Dy()+20)),
		"RGBA64 (generic path)": convert(image.NewRGBA64(canvas)),
		"CMYK (generic path)":   convert(image.NewCMYK(canvas)),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(img)
			if err != nil || !slices.Equal(got, []string{text}) {
				t.Fatalf("Decode = %q, %v; want %q", got, err, text)
			}
		})
	}
}

// TestToGrayAgrees: the fast paths compute the same luminance as the
// generic path, to within rounding.
func TestToGrayAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := image.Rect(3, 4, 40, 30)
	nrgba := image.NewNRGBA(r)
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(rng.IntN(256))
	}
	rgba := image.NewRGBA(r)
	draw.Draw(rgba, r, nrgba, r.Min, draw.Src)
	for name, img := range map[string]image.Image{"NRGBA": nrgba, "RGBA": rgba} {
		fast := toGray(img)
		slow := toGray(struct{ image.Image }{img}) // hides the type: generic path
		for i := range fast.pix {
			if d := int(fast.pix[i]) - int(slow.pix[i]); d < -2 || d > 2 {
				t.Fatalf("%s: pixel %d: fast path %d, generic %d", name, i, fast.pix[i], slow.pix[i])
			}
		}
	}
}

func TestDecodeNoCode(t *testing.T) {
	white := image.NewGray(image.Rect(0, 0, 300, 200))
	draw.Draw(white, white.Bounds(), image.White, image.Point{}, draw.Src)
	for name, img := range map[string]image.Image{
		"desktop": shot.Desktop(1280, 720, false, 9),
		"white":   white,
		"tiny":    image.NewGray(image.Rect(0, 0, 3, 2)),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(img)
			if !errors.Is(err, ErrNotFound) || err.Error() != "no QR code found in the image" {
				t.Fatalf("Decode = %q, %v; want the error %q", got, err, ErrNotFound)
			}
		})
	}
	if _, err := Decode(image.NewGray(image.Rect(0, 0, 0, 0))); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("Decode of an empty image: %v, want an error saying it is empty", err)
	}
}

// pngHeader builds the start of a PNG — signature and IHDR with a correct
// CRC — claiming w×h pixels of 8-bit RGBA, followed by extra.
func pngHeader(w, h uint32, extra []byte) []byte {
	var buf bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	png.Encode(&buf, img)
	data := buf.Bytes()
	// Patch width and height, then the IHDR CRC.
	be := func(b []byte, v uint32) { b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	be(data[16:], w)
	be(data[20:], h)
	be(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return append(data[:33:33], extra...)
}

// TestDecodeBytesRefuses: too many pixels, truncated files and non-images get
// an error naming the problem, and a hostile header costs no pixel memory.
func TestDecodeBytesRefuses(t *testing.T) {
	good := encodePNG(t, shot.Code(uris[1], 3))
	jpg := encodeJPEG(t, shot.Code(uris[1], 3), 75)
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"60 megapixels", "8000×8000 pixels (64.0 megapixels), over the limit of 50 megapixels", pngHeader(8000, 8000, nil)},
		{"49 megapixels in 40 bytes", "corrupt png image: its header claims 7000×7000 pixels", pngHeader(7000, 7000, []byte("0000IDAT"))},
		{"truncated png", "corrupt png image", good[:len(good)/2]},
		{"truncated png header", "corrupt png image", good[:20]},
		{"truncated jpeg", "corrupt jpeg image", jpg[:len(jpg)/3]},
		{"text", "not a PNG, JPEG or GIF image", []byte("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP")},
		{"empty", "not a PNG, JPEG or GIF image", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := DecodeBytes(c.data)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("DecodeBytes: %v, want an error containing %q", err, c.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; strings.Contains(c.name, "megapixels") && n > 1<<20 {
				t.Errorf("refusing the header allocated %d bytes; want it refused before any pixel memory", n)
			}
		})
	}
}

func TestDecodeFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "qr.png")
	if err := os.WriteFile(good, encodePNG(t, shot.Code(uris[0], 3)), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFile(good)
	if err != nil || !slices.Equal(got, []string{uris[0]}) {
		t.Fatalf("DecodeFile = %q, %v; want %q", got, err, uris[0])
	}
	bad := filepath.Join(dir, "notes.png")
	os.WriteFile(bad, []byte("not an image"), 0o600)
	blank := filepath.Join(dir, "blank.png")
	os.WriteFile(blank, encodePNG(t, image.NewGray(image.Rect(0, 0, 100, 100))), 0o600)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.png"), "no such file"},
		{dir, "is a directory"},
		{bad, "not a PNG, JPEG or GIF image"},
		{blank, "no QR code found"},
	} {
		_, err := DecodeFile(c.path)
		if err == nil || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeFile(%s): %v; want an error naming the file and saying %q", c.path, err, c.want)
		}
	}
	if _, err := DecodeFile(filepath.Join(dir, "missing.png")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DecodeFile of a missing file: %v does not wrap fs.ErrNotExist", err)
	}
	_, err = DecodeFile(blank)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("DecodeFile of a picture with no code: %v does not wrap ErrNotFound", err)
	}
}

// TestFixtures reads the small committed images in testdata/, written by
// ImageMagick rather than Go's encoders (see testdata/README.md).
func TestFixtures(t *testing.T) {
	data, err := os.ReadFile("testdata/fixtures.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		name, text, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("testdata/fixtures.txt: bad line %q", line)
		}
		if text != "-" {
			want[name] = append(want[name], text)
		} else {
			want[name] = nil
		}
	}
	checkZbar := need(t, "zbarimg")
	for name, texts := range want {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if checkZbar {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got := zbar(t, data)
				slices.Sort(got)
				if w := slices.Sorted(slices.Values(texts)); !slices.Equal(got, w) {
					t.Fatalf("zbarimg reads %q, want %q", got, w)
				}
			}
			got, err := DecodeFile(path)
			if texts == nil {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("DecodeFile = %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, texts) {
				t.Fatalf("DecodeFile = %q, %v; want %q", got, err, texts)
			}
		})
	}
}
