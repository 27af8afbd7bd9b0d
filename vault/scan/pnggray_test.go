package scan

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/authdesk/authdesk/vault/scan/internal/shot"
)

// TestPNGGrayMatchesImagePNG: for every kind of PNG pngGray takes, its
// luminance is exactly what image/png's decoding followed by toGray gives,
// over images that make Go's encoder use every row filter; the kinds it
// leaves to image/png say so; and damage is reported, not decoded.
func TestPNGGrayMatchesImagePNG(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	r := image.Rect(0, 0, 67, 41)
	// Mixed content: noise rows (filter None/Sub), gradients (Up, Average,
	// Paeth), flat runs.
	paint := func(set func(x, y int, c color.NRGBA)) {
		for y := 0; y < r.Dy(); y++ {
			for x := 0; x < r.Dx(); x++ {
				var c color.NRGBA
				switch y % 4 {
				case 0:
					c = color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))}
				case 1:
					c = color.NRGBA{uint8(x * 3), uint8(y * 5), uint8(x + y), uint8(255 - x)}
				case 2:
					c = color.NRGBA{uint8(x * y), uint8(x * 7), 200, 255}
				default:
					c = color.NRGBA{40, 40, 40, uint8(x * 4)}
				}
				set(x, y, c)
			}
		}
	}
	nrgba, rgb, gray8, grayA := image.NewNRGBA(r), image.NewRGBA(r), image.NewGray(r), image.NewNRGBA(r)
	paint(func(x, y int, c color.NRGBA) {
		nrgba.SetNRGBA(x, y, c)
		rgb.SetRGBA(x, y, color.RGBA{c.R, c.G, c.B, 255})
		gray8.SetGray(x, y, color.Gray{c.G})
		grayA.SetNRGBA(x, y, color.NRGBA{c.G, c.G, c.G, c.A}) // encoded as RGBA by Go; see fixtures for grey+alpha
	})
	files := map[string][]byte{
		"RGBA (color type 6)": encodePNG(t, nrgba),
		"RGB (color type 2)":  encodePNG(t, rgb),
		"grey (color type 0)": encodePNG(t, gray8),
		"grey NRGBA":          encodePNG(t, grayA),
		"screenshot":          encodePNG(t, shot.Screenshot(320, 200, uris[1], 2, 5)),
	}
	// PNGs from ImageMagick, whose encoder makes other choices (grey+alpha
	// among them) than Go's.
	fixtures, _ := filepath.Glob("testdata/*.png")
	for _, f := range fixtures {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = data
	}
	// Go's encoder never writes grey with alpha (color type 4): build one.
	ga := make([][]byte, 30)
	for y := range ga {
		ga[y] = make([]byte, 2*50)
		for i := range ga[y] {
			ga[y][i] = uint8(rng.IntN(256))
		}
	}
	files["grey+alpha (color type 4)"] = rawPNG(50, 30, 4, ga)
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			g, ok, err := pngGray(data)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				switch img.(type) {
				case *image.Paletted, *image.RGBA64, *image.NRGBA64, *image.Gray16:
					return // palette or 16-bit: image/png's job
				}
				t.Fatalf("pngGray left a %T to image/png", img)
			}
			want := toGray(img)
			if g.w != want.w || g.h != want.h || !bytes.Equal(g.pix, want.pix) {
				t.Fatal("pngGray's luminance differs from image/png + toGray")
			}
		})
	}
	// Kinds left to image/png.
	pal := image.NewPaletted(r, color.Palette{color.White, color.Black})
	g16 := image.NewGray16(r)
	for name, img := range map[string]image.Image{"paletted": pal, "16-bit": g16} {
		if _, ok, err := pngGray(encodePNG(t, img)); ok || err != nil {
			t.Errorf("%s: pngGray took it (ok %v, err %v); want it left to image/png", name, ok, err)
		}
	}
	// Damage: every byte flipped in turn in a small file is either caught or
	// harmless (a flip inside a chunk's data breaks its CRC).
	small := encodePNG(t, shot.Code("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP", 2))
	for i := 8; i < len(small); i++ {
		bad := bytes.Clone(small)
		bad[i] ^= 0x10
		if _, ok, err := pngGray(bad); ok && err == nil {
			t.Fatalf("flipping byte %d of %d went unnoticed", i, len(small))
		}
	}
	for _, n := range []int{len(small) - 1, len(small) - 12, len(small) / 2, 40} {
		if _, _, err := pngGray(small[:n]); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
}

// FuzzPNGGray checks pngGray against image/png: for any image data (filter
// bytes and samples, deflated so it gets past the checksums), both refuse it
// or both read the same luminance.
func FuzzPNGGray(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint8(2), []byte("\x00abcdefghi\x01abcdefghi"))
	f.Add(uint8(2), uint8(2), uint8(6), []byte("\x04\x10\x20\x30\x40\x50\x60\x70\x80\x03\x01\x02\x03\x04\x05\x06\x07\x08"))
	f.Add(uint8(4), uint8(1), uint8(4), []byte("\x02\xff\x00\x80\x80\x10\x20\x30\x40"))
	f.Add(uint8(1), uint8(1), uint8(0), []byte("\x00\x7f\x00")) // too much data
	f.Fuzz(func(t *testing.T, w, h, colorType uint8, data []byte) {
		if w == 0 || h == 0 {
			return
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		file := pngFile(int(w), int(h), colorType, z.Bytes())
		g, ok, err := pngGray(file)
		img, perr := png.Decode(bytes.NewReader(file))
		if !ok && err == nil {
			return // left to image/png
		}
		if (err == nil) != (perr == nil) {
			t.Fatalf("pngGray: %v; image/png: %v", err, perr)
		}
		if err == nil && !bytes.Equal(g.pix, toGray(img).pix) {
			t.Fatal("pngGray's luminance differs from image/png + toGray")
		}
	})
}

// rawPNG builds a PNG of 8-bit samples by hand: rows unfiltered, one IDAT.
func rawPNG(w, h int, colorType byte, rows [][]byte) []byte {
	var raw bytes.Buffer
	zw := zlib.NewWriter(&raw)
	for _, row := range rows {
		zw.Write([]byte{0})
		zw.Write(row)
	}
	zw.Close()
	return pngFile(w, h, colorType, raw.Bytes())
}

// pngFile wraps zlib-compressed image data in the chunks of a PNG of 8-bit
// samples.
func pngFile(w, h int, colorType byte, idat []byte) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(body)))
		out.WriteString(typ)
		out.Write(body)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), body...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colorType
	chunk("IHDR", ihdr)
	chunk("IDAT", idat)
	chunk("IEND", nil)
	return out.Bytes()
}
