package ui

import (
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// frameProbe is a 1×1 raster in the Codes tab whose pixels the painter asks
// for while it draws a frame: the one reliable sign, from inside the app,
// that a frame showing the codes was drawn. It serves AUTHDESK_BENCH.
type frameProbe struct {
	raster *canvas.Raster
	drawn  chan struct{}
}

func newFrameProbe() *frameProbe {
	p := &frameProbe{drawn: make(chan struct{}, 1)}
	px := image.NewNRGBA(image.Rect(0, 0, 1, 1)) // transparent
	p.raster = canvas.NewRaster(func(w, h int) image.Image {
		select {
		case p.drawn <- struct{}{}:
		default:
		}
		return px
	})
	p.raster.SetMinSize(fyne.NewSize(1, 1))
	return p
}

// waitFrame asks for a redraw of the probe and waits until it is painted.
// Call it off the Fyne goroutine.
func (p *frameProbe) waitFrame(timeout time.Duration) bool {
	select {
	case <-p.drawn: // a stale signal
	default:
	}
	fyne.Do(p.raster.Refresh)
	select {
	case <-p.drawn:
		return true
	case <-time.After(timeout):
		return false
	}
}

// BenchScroll scrolls the Codes list from top to bottom a page per frame,
// waiting for each frame to be drawn, and reports the pages and the time
// taken. It serves 'make bench'; call it off the Fyne goroutine once the
// codes are showing.
func (u *App) BenchScroll() (pages int, took time.Duration) {
	var (
		total, page float32
		c           *codesScreen
	)
	fyne.DoAndWait(func() {
		c = u.codes
		if c == nil {
			return
		}
		page = c.list.Size().Height
		total = float32(len(c.view)) * (rowHeight + 1)
		c.list.ScrollToTop()
	})
	if c == nil || page <= 0 {
		return 0, 0
	}
	c.probe.waitFrame(2 * time.Second)
	start := time.Now()
	for off := float32(0); off < total; off += page {
		o := off
		fyne.Do(func() { c.list.ScrollToOffset(o) })
		c.probe.waitFrame(2 * time.Second)
		pages++
	}
	return pages, time.Since(start)
}
