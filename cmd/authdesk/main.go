// Command authdesk is the Authdesk desktop app: two-factor codes beside the
// browser, kept in an encrypted vault that the system keyring unlocks.
//
// Usage:
//
//	authdesk [--vault PATH]
//
// The vault is $AUTHDESK_VAULT, else vault.json in the user's config
// directory (~/.config/authdesk on Linux), the same file authctl uses; the
// window picks up what authctl changes while it runs. When no keyring
// answers, the window asks for the vault password; AUTHDESK_PASSWORD, when
// set, is tried first, as authctl does.
//
// With AUTHDESK_BENCH=1 it prints to stderr, for 'make bench',
// "first-frame-ms=N" (from process start to the first frame showing codes)
// and, with AUTHDESK_BENCH_SCROLL=1, "scroll-ms=N pages=P" (scrolling the
// whole list a page per drawn frame).
//
// SIGTERM and SIGINT quit cleanly, with exit status 0.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/authdesk/authdesk/ui"
	"github.com/authdesk/authdesk/vault"
)

// appID is also in FyneApp.toml; preferences live under it.
const appID = "io.github.authdesk.Authdesk"

func main() {
	start := processStart()
	vaultPath := flag.String("vault", "", "the vault file (default $AUTHDESK_VAULT, else the config directory's authdesk/vault.json)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "authdesk: unexpected argument", flag.Arg(0))
		os.Exit(2)
	}
	path := *vaultPath
	if path == "" {
		var err error
		if path, err = vault.DefaultPath(); err != nil {
			fmt.Fprintln(os.Stderr, "authdesk:", err)
			os.Exit(1)
		}
	}

	cfg := ui.Config{VaultPath: path}
	if pw, ok := os.LookupEnv("AUTHDESK_PASSWORD"); ok {
		cfg.Password = []byte(pw)
		os.Unsetenv("AUTHDESK_PASSWORD") // keep it from child processes (xclip)
	}
	bench := os.Getenv("AUTHDESK_BENCH") == "1"
	var u *ui.App
	if bench {
		cfg.OnCodesShown = func() {
			fmt.Fprintf(os.Stderr, "first-frame-ms=%d\n", time.Since(start).Milliseconds())
			if os.Getenv("AUTHDESK_BENCH_SCROLL") == "1" {
				time.Sleep(500 * time.Millisecond)
				pages, took := u.BenchScroll()
				fmt.Fprintf(os.Stderr, "scroll-ms=%d pages=%d\n", took.Milliseconds(), pages)
			}
		}
	}

	if os.Getenv("GOGC") == "" {
		// The window idles for hours with a small live heap (fonts, the
		// accounts): collect at +50% rather than +100% to stay compact; the
		// extra collections cost nothing measurable at one tick a second.
		debug.SetGCPercent(50)
	}
	a := app.NewWithID(appID)
	u = ui.New(a, cfg)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		fyne.Do(a.Quit)
	}()

	u.Start()
	u.Window().ShowAndRun()
}

// processStart is when the process began, for AUTHDESK_BENCH: read from
// /proc where there is one (so Go's start-up counts too), else now.
func processStart() time.Time {
	if t, ok := procStart(); ok {
		return t
	}
	return time.Now()
}
