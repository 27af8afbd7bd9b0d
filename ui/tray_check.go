package ui

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// trayAvailable reports whether a system tray can work here. On Linux and
// the BSDs the tray is a StatusNotifierItem on the D-Bus session bus, shown
// by a StatusNotifierWatcher (the panel of KDE, XFCE, Cinnamon, or GNOME's
// AppIndicator extension); with no bus (a bare X server, a service account)
// Fyne's tray code crashes on quit, and with no watcher the icon would show
// nowhere.
//
// Asking first is worth a D-Bus round trip: Fyne's tray opens a hidden GL
// window of its own, which costs some 0.15 s of start-up and 6 MiB under
// software GL, for nothing when no panel would show the icon.
func trayAvailable() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	addr := sessionBusAddress()
	if addr == "" {
		return false
	}
	ok, _ := trayHostRunning(addr)
	return ok
}

// sessionBusAddress is the session bus's address when its socket is there
// (or it is not a file socket), else "". Never "autolaunch:": that would
// start a bus with nothing behind it.
func sessionBusAddress() string {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
				return "unix:path=" + filepath.Join(dir, "bus")
			}
		}
		return ""
	}
	for _, part := range strings.Split(addr, ";") {
		kind, rest, _ := strings.Cut(part, ":")
		switch kind {
		case "autolaunch":
			continue
		case "unix":
		default:
			return addr // tcp and the like: let D-Bus try
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "abstract":
				return addr
			case "path":
				if _, err := os.Stat(v); err == nil {
					return addr
				}
			}
		}
	}
	return ""
}

// trayWatcher is the bus name of the tray host Fyne's tray registers with.
const trayWatcher = "org.kde.StatusNotifierWatcher"

// trayHostRunning asks the bus at addr whether a tray host is there, or
// can be started by the bus; an error says the bus did not answer. It uses
// a connection of its own, closed after: godbus's shared one would outlive
// a change of DBUS_SESSION_BUS_ADDRESS (tests make such changes).
func trayHostRunning(addr string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return false, err
	}
	defer conn.Close()
	bus := conn.BusObject()
	var has bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, trayWatcher).Store(&has); err != nil {
		return false, err
	}
	if has {
		return true, nil
	}
	var names []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil {
		return false, err
	}
	return slices.Contains(names, trayWatcher), nil
}
