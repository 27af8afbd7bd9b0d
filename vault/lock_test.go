package vault

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildWriter builds internal/crashwriter, a program that adds accounts to
// a vault one Edit at a time and prints "ok NAME" after each.
func buildWriter(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to build internal/crashwriter")
	}
	bin := filepath.Join(t.TempDir(), "crashwriter")
	out, err := exec.Command(goBin, "build", "-o", bin, "./internal/crashwriter").CombinedOutput()
	if err != nil {
		t.Fatalf("build crashwriter: %v\n%s", err, out)
	}
	return bin
}

// createCheapVault makes a vault like Create with a password slot, but with
// scrypt N=1024 instead of 32768: still a valid Aegis vault (the cost is a
// slot parameter), and a writer process that opens it pays a millisecond
// instead of a tenth of a second, so that a hundred of them fit in a test.
func createCheapVault(t *testing.T, path, pw string) *Vault {
	t.Helper()
	master := newMasterKey()
	s := slot{typ: slotPassword, uuid: "a8325752-c1be-458a-9b3e-5e0a8154d9ec", n: 1 << 10, r: 8, p: 1, salt: newMasterKey()}
	key, err := s.derive([]byte(pw))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.wrap(master, key); err != nil {
		t.Fatal(err)
	}
	data, err := sealFile(master, []slot{s}, encodeDB(&DB{iconsOptimized: true}))
	if err != nil {
		t.Fatal(err)
	}
	if err := createFile(path, data); err != nil {
		t.Fatal(err)
	}
	v, err := Open(path, Options{NoKeyring: true, Prompt: answer(pw)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// writer is one running crashwriter.
type writer struct {
	cmd    *exec.Cmd
	lines  chan string // its stdout, closed at EOF
	stderr strings.Builder
}

func startWriter(t *testing.T, bin, path, pw, prefix string, n int) *writer {
	t.Helper()
	w := &writer{cmd: exec.Command(bin, "-vault", path, "-prefix", prefix, "-n", fmt.Sprint(n)), lines: make(chan string, 4096)}
	w.cmd.Env = append(os.Environ(), "AUTHDESK_PASSWORD="+pw)
	w.cmd.Stderr = &w.stderr
	out, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	return w
}

// oks drains the writer's output: the accounts it reported saved.
func (w *writer) oks() []string {
	var names []string
	for l := range w.lines {
		if name, ok := strings.CutPrefix(l, "ok "); ok {
			names = append(names, name)
		}
	}
	return names
}

// Crash safety: a writer adding accounts is killed with SIGKILL at random
// moments, a hundred times. After each kill the vault opens (with the
// key held in memory, and every 20 rounds from scratch with the password),
// holds every account whose "ok" line was read, and its backup opens too.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a writer 100 times")
	}
	bin := buildWriter(t)
	path := filepath.Join(t.TempDir(), "vault.json")
	const pw = "crash test password"
	v := createCheapVault(t, path, pw)
	saved := map[string]bool{}
	kills, midSave := 0, 0
	for round := range 100 {
		w := startWriter(t, bin, path, pw, fmt.Sprintf("r%d", round), 1000)
		select {
		case l, ok := <-w.lines:
			if !ok || l != "ready" {
				w.cmd.Wait()
				t.Fatalf("round %d: writer said %q: %s", round, l, w.stderr.String())
			}
		case <-time.After(20 * time.Second):
			w.cmd.Process.Kill()
			t.Fatalf("round %d: writer not ready", round)
		}
		time.Sleep(time.Duration(rand.IntN(50000)) * time.Microsecond)
		if err := w.cmd.Process.Kill(); err == nil {
			kills++
		}
		for _, name := range w.oks() {
			saved[name] = true
		}
		w.cmd.Wait()
		if s := w.stderr.String(); s != "" {
			t.Fatalf("round %d: writer failed: %s", round, s)
		}

		if temps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".vault.json.tmp-*")); len(temps) > 0 {
			midSave++ // killed between writing the temp file and the rename
		}
		if _, err := v.Reload(); err != nil {
			t.Fatalf("round %d: after the kill: %v", round, err)
		}
		have := map[string]bool{}
		for _, a := range v.Accounts() {
			if have[a.Name] {
				t.Fatalf("round %d: %s twice", round, a.Name)
			}
			have[a.Name] = true
		}
		for name := range saved {
			if !have[name] {
				t.Fatalf("round %d: %s was reported saved and is gone", round, name)
			}
		}
		if bak, err := os.ReadFile(backupPath(path)); err == nil {
			if _, err := parseDB(decryptWithMaster(t, bak, v.master)); err != nil {
				t.Fatalf("round %d: backup: %v", round, err)
			}
		}
		if round%20 == 19 {
			o, err := Open(path, Options{NoKeyring: true, Prompt: answer(pw)})
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if len(o.Accounts()) != len(have) {
				t.Fatalf("round %d: Open sees %d accounts, Reload %d", round, len(o.Accounts()), len(have))
			}
			o.Close()
		}
	}
	if kills < 100 {
		t.Errorf("only %d of 100 writers were killed while running", kills)
	}
	if len(saved) == 0 {
		t.Fatal("no writer ever saved: the kills came too early to test anything")
	}
	// The next save sweeps the temp files the kills left.
	addAccounts(t, v, "final", 1)
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "vault.json vault.json.bak vault.json.lock" {
		t.Errorf("directory after the last save: %v", names)
	}
	t.Logf("%d kills (%d in the middle of a save), %d accounts reported saved, %d in the vault",
		kills, midSave, len(saved), len(v.Accounts()))
}

// Two processes adding to the same vault at once lose nothing.
func TestConcurrentProcesses(t *testing.T) {
	bin := buildWriter(t)
	path := filepath.Join(t.TempDir(), "vault.json")
	const pw = "pw"
	v := createCheapVault(t, path, pw)
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	var reported []string
	for _, prefix := range []string{"p1", "p2", "p3"} {
		w := startWriter(t, bin, path, pw, prefix, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			names := w.oks()
			if err := w.cmd.Wait(); err != nil {
				t.Errorf("%s: %v: %s", prefix, err, w.stderr.String())
			}
			mu.Lock()
			reported = append(reported, names...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(reported) != 3*n {
		t.Fatalf("%d accounts reported, want %d", len(reported), 3*n)
	}
	if _, err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, a := range v.Accounts() {
		have[a.Name] = true
	}
	for _, name := range reported {
		if !have[name] {
			t.Errorf("lost %s", name)
		}
	}
	if len(have) != 3*n {
		t.Errorf("%d accounts in the vault, want %d", len(have), 3*n)
	}
}
