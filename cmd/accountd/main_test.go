package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The real binary: configured from ACCOUNTD_* variables, it serves the API
// and stops cleanly on SIGTERM.
func TestBinaryServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "accountd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), "ACCOUNTD_DB=sqlite:"+filepath.Join(dir, "a.db"), "ACCOUNTD_DEV=true", "ACCOUNTD_ISSUER=Test Issuer")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	var addr string
	var logs bytes.Buffer
	for lines.Scan() {
		logs.WriteString(lines.Text() + "\n")
		var rec map[string]any
		if json.Unmarshal(lines.Bytes(), &rec) == nil && rec["msg"] == "listening" {
			addr, _ = rec["addr"].(string)
			break
		}
	}
	if addr == "" {
		t.Fatalf("no listening line:\n%s", logs.String())
	}
	go func() {
		for lines.Scan() {
			logs.WriteString(lines.Text() + "\n")
		}
	}()
	for _, path := range []string{"/v1/health", "/v1/dev/outbox", "/v1/openapi.yaml"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit 15 s after SIGTERM")
	}
}

func TestBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "a.db")
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--db", db}, nil, "--smtp"},
		{[]string{"--db", db, "--dev", "--password-policy", "lax"}, nil, `unknown password policy "lax"`},
		{[]string{"--db", db, "--dev", "--log-format", "xml"}, nil, "--log-format"},
		{[]string{"--db", db}, map[string]string{"ACCOUNTD_DEV": "maybe"}, "ACCOUNTD_DEV"},
		{[]string{"--db", db, "--dev", "extra"}, nil, `unexpected argument "extra"`},
		{[]string{"--db", db, "--dev", "--listen", "256.0.0.1:1"}, nil, "listen on 256.0.0.1:1"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(tc.env), &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
	// The environment fills in flags; the command line wins.
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuf
	go func() {
		for !regexp.MustCompile(`msg=listening`).MatchString(stderr.String()) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	err := run(ctx, []string{"--listen", "127.0.0.1:0"}, env(map[string]string{"ACCOUNTD_DB": db, "ACCOUNTD_DEV": "1", "ACCOUNTD_LISTEN": "256.0.0.1:1"}), &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "dev=true") {
		t.Fatalf("ACCOUNTD_DEV ignored:\n%s", stderr.String())
	}
}

type syncBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The secret key: made once beside an SQLite database (mode 0600) and
// read back the same; needed as a file with PostgreSQL; refused when it is
// not 64 hex digits.
func TestSecretKeyFile(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	db := "sqlite:" + filepath.Join(dir, "a.db")
	first, err := secretKey("", db, log)
	if err != nil || len(first) != 32 {
		t.Fatalf("made key: %d bytes, %v", len(first), err)
	}
	fi, err := os.Stat(filepath.Join(dir, "a.db.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, fi.Mode())
	}
	again, err := secretKey("", db, log)
	if err != nil || !bytes.Equal(again, first) {
		t.Fatalf("the key changed between starts: %v", err)
	}
	if _, err := secretKey("", "postgres://localhost/accountd", log); err == nil || !strings.Contains(err.Error(), "--secret-key-file is needed") {
		t.Fatalf("PostgreSQL without a key file: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not hex\n"), 0o600)
	if _, err := secretKey(bad, db, log); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
		t.Fatalf("a bad key file: %v", err)
	}
	given := filepath.Join(dir, "given.key")
	os.WriteFile(given, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	if k, err := secretKey(given, "postgres://localhost/accountd", log); err != nil || k[0] != 0xab {
		t.Fatalf("a given key file: %v", err)
	}
}
