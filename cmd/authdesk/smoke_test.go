package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authdesk/authdesk/vault"
)

// TestSmoke builds the real authdesk binary, starts it under the X display
// (Xvfb in 'make test') on a vault with known accounts, waits for its
// window and for the first frame with codes, takes a screenshot and checks
// that it shows something, then quits it with SIGTERM and expects exit
// status 0.
func TestSmoke(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DISPLAY is not set: run the tests through scripts/testenv")
		}
		t.Skip("no DISPLAY: run through scripts/testenv for the smoke test")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing (apt-get install xdotool imagemagick)", tool)
			}
			t.Skipf("%s is missing", tool)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "authdesk")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	const password = "smoke test password"
	path := filepath.Join(dir, "vault.json")
	v, err := vault.Create(path, vault.Options{NoKeyring: true}, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Edit(func(db *vault.DB) error {
		for _, u := range []string{
			"otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
			"otpauth://totp/Google:alice@gmail.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Google",
			"otpauth://hotp/Yubico:token?secret=MFRGGZDFMZTWQ2LK&issuer=Yubico&counter=5",
		} {
			a, err := vault.ParseURI(u)
			if err != nil {
				return err
			}
			if _, err := db.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()

	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o700)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(),
		"AUTHDESK_VAULT="+path, "AUTHDESK_PASSWORD="+password, "AUTHDESK_BENCH=1",
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	shown := make(chan string, 1)
	var log bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if strings.HasPrefix(line, "first-frame-ms=") {
				shown <- line
			}
		}
		exited <- cmd.Wait()
	}()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	}()

	select {
	case line := <-shown:
		t.Logf("authdesk: %s", line)
	case err := <-exited:
		t.Fatalf("authdesk exited before showing codes: %v\n%s", err, log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("no frame with codes within 60 s\n%s", log.String())
	}

	var win string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		out, _ := exec.Command("xdotool", "search", "--name", "^Authdesk$").Output()
		if f := strings.Fields(string(out)); len(f) > 0 {
			win = f[0]
			break
		}
	}
	if win == "" {
		t.Fatal("no window named Authdesk appeared")
	}
	time.Sleep(500 * time.Millisecond) // the window manager-less Xvfb maps at once; let a second frame land
	shot := filepath.Join(dir, "shot.png")
	if out, err := exec.Command("import", "-window", win, shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if keep := os.Getenv("AUTHDESK_SMOKE_SHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		os.WriteFile(keep, data, 0o644)
	}
	checkNotBlank(t, shot)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			t.Fatalf("authdesk exited with %v after SIGTERM, want status 0\n%s", err, log.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("authdesk still running 5 s after SIGTERM\n%s", log.String())
	}
}

// checkNotBlank fails unless the screenshot holds a drawn window: many
// colours (anti-aliased text, the avatars, the countdown rings) and a good
// share of pixels away from the background colour.
func checkNotBlank(t *testing.T, file string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", file, err)
	}
	b := img.Bounds()
	if b.Dx() < 200 || b.Dy() < 200 {
		t.Fatalf("window is %v, too small", b.Size())
	}
	counts := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 0xff}]++
		}
	}
	bg, most := color.RGBA{}, 0
	for c, n := range counts {
		if n > most {
			bg, most = c, n
		}
	}
	total := b.Dx() * b.Dy()
	other := float64(total-most) / float64(total)
	t.Logf("screenshot %v: %d colours, %.0f%% not background %v", b.Size(), len(counts), other*100, bg)
	if len(counts) < 64 {
		t.Errorf("screenshot has %d colours: a blank or unfinished window", len(counts))
	}
	if other < 0.05 {
		t.Errorf("only %.1f%% of the screenshot differs from the background", other*100)
	}
}
