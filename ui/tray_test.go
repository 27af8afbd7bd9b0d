package ui

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// The tray is set up only when a tray host is on the session bus: checked
// against a private dbus-daemon, with and without a program owning the
// watcher's name.
func TestTrayOnlyWithATrayHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the StatusNotifierItem tray is for Linux and the BSDs")
	}
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatal("dbus-daemon is needed (Debian package dbus; scripts/deps test installs it)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(`<busconfig><type>session</type>`+
		`<listen>unix:path=`+filepath.Join(dir, "bus")+`</listen><auth>EXTERNAL</auth>`+
		`<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>`+
		`<allow own="*"/></policy>`+
		`</busconfig>`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	addr = strings.TrimSpace(addr)

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	if got := sessionBusAddress(); got != addr {
		t.Fatalf("session bus address %q, want %q", got, addr)
	}
	if ok, err := trayHostRunning(addr); ok || err != nil {
		t.Fatalf("tray host on a bare bus: %v, %v; want false, nil", ok, err)
	}
	if trayAvailable() {
		t.Fatal("tray set up on a bus with no tray host")
	}

	host, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	if reply, err := host.RequestName(trayWatcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v (reply %v)", trayWatcher, err, reply)
	}
	if !trayAvailable() {
		t.Fatal("no tray although a tray host is on the bus")
	}

	for _, dead := range []string{"unix:path=" + filepath.Join(dir, "nothing"), "autolaunch:", ""} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", dead)
		t.Setenv("XDG_RUNTIME_DIR", dir+"/none")
		if trayAvailable() {
			t.Fatalf("tray set up with the bus at %q", dead)
		}
	}
}
