package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
)

// maxPixels is the largest image Decode, DecodeBytes and DecodeFile accept:
// 50 megapixels, well above an 8K screenshot (33 MP), well below what would
// exhaust memory (a 50 MP RGBA image is 200 MB before conversion).
const maxPixels = 50_000_000

// ErrNotFound is returned (wrapped) when an image holds no readable QR code.
var ErrNotFound = errors.New("no QR code found in the image")

// Decode returns the text of every QR code in img, in reading order (top to
// bottom, then left to right), without duplicates. It returns an error
// wrapping ErrNotFound if there is none.
func Decode(img image.Image) ([]string, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, errors.New("the image is empty")
	}
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	return decodeGray(toGray(img))
}

// DecodeBytes decodes a PNG, JPEG or GIF image and returns the text of every
// QR code in it, as Decode does. The image's header is read first: one over
// maxPixels, or one whose header promises more pixels than the file could
// possibly hold, is refused before any pixel memory is allocated.
func DecodeBytes(data []byte) ([]string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, errors.New("not a PNG, JPEG or GIF image")
		}
		return nil, corrupt(sniff(data), err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("corrupt %s image: it is %d×%d pixels", format, cfg.Width, cfg.Height)
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	if need := minEncodedSize(format, cfg, data); len(data) < need {
		return nil, fmt.Errorf("corrupt %s image: its header claims %d×%d pixels, which take at least %d bytes, but the file has %d (truncated?)",
			format, cfg.Width, cfg.Height, need, len(data))
	}
	var img image.Image
	switch format {
	case "png":
		g, ok, gerr := pngGray(data)
		if gerr != nil {
			return nil, corrupt(format, gerr)
		}
		if ok {
			return decodeGray(g)
		}
		img, err = png.Decode(bytes.NewReader(data))
	case "jpeg":
		img, err = jpeg.Decode(bytes.NewReader(data))
	case "gif":
		img, err = gif.Decode(bytes.NewReader(data))
	default:
		return nil, fmt.Errorf("%s images are not supported: use PNG, JPEG or GIF", format)
	}
	if err != nil {
		return nil, corrupt(format, err)
	}
	return Decode(img)
}

// corrupt words a decoder's error for the user, without the "png: " its
// message starts with.
func corrupt(format string, err error) error {
	msg := strings.TrimPrefix(err.Error(), format+": ")
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "the file ends early (truncated?)"
	}
	return fmt.Errorf("corrupt %s image: %s", format, msg)
}

// DecodeFile reads an image file and decodes it as DecodeBytes does.
func DecodeFile(path string) ([]string, error) {
	// Stat first so a 4 GB file named .png is refused without reading it.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, bare(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("scan %s: is a directory, not an image", path)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("scan %s: the file is %d MB, too big for an image of at most 50 megapixels", path, fi.Size()>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, bare(err))
	}
	texts, err := DecodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	return texts, nil
}

// bare drops the operation and path from an *fs.PathError, which the
// caller's message already names.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxFileSize bounds what DecodeFile reads: an uncompressed 16-bit RGBA PNG
// of maxPixels, with room for metadata.
const maxFileSize = maxPixels*8 + 64<<20

func checkSize(w, h int) error {
	if int64(w)*int64(h) > maxPixels {
		return fmt.Errorf("the image is %d×%d pixels (%.1f megapixels), over the limit of %d megapixels",
			w, h, float64(w)*float64(h)/1e6, maxPixels/1_000_000)
	}
	return nil
}

// sniff names the format of data from its magic bytes, for error messages
// about files the standard decoders could not even start on.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("GIF8")):
		return "gif"
	}
	return "image"
}

// minEncodedSize is a lower bound on the size of a well-formed file holding
// cfg's pixels, from the best compression each format can reach: deflate
// (PNG) at most 1032:1 on the filtered rows, baseline and progressive JPEG
// at least one bit per 8×8 block of the first component, GIF's 12-bit LZW
// codes at most 4096 pixels each. A file smaller than this is truncated or
// hostile; refusing it keeps the memory the decoders allocate up front
// proportional to the input.
func minEncodedSize(format string, cfg image.Config, data []byte) int {
	w, h := int64(cfg.Width), int64(cfg.Height)
	var n int64
	switch format {
	case "png":
		bits := int64(8)
		if len(data) >= 26 && bytes.Equal(data[12:16], []byte("IHDR")) {
			depth := int64(data[24])
			channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[data[25]]
			if channels > 0 && depth > 0 {
				bits = depth * channels
			}
		}
		raw := h * (1 + (w*bits+7)/8)
		n = raw / 1032
	case "jpeg":
		n = ((w + 7) / 8) * ((h + 7) / 8) / 8
	case "gif":
		n = w * h * 12 / 8 / 4096
	}
	return int(n)
}

