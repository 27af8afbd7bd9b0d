// Command emptywin is an empty Fyne window the size of Authdesk's, with one
// line of text, for 'make bench': the toolkit's own floor of start-up
// time, memory and idle CPU, measured in the same run as the app.
//
// The line of text is the honest floor for any app: the first text drawn
// makes Fyne parse its bundled font, its emoji font and a system font for
// the locale (some 28 MiB resident and a tenth of a second under Xvfb),
// which a window without text never does. With AUTHDESK_BENCH=1 it prints
// "first-frame-ms=N" to stderr, from process start to its first drawn frame,
// as authdesk does. SIGTERM quits it.
package main

import (
	"fmt"
	"image"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func main() {
	start := procStart()
	a := app.NewWithID("io.github.authdesk.EmptyWindow")
	w := a.NewWindow("Empty Fyne window")
	drawn := make(chan struct{}, 1)
	px := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	probe := canvas.NewRaster(func(int, int) image.Image {
		select {
		case drawn <- struct{}{}:
		default:
		}
		return px
	})
	probe.Resize(fyne.NewSize(1, 1))
	w.SetContent(container.NewStack(
		container.NewCenter(widget.NewLabel("An empty Fyne window")),
		container.NewWithoutLayout(probe)))
	w.Resize(fyne.NewSize(480, 720))
	if os.Getenv("AUTHDESK_BENCH") == "1" {
		go func() {
			<-drawn
			fmt.Fprintf(os.Stderr, "first-frame-ms=%d\n", time.Since(start).Milliseconds())
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
}

// procStart is the process start from /proc, as in cmd/authdesk.
func procStart() time.Time {
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return time.Now()
	}
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	ticks, err1 := strconv.ParseInt(fields[19], 10, 64)
	uptime, err2 := strconv.ParseFloat(strings.Fields(string(up))[0], 64)
	if err1 != nil || err2 != nil {
		return time.Now()
	}
	age := time.Duration(uptime*float64(time.Second)) - time.Duration(ticks)*time.Second/100
	return time.Now().Add(-age)
}
