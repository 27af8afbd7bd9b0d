package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// trayAvailable reports whether a system tray can work here. On Linux and
// the BSDs the tray is a StatusNotifierItem on the D-Bus session bus; with
// no bus (a bare X server, a service account) Fyne's tray code crashes on
// quit, so the tray is only set up when the bus's socket exists.
func trayAvailable() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
			_, err := os.Stat(filepath.Join(dir, "bus"))
			return err == nil
		}
		return false
	}
	for _, part := range strings.Split(addr, ";") {
		kind, rest, _ := strings.Cut(part, ":")
		if kind != "unix" {
			return true // tcp and the like: let the tray try
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "abstract":
				return true
			case "path":
				if _, err := os.Stat(v); err == nil {
					return true
				}
			}
		}
	}
	return false
}
