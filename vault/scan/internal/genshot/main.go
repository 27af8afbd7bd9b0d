// Command genshot writes the synthetic screenshots 'make bench' scans, to
// compare 'authctl scan' with 'zbarimg -q' as whole processes: DIR/shot-1080p.png
// (1920×1080) and DIR/shot-4k.png (3840×2160), each a busy desktop with one
// otpauth QR code at 4 pixels per module somewhere on it — the images
// vault/scan's benchmarks decode in process.
//
// Usage: genshot DIR
package main

import (
	"bufio"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/authdesk/authdesk/vault/scan/internal/shot"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genshot DIR")
		os.Exit(2)
	}
	for _, s := range shot.Bench {
		path := filepath.Join(os.Args[1], "shot-"+s.Name+".png")
		if err := write(path, s.W, s.H, s.Seed); err != nil {
			fmt.Fprintln(os.Stderr, "genshot:", err)
			os.Exit(1)
		}
	}
}

func write(path string, w, h int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = png.Encode(bw, shot.Screenshot(w, h, shot.URI, 4, seed))
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