// found is one decoded code and where it sits in the original image.
type found struct {
	text       string
	minX, minY float64
	maxY       float64
}

// attempt is one way of looking at the image. Attempts run cheapest first and
// Decode stops at the first that reads anything.
type attempt struct {
	scale  float64 // resample the luminance by this factor first (1: as is)
	invert bool    // light modules on a dark background (dark mode)
	global bool    // GlobalHistogramBinarizer instead of HybridBinarizer
}

// attempts is the order Decode tries things in, cheapest and likeliest
// first; Decode stops at the first attempt that reads anything. The first
// reads the vast majority of screenshots and files: dark mode needs the
// second, and the rest were chosen by exploring a few hundred generated
// screenshots (codes of 40–250 bytes at 2–3 pixels per module, zoomed
// 110–150% with and without smoothing, light and dark, PNG and JPEG): each
// read images that none of the attempts before it did. The tests keep an
// image for the inverted and for the rescaled attempts.
var attempts = []attempt{
	{scale: 1},
	{scale: 1, invert: true},
	{scale: 1 / 1.25},
	{scale: 1 / 1.5},
	{scale: 1 / 1.1},
	{scale: 1 / 1.333},
	{scale: 1 / 1.25, invert: true},
	{scale: 1 / 1.5, invert: true},
	{scale: 1 / 1.1, invert: true},
	{scale: 1 / 1.333, invert: true},
	{scale: 1, global: true},
	{scale: 1, global: true, invert: true},
}

// hints: TRY_HARDER makes the finder-pattern search look at every third row
// instead of every (3·height/388)th — 16 on a 4K screenshot, which steps over
// the finder patterns of a code with modules under ~5 pixels. It costs ~20%
// more time on the first attempt and is what lets one pass read such codes.
var hints = map[gozxing.DecodeHintType]interface{}{
	gozxing.DecodeHintType_TRY_HARDER: true,
}

func decodeGray(g gray) ([]string, error) {
	planes := map[float64]gray{1: g}
	inverted := map[float64]gray{}
	for _, a := range attempts {
		p, ok := planes[a.scale]
		if !ok {
			p = g.resized(a.scale)
			planes[a.scale] = p
		}
		if a.invert {
			q, ok := inverted[a.scale]
			if !ok {
				q = p.inverted()
				inverted[a.scale] = q
			}
			p = q
		}
		if fs := read(p, a); len(fs) > 0 {
			return order(fs), nil
		}
	}
	return nil, ErrNotFound
}

// read runs gozxing's multi-code QR reader over one plane. gozxing is a port
// of a large Java library; a panic inside it on a hostile image is taken as
// "nothing read here" rather than allowed to crash the caller.
func read(p gray, a attempt) (fs []found) {
	if p.w < 21 || p.h < 21 { // smaller than the smallest QR code
		return nil
	}
	defer func() {
		if recover() != nil {
			fs = nil
		}
	}()
	src := newSource(p)
	var bin gozxing.Binarizer
	if a.global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	} else {
		bin = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil
	}
	results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil {
		return nil
	}
	for _, r := range results {
		f := found{text: r.GetText(), minX: 1e18, minY: 1e18, maxY: -1e18}
		for _, pt := range r.GetResultPoints() {
			x, y := pt.GetX()/a.scale, pt.GetY()/a.scale
			f.minX, f.minY, f.maxY = min(f.minX, x), min(f.minY, y), max(f.maxY, y)
		}
		fs = append(fs, f)
	}
	return fs
}

// order sorts codes into reading order — rows top to bottom, a row being the
// codes whose vertical extents overlap the first one's, each row left to
// right — and drops repeated texts.
func order(fs []found) []string {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].minY < fs[j].minY })
	var out []string
	seen := map[string]bool{}
	for len(fs) > 0 {
		n := 1
		for n < len(fs) && fs[n].minY <= fs[0].maxY {
			n++
		}
		row := fs[:n]
		sort.SliceStable(row, func(i, j int) bool { return row[i].minX < row[j].minX })
		for _, f := range row {
			if !seen[f.text] {
				seen[f.text] = true
				out = append(out, f.text)
			}
		}
		fs = fs[n:]
	}
	return out
}
