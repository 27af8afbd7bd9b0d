package vault

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// needSecretService skips a test outside scripts/testenv, and fails it
// inside, where the real gnome-keyring must answer.
func needSecretService(t *testing.T) {
	t.Helper()
	if os.Getenv("AUTHDESK_VAULT_HELPER") != "" {
		t.Skip("not in a helper process")
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("AUTHDESK_TESTENV_INNER") != "" {
			t.Fatal("scripts/testenv gave no D-Bus session")
		}
		t.Skip("needs the Secret Service: run under scripts/testenv")
	}
}

// With the real gnome-keyring: Create stores the slot key in it, and Open
// of a 1,000-account vault asks it exactly once and opens silently.
func TestOSKeyring(t *testing.T) {
	needSecretService(t)
	path := filepath.Join(t.TempDir(), "vault.json")
	kr := &countingKeyring{Keyring: osKeyring{}}
	v, err := Create(path, Options{Keyring: kr}, nil)
	if err != nil {
		t.Fatalf("the keyring under scripts/testenv must work: %v", err)
	}
	if !v.HasKeyring() || kr.sets != 1 {
		t.Fatalf("HasKeyring %v, %d sets", v.HasKeyring(), kr.sets)
	}
	user := strings.TrimPrefix(kr.setKeys[0], "authdesk/")
	t.Cleanup(func() { keyring.Delete(keyringService, user) })
	secret, err := keyring.Get(keyringService, user)
	if err != nil || len(secret) != 64 {
		t.Fatalf("keyring entry %s: %d characters, %v", user, len(secret), err)
	}
	addAccounts(t, v, "k", 1000)
	v.Close()

	kr = &countingKeyring{Keyring: osKeyring{}}
	noPrompt := func(reason string) ([]byte, error) {
		t.Errorf("prompted: %s", reason)
		return nil, errors.New("no")
	}
	v, err = Open(path, Options{Keyring: kr, Prompt: noPrompt})
	if err != nil {
		t.Fatal(err)
	}
	if kr.gets != 1 || kr.sets+kr.dels != 0 {
		t.Errorf("Open of 1,000 accounts: %d gets, %d sets, %d deletes; want 1, 0, 0", kr.gets, kr.sets, kr.dels)
	}
	if n := len(v.Accounts()); n != 1000 {
		t.Errorf("%d accounts", n)
	}
	// Editing asks the keyring nothing.
	addAccounts(t, v, "more", 1)
	if kr.gets != 1 {
		t.Errorf("Edit asked the keyring: %d gets", kr.gets)
	}
	v.Close()

	// nil Keyring is the OS keyring.
	v, err = Open(path, Options{Prompt: noPrompt})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	// The entry gone, a keyring-only vault is locked and says why.
	if err := keyring.Delete(keyringService, user); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrLocked) || !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "the keyring has no key for this vault") {
		t.Errorf("entry deleted: %v", err)
	}
}

// The keyring-less paths with the real OS keyring code: in a child test
// process whose D-Bus address is dead, as on a headless machine. (godbus
// keeps its first session-bus connection for the life of the process, so
// the address must be dead from the start.)
func TestNoKeyringOS(t *testing.T) {
	if os.Getenv("AUTHDESK_VAULT_HELPER") != "" {
		t.Skip("not in a helper process")
	}
	for _, mode := range []string{"dead", "unset"} {
		t.Run(mode, func(t *testing.T) {
			addr := "unix:path=/nonexistent"
			if mode == "unset" {
				addr = ""
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestNoKeyringHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "AUTHDESK_VAULT_HELPER="+mode, "DBUS_SESSION_BUS_ADDRESS="+addr)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestNoKeyringHelper") {
				t.Fatalf("helper: %v\n%s", err, out)
			}
		})
	}
}

func TestNoKeyringHelper(t *testing.T) {
	mode := os.Getenv("AUTHDESK_VAULT_HELPER")
	if mode == "" {
		t.Skip("run by TestNoKeyringOS")
	}
	dir := t.TempDir()
	want := "/nonexistent"
	if mode == "unset" {
		run := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
		if _, err := os.Stat(filepath.Join(run, "bus")); err == nil {
			t.Skip("this machine has a session bus at " + run)
		}
		want = "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set"
	}

	// Create without a password: refused, saying why and what to do.
	_, err := Create(filepath.Join(dir, "a.json"), Options{}, nil)
	if !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "AUTHDESK_PASSWORD") {
		t.Errorf("Create: %v", err)
	}
	// With one: a password-only vault.
	v, err := Create(filepath.Join(dir, "b.json"), Options{}, []byte("pw"))
	if err != nil || v.HasKeyring() {
		t.Fatalf("Create with password: %v", err)
	}

	// A vault with a keyring slot (made elsewhere) and a password.
	path := filepath.Join(dir, "vault.json")
	v, err = Create(path, Options{Keyring: newMemKeyring()}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "n", 3)
	v.Close()
	var reasons []string
	v, err = Open(path, Options{Prompt: func(r string) ([]byte, error) {
		reasons = append(reasons, r)
		return []byte("pw"), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Accounts()) != 3 || len(reasons) != 1 || !strings.HasPrefix(reasons[0], "no keyring answered (") || !strings.Contains(reasons[0], want) {
		t.Errorf("fallback: %d accounts, reasons %q", len(v.Accounts()), reasons)
	}
	t.Logf("prompt reason: %s", reasons[0])
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("no prompt: %v", err)
	}
	for _, s := range []string{path, want, "AUTHDESK_PASSWORD", "--password-file", "unlock the keyring"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	t.Logf("locked: %v", err)

	// A keyring-only vault cannot be opened, and no password is asked for.
	k := filepath.Join(dir, "k.json")
	if _, err := Create(k, Options{Keyring: newMemKeyring()}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Open(k, Options{Prompt: func(string) ([]byte, error) {
		t.Error("prompted for a vault without password slot")
		return nil, errors.New("no")
	}})
	if !errors.Is(err, ErrLocked) || !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "no password slot") {
		t.Errorf("keyring-only: %v", err)
	}
}
