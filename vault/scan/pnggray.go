package scan

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// pngGray decodes the PNGs screenshots are saved as — 8-bit grey, grey with
// alpha, RGB or RGBA, not interlaced — straight into luminance, one row at a
// time. image/png would first expand every pixel into a full RGBA image
// (33 MB for 4K, each page of it faulted in by a short-lived process) and
// convert it again afterwards; on 'authctl scan' of a screenshot that
// expansion was a third of the run. ok is false for any other kind of PNG
// (palettes, 16-bit, Adam7, a tRNS colour key), which the caller hands to
// image/png instead; the checks (chunk CRCs, the zlib checksum, exact pixel
// data length) are image/png's.
func pngGray(data []byte) (g gray, ok bool, err error) {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(data, []byte(sig)) {
		return gray{}, false, errors.New("not a PNG")
	}
	var (
		w, h     int
		channels int
		idat     []io.Reader
		seenIHDR bool
	)
	for pos := len(sig); ; {
		if len(data)-pos < 12 {
			return gray{}, false, errors.New("the file ends early (truncated?)")
		}
		n := int(binary.BigEndian.Uint32(data[pos:]))
		if n > len(data)-pos-12 {
			return gray{}, false, errors.New("the file ends early (truncated?)")
		}
		typ := string(data[pos+4 : pos+8])
		body := data[pos+8 : pos+8+n]
		if crc32.ChecksumIEEE(data[pos+4:pos+8+n]) != binary.BigEndian.Uint32(data[pos+8+n:]) {
			return gray{}, false, fmt.Errorf("invalid checksum in the %q chunk", typ)
		}
		pos += 12 + n
		switch typ {
		case "IHDR":
			if n != 13 {
				return gray{}, false, errors.New("bad IHDR length")
			}
			w = int(binary.BigEndian.Uint32(body[0:]))
			h = int(binary.BigEndian.Uint32(body[4:]))
			depth, colorType, interlace := body[8], body[9], body[12]
			channels = map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
			if depth != 8 || interlace != 0 || channels == 0 || body[10] != 0 || body[11] != 0 {
				return gray{}, false, nil
			}
			seenIHDR = true
		case "tRNS":
			return gray{}, false, nil // colour-key transparency: leave to image/png
		case "IDAT":
			idat = append(idat, bytes.NewReader(body))
		case "IEND":
			if !seenIHDR || len(idat) == 0 {
				return gray{}, false, errors.New("no image data")
			}
			g, err := unfilter(io.MultiReader(idat...), w, h, channels)
			return g, err == nil, err
		}
	}
}

// unfilter inflates the image data and undoes each row's filter (PNG spec
// section 9), converting rows to luminance as they come.
func unfilter(r io.Reader, w, h, channels int) (gray, error) {
	if w <= 0 || h <= 0 {
		return gray{}, errors.New("empty image")
	}
	z, err := zlib.NewReader(r)
	if err != nil {
		return gray{}, err
	}
	defer z.Close()
	stride := w * channels
	cur, prev := make([]byte, 1+stride), make([]byte, 1+stride)
	g := gray{pix: make([]byte, w*h), w: w, h: h}
	bpp := channels
	for y := 0; y < h; y++ {
		if _, err := io.ReadFull(z, cur); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return gray{}, errors.New("not enough pixel data")
			}
			return gray{}, err
		}
		cdat, pdat := cur[1:], prev[1:]
		switch cur[0] {
		case 0: // None
		case 1: // Sub
			for i := bpp; i < len(cdat); i++ {
				cdat[i] += cdat[i-bpp]
			}
		case 2: // Up
			for i, p := range pdat {
				cdat[i] += p
			}
		case 3: // Average
			for i := 0; i < bpp; i++ {
				cdat[i] += pdat[i] / 2
			}
			for i := bpp; i < len(cdat); i++ {
				cdat[i] += uint8((int(cdat[i-bpp]) + int(pdat[i])) / 2)
			}
		case 4: // Paeth
			for i := 0; i < bpp; i++ {
				cdat[i] += pdat[i]
			}
			for i := bpp; i < len(cdat); i++ {
				cdat[i] += paeth(cdat[i-bpp], pdat[i], pdat[i-bpp])
			}
		default:
			return gray{}, fmt.Errorf("bad filter type %d", cur[0])
		}
		dst := g.pix[y*w : (y+1)*w]
		switch channels {
		case 1:
			copy(dst, cdat)
		case 2: // grey, alpha: over white
			for x := range dst {
				l, a := uint32(cdat[2*x]), uint32(cdat[2*x+1])
				dst[x] = byte((l*a + 255*(255-a) + 127) / 255)
			}
		case 3:
			for x := range dst {
				p := cdat[3*x : 3*x+3 : 3*x+3]
				dst[x] = byte((uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) >> 2)
			}
		case 4:
			for x := range dst {
				p := cdat[4*x : 4*x+4 : 4*x+4]
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) >> 2
				a := uint32(p[3])
				dst[x] = byte((l*a + 255*(255-a) + 127) / 255)
			}
		}
		cur, prev = prev, cur
	}
	// The stream must end here, with a good Adler-32 checksum.
	var extra [1]byte
	if n, err := io.ReadAtLeast(z, extra[:], 1); n > 0 {
		return gray{}, errors.New("too much pixel data")
	} else if err != io.EOF {
		return gray{}, err
	}
	return g, nil
}

// paeth is the Paeth predictor (PNG spec section 9.4).
func paeth(a, b, c uint8) uint8 {
	pa := int(b) - int(c)
	pb := int(a) - int(c)
	pc := pa + pb
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}
