package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdesk/authdesk/internal/fixtures"
	"github.com/authdesk/authdesk/internal/memkeyring"
)

// memKeyring is a keyring in memory, for the tests that are not about the
// OS keyring itself.
type memKeyring = memkeyring.Keyring

func newMemKeyring() *memKeyring { return memkeyring.New() }

// countingKeyring counts the calls that reach another Keyring.
type countingKeyring struct {
	Keyring
	mu                sync.Mutex
	gets, sets, dels  int
	getUsers, setKeys []string
}

func (c *countingKeyring) Get(service, user string) (string, error) {
	c.mu.Lock()
	c.gets++
	c.getUsers = append(c.getUsers, service+"/"+user)
	c.mu.Unlock()
	return c.Keyring.Get(service, user)
}

func (c *countingKeyring) Set(service, user, secret string) error {
	c.mu.Lock()
	c.sets++
	c.setKeys = append(c.setKeys, service+"/"+user)
	c.mu.Unlock()
	return c.Keyring.Set(service, user, secret)
}

func (c *countingKeyring) Delete(service, user string) error {
	c.mu.Lock()
	c.dels++
	c.mu.Unlock()
	return c.Keyring.Delete(service, user)
}

// readFixture reads a fixture file.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures.Dir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expectedAccounts are the seven accounts of plain.txt, read with ParseURI.
func expectedAccounts(t testing.TB) []Account {
	t.Helper()
	var want []Account
	for _, line := range strings.Split(string(readFixture(t, "plain.txt")), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		a, err := ParseURI(line)
		if err != nil {
			t.Fatalf("plain.txt: %v", err)
		}
		want = append(want, a)
	}
	if len(want) != 7 {
		t.Fatalf("plain.txt has %d accounts, want 7", len(want))
	}
	return want
}

// sameAccounts compares what an import must keep: issuer, name, type,
// secret, algorithm, digits, period or counter, in order.
func sameAccounts(t testing.TB, got, want []Account) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d accounts, want %d:\n%v", len(got), len(want), labels(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Issuer != w.Issuer || g.Name != w.Name || g.Type != w.Type || !bytes.Equal(g.Secret, w.Secret) ||
			g.Algorithm != w.Algorithm || g.Digits != w.Digits || g.Period != w.Period || g.Counter != w.Counter {
			t.Errorf("account %d:\ngot  %s %s %q %q %s %d/%d/%d\nwant %s %s %q %q %s %d/%d/%d", i,
				g.Type, g.SecretBase32(), g.Issuer, g.Name, g.Algorithm, g.Digits, g.Period, g.Counter,
				w.Type, w.SecretBase32(), w.Issuer, w.Name, w.Algorithm, w.Digits, w.Period, w.Counter)
		}
	}
}

func labels(accounts []Account) []string {
	var l []string
	for _, a := range accounts {
		l = append(l, a.Label())
	}
	return l
}

func answer(pw string) Prompt {
	return func(string) ([]byte, error) { return []byte(pw), nil }
}

// copyFixture copies a fixture into a temp dir and returns the copy's path.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vault.json")
	if err := os.WriteFile(p, readFixture(t, name), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// snapshot is a file's bytes and modification time, to prove it untouched.
type snapshot struct {
	data  []byte
	mtime time.Time
	names []string // the directory's entries
}

func snap(t testing.TB, path string) snapshot {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return snapshot{data, st.ModTime(), names}
}

func (s snapshot) check(t testing.TB, path, what string) {
	t.Helper()
	now := snap(t, path)
	if !bytes.Equal(now.data, s.data) {
		t.Errorf("%s: %s changed", what, filepath.Base(path))
	}
	if !now.mtime.Equal(s.mtime) {
		t.Errorf("%s: %s mtime changed", what, filepath.Base(path))
	}
	if !slices.Equal(now.names, s.names) {
		t.Errorf("%s: directory went from %v to %v", what, s.names, now.names)
	}
}

func newAccount(name string, secret byte) Account {
	return Account{Type: TOTP, Issuer: "Test", Name: name, Secret: bytes.Repeat([]byte{secret, secret + 1}, 10)}
}

// addAccounts adds n accounts in one Edit.
func addAccounts(t testing.TB, v *Vault, prefix string, n int) {
	t.Helper()
	err := v.Edit(func(db *DB) error {
		for i := range n {
			a := Account{Type: TOTP, Issuer: "Bulk", Name: fmt.Sprintf("%s-%d", prefix, i),
				Secret: []byte(fmt.Sprintf("%s-secret-%08d", prefix, i))}
			if _, err := db.Add(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The Aegis test vaults open as vaults, with the Prompt answering "test"
// for the encrypted one, and yield the seven accounts of plain.txt; Open
// leaves the file as it was.
func TestOpenAegisFixtures(t *testing.T) {
	want := expectedAccounts(t)
	for _, name := range []string{"aegis_plain.json", "aegis_encrypted.json"} {
		t.Run(name, func(t *testing.T) {
			path := copyFixture(t, name)
			before := snap(t, path)
			kr := &countingKeyring{Keyring: newMemKeyring()}
			var reasons []string
			v, err := Open(path, Options{Keyring: kr, Prompt: func(reason string) ([]byte, error) {
				reasons = append(reasons, reason)
				return []byte("test"), nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			sameAccounts(t, v.Accounts(), want)
			if kr.gets+kr.sets != 0 {
				t.Errorf("a vault without keyring slot asked the keyring %d times", kr.gets+kr.sets)
			}
			if encrypted := name == "aegis_encrypted.json"; encrypted {
				if len(reasons) != 1 || reasons[0] != "enter the vault password" {
					t.Errorf("prompt reasons %q, want one plain request", reasons)
				}
				if !v.HasPassword() || v.HasKeyring() {
					t.Errorf("HasPassword %v HasKeyring %v, want true false", v.HasPassword(), v.HasKeyring())
				}
			} else if len(reasons) != 0 {
				t.Errorf("a plain vault prompted: %q", reasons)
			}
			v.Close()
			before.check(t, path, "Open")
			// The originals too, opened where they are.
			orig := filepath.Join(fixtures.Dir(t), name)
			o := snap(t, orig)
			v, err = Open(orig, Options{Keyring: kr, Prompt: answer("test")})
			if err != nil {
				t.Fatal(err)
			}
			v.Close()
			o.check(t, orig, "Open of the fixture")
		})
	}
}

// A vault opened from an Aegis file and saved is Aegis database version 3
// and still opens with the same password.
func TestEditAegisFixtureWritesVersion3(t *testing.T) {
	path := copyFixture(t, "aegis_encrypted.json")
	v, err := Open(path, Options{Prompt: answer("test"), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Edit(func(db *DB) error {
		db.Accounts[0].Note = "edited"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	accounts, err := DecodeAegis(data, []byte("test"))
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, accounts, expectedAccounts(t))
	if accounts[0].Note != "edited" {
		t.Errorf("note %q, want edited", accounts[0].Note)
	}
	plain := decryptWithMaster(t, data, v.master)
	var db struct {
		Version int
		Groups  []any
		Entries []map[string]any
	}
	if err := json.Unmarshal(plain, &db); err != nil {
		t.Fatal(err)
	}
	if db.Version != 3 || db.Groups == nil {
		t.Errorf("database version %d groups %v, want 3 and a list", db.Version, db.Groups)
	}
	// The slot is Aegis's own, untouched: same uuid, same salt.
	var orig, now struct {
		Header struct{ Slots []map[string]any }
	}
	json.Unmarshal(readFixture(t, "aegis_encrypted.json"), &orig)
	json.Unmarshal(data, &now)
	if fmt.Sprint(orig.Header.Slots) != fmt.Sprint(now.Header.Slots) {
		t.Errorf("slots changed:\n%v\n%v", orig.Header.Slots, now.Header.Slots)
	}
}

// decryptWithMaster opens a vault file with a known master key.
func decryptWithMaster(t testing.TB, data, master []byte) []byte {
	t.Helper()
	f, err := parseFile(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := f.open(master)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

func TestCreateOpenKeyringSlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "vault.json")
	kr := &countingKeyring{Keyring: newMemKeyring()}
	v, err := Create(path, Options{Keyring: kr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !v.HasKeyring() || v.HasPassword() {
		t.Fatalf("HasKeyring %v HasPassword %v, want true false", v.HasKeyring(), v.HasPassword())
	}
	if kr.sets != 1 || !strings.HasPrefix(kr.setKeys[0], "authdesk/vault-") {
		t.Fatalf("keyring sets %v, want one authdesk/vault-<uuid>", kr.setKeys)
	}
	addAccounts(t, v, "a", 3)
	v.Close()
	if v.Accounts() != nil {
		t.Error("Accounts after Close is not nil")
	}
	if err := v.Edit(func(*DB) error { return nil }); err == nil {
		t.Error("Edit after Close succeeded")
	}

	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("vault mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(filepath.Dir(path))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", dst.Mode().Perm())
	}
	if bst, err := os.Stat(backupPath(path)); err != nil || bst.Mode().Perm() != 0o600 {
		t.Errorf("backup: %v %v", err, bst)
	}

	v, err = Open(path, Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	if kr.gets != 1 || kr.getUsers[0] != kr.setKeys[0] {
		t.Errorf("keyring gets %v, want exactly one of %s", kr.getUsers, kr.setKeys[0])
	}
	if got := labels(v.Accounts()); !slices.Equal(got, []string{"Bulk: a-0", "Bulk: a-1", "Bulk: a-2"}) {
		t.Errorf("accounts %v", got)
	}

	_, err = Create(path, Options{Keyring: kr}, []byte("pw"))
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Create over an existing vault: %v, want ErrExist naming the file", err)
	}
	if kr.sets != 1 {
		t.Errorf("Create over an existing vault touched the keyring")
	}
}

func TestCreateWithoutKeyring(t *testing.T) {
	dir := t.TempDir()
	down := newMemKeyring()
	down.Err = errors.New("dbus: the name org.freedesktop.secrets was not provided")

	// No keyring, no password: refused, saying how to fix it.
	_, err := Create(filepath.Join(dir, "a.json"), Options{Keyring: down}, nil)
	if !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("err %v, want ErrNoKeyring", err)
	}
	for _, s := range []string{"org.freedesktop.secrets", "AUTHDESK_PASSWORD", "a.json"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a failed Create left a file")
	}
	_, err = Create(filepath.Join(dir, "b.json"), Options{NoKeyring: true}, nil)
	if !errors.Is(err, ErrNoKeyring) {
		t.Errorf("NoKeyring without password: %v, want ErrNoKeyring", err)
	}
	_, err = Create(filepath.Join(dir, "b.json"), Options{NoKeyring: true}, []byte{})
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty password: %v", err)
	}

	// With a password, the vault is password-only and just prompts.
	path := filepath.Join(dir, "c.json")
	v, err := Create(path, Options{Keyring: down}, []byte("secret pw"))
	if err != nil {
		t.Fatal(err)
	}
	if v.HasKeyring() || !v.HasPassword() {
		t.Errorf("HasKeyring %v HasPassword %v, want false true", v.HasKeyring(), v.HasPassword())
	}
	v.Close()
	kr := &countingKeyring{Keyring: newMemKeyring()}
	var reasons []string
	v, err = Open(path, Options{Keyring: kr, Prompt: func(r string) ([]byte, error) {
		reasons = append(reasons, r)
		return []byte("secret pw"), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if kr.gets != 0 || len(reasons) != 1 {
		t.Errorf("password-only vault: %d keyring gets, prompts %q; want 0 and 1", kr.gets, reasons)
	}
}

// When the keyring fails, Open falls back to the Prompt and says why; with
// no Prompt it is ErrLocked with a way out.
func TestOpenKeyringFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	mem := newMemKeyring()
	v, err := Create(path, Options{Keyring: mem}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "x", 2)
	v.Close()

	cases := []struct {
		name   string
		kr     Keyring
		reason string // in the prompt's reason and the ErrLocked error
	}{
		{"down", &memKeyring{Err: errors.New("dbus: dial unix /nonexistent: connect: no such file or directory")}, "no keyring answered (dbus: dial unix /nonexistent"},
		{"missing", newMemKeyring(), "the keyring has no key for this vault"},
		{"wrong key", newMemKeyring(), "the keyring's key does not open this vault"},
	}
	// The wrong-key keyring holds a valid key for the slot, but another one.
	for k := range mem.Entries {
		cases[2].kr.(*memKeyring).Entries[k] = strings.Repeat("ab", 32)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kr := &countingKeyring{Keyring: c.kr}
			var reasons []string
			v, err := Open(path, Options{Keyring: kr, Prompt: func(r string) ([]byte, error) {
				reasons = append(reasons, r)
				return []byte("pw"), nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Accounts()) != 2 {
				t.Errorf("%d accounts, want 2", len(v.Accounts()))
			}
			v.Close()
			if kr.gets != 1 {
				t.Errorf("%d keyring gets, want 1", kr.gets)
			}
			if len(reasons) != 1 || !strings.Contains(reasons[0], c.reason) || !strings.HasSuffix(reasons[0], ": enter the vault password") {
				t.Errorf("prompt reasons %q, want one containing %q", reasons, c.reason)
			}

			_, err = Open(path, Options{Keyring: c.kr})
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("no prompt: %v, want ErrLocked", err)
			}
			for _, s := range []string{path, c.reason, "AUTHDESK_PASSWORD", "--password-file", "unlock the keyring"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}

	// NoKeyring: straight to the prompt, no keyring call.
	kr := &countingKeyring{Keyring: mem}
	v, err = Open(path, Options{Keyring: kr, NoKeyring: true, Prompt: answer("pw")})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if kr.gets != 0 {
		t.Errorf("NoKeyring made %d keyring calls", kr.gets)
	}

	// The prompt's own error ends Open.
	cancelled := errors.New("cancelled by the user")
	_, err = Open(path, Options{Keyring: newMemKeyring(), Prompt: func(string) ([]byte, error) { return nil, cancelled }})
	if !errors.Is(err, cancelled) {
		t.Errorf("cancelled prompt: %v", err)
	}
}

func TestOpenWrongPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	v, err := Create(path, Options{NoKeyring: true}, []byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	before := snap(t, path)
	var reasons []string
	_, err = Open(path, Options{Prompt: func(r string) ([]byte, error) {
		reasons = append(reasons, r)
		return []byte("wrong"), nil
	}, NoKeyring: true})
	if !errors.Is(err, ErrWrongPassword) || err.Error() != "open vault "+path+": wrong password" {
		t.Errorf("err %q, want \"open vault %s: wrong password\"", err, path)
	}
	if len(reasons) != maxPasswordTries || !strings.Contains(reasons[1], "wrong password, try again (2 of 3)") {
		t.Errorf("prompts %q, want 3 with a retry reason", reasons)
	}
	before.check(t, path, "wrong password")

	// The right password on the second try opens it.
	tries := 0
	v, err = Open(path, Options{NoKeyring: true, Prompt: func(string) ([]byte, error) {
		tries++
		if tries == 1 {
			return []byte("wrong"), nil
		}
		return []byte("right"), nil
	}})
	if err != nil || tries != 2 {
		t.Fatalf("second try: %v after %d tries", err, tries)
	}
	v.Close()
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.json")
	_, err := Open(path, Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("err %v, want ErrNotExist naming the file", err)
	}
}

// tamper describes one way a vault file gets damaged.
type tamper struct {
	name   string
	change func(t *testing.T, data []byte) []byte
	want   string // in the error
	is     error
}

// editJSON changes the vault file through a generic JSON view.
func editJSON(t *testing.T, data []byte, fn func(f map[string]any)) []byte {
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	fn(f)
	out, err := json.MarshalIndent(f, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func flipHex(s string, i int) string {
	b := []byte(s)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

var tampers = []tamper{
	{"flip a byte of db", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) {
			ct, _ := base64.StdEncoding.DecodeString(f["db"].(string))
			ct[len(ct)/2] ^= 0x01
			f["db"] = base64.StdEncoding.EncodeToString(ct)
		})
	}, "authentication failed: the file was modified or is corrupt (AES-GCM tag mismatch)", ErrCorrupt},
	{"flip a byte of the tag", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) {
			p := f["header"].(map[string]any)["params"].(map[string]any)
			p["tag"] = flipHex(p["tag"].(string), 5)
		})
	}, "authentication failed: the file was modified or is corrupt (AES-GCM tag mismatch)", ErrCorrupt},
	{"flip a byte of the nonce", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) {
			p := f["header"].(map[string]any)["params"].(map[string]any)
			p["nonce"] = flipHex(p["nonce"].(string), 0)
		})
	}, "AES-GCM tag mismatch", ErrCorrupt},
	{"flip a byte of the slot key", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) {
			s := f["header"].(map[string]any)["slots"].([]any)[0].(map[string]any)
			s["key"] = flipHex(s["key"].(string), 10)
		})
	}, "the keyring's key does not open this vault (slot", ErrLocked},
	{"truncate", func(t *testing.T, data []byte) []byte {
		return data[:len(data)/2]
	}, "not a vault file: invalid JSON at byte", ErrCorrupt},
	{"empty", func(t *testing.T, data []byte) []byte {
		return nil
	}, "not a vault file: the file is empty", ErrCorrupt},
	{"invalid JSON", func(t *testing.T, data []byte) []byte {
		return []byte(`{"version": 1, "x": what}`)
	}, "not a vault file: invalid JSON at byte 21: invalid character 'w' looking for beginning of value", ErrCorrupt},
	{"version 2", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) { f["version"] = 2 })
	}, ": unsupported vault version 2", ErrCorrupt},
	{"short nonce", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) {
			f["header"].(map[string]any)["params"].(map[string]any)["nonce"] = "00"
		})
	}, "bad header: params.nonce has 1 bytes, want 12", ErrCorrupt},
	{"db not base64", func(t *testing.T, data []byte) []byte {
		return editJSON(t, data, func(f map[string]any) { f["db"] = "not base64!" })
	}, "bad db: not base64", ErrCorrupt},
	{"not a vault", func(t *testing.T, data []byte) []byte {
		return []byte(`["a", "list"]`)
	}, "not a vault file: the file is a JSON array, want an object", ErrCorrupt},
}

// A damaged vault gives an error naming the file and the damage, and
// neither Open nor an Edit through a handle opened before the damage
// writes the file or its backup.
func TestTamperedVault(t *testing.T) {
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.json")
			kr := newMemKeyring()
			v, err := Create(path, Options{Keyring: kr}, nil)
			if err != nil {
				t.Fatal(err)
			}
			addAccounts(t, v, "t", 2)
			addAccounts(t, v, "u", 1) // now there is a backup too
			data, _ := os.ReadFile(path)
			if err := os.WriteFile(path, tc.change(t, data), 0o600); err != nil {
				t.Fatal(err)
			}
			before, bak := snap(t, path), snap(t, backupPath(path))

			_, err = Open(path, Options{Keyring: kr})
			if err == nil {
				t.Fatal("a damaged vault opened")
			}
			if !errors.Is(err, tc.is) || !strings.HasPrefix(err.Error(), "open vault "+path+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant one naming %s with %q (%v)", err, path, tc.want, tc.is)
			}

			err = v.Edit(func(db *DB) error {
				_, err := db.Add(newAccount("after", 9))
				return err
			})
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Edit over a damaged file: %v, want an error naming it", err)
			}
			if _, err := v.Reload(); err == nil {
				t.Error("Reload of a damaged file succeeded")
			}
			if len(v.Accounts()) != 3 {
				t.Errorf("the handle lost its accounts: %d", len(v.Accounts()))
			}
			before.check(t, path, "after Open and Edit")
			bak.check(t, backupPath(path), "backup after Open and Edit")

			// The backup still opens: it is the version before the last save.
			b, err := os.ReadFile(backupPath(path))
			if err != nil {
				t.Fatal(err)
			}
			bp := filepath.Join(t.TempDir(), "restored.json")
			os.WriteFile(bp, b, 0o600)
			r, err := Open(bp, Options{Keyring: kr})
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			if n := len(r.Accounts()); n != 2 {
				t.Errorf("backup holds %d accounts, want 2", n)
			}
		})
	}
}

// A modified keyring slot with a password slot beside it: the prompt says
// the keyring key failed, and the password still opens the vault.
func TestTamperedKeyringSlotFallsBackToPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	kr := newMemKeyring()
	v, err := Create(path, Options{Keyring: kr}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "k", 2)
	v.Close()
	data, _ := os.ReadFile(path)
	os.WriteFile(path, tampers[3].change(t, data), 0o600)
	var reasons []string
	v, err = Open(path, Options{Keyring: kr, Prompt: func(r string) ([]byte, error) {
		reasons = append(reasons, r)
		return []byte("pw"), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Accounts()) != 2 || len(reasons) != 1 || !strings.Contains(reasons[0], "AES-GCM tag mismatch") {
		t.Errorf("%d accounts, reasons %q", len(v.Accounts()), reasons)
	}
}

// A second handle's Edit is seen by the first's Reload; an Edit through a
// stale handle reloads first and loses nothing.
func TestReloadAndNoLostUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	kr := newMemKeyring()
	a, err := Create(path, Options{Keyring: kr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path, Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := a.Reload(); err != nil || changed {
		t.Fatalf("Reload of an unchanged file: %v %v", changed, err)
	}
	if err := b.Edit(func(db *DB) error { _, err := db.Add(newAccount("from b", 1)); return err }); err != nil {
		t.Fatal(err)
	}
	changed, err := a.Reload()
	if err != nil || !changed {
		t.Fatalf("Reload after the other handle's Edit: changed %v, %v", changed, err)
	}
	if got := labels(a.Accounts()); !slices.Equal(got, []string{"Test: from b"}) {
		t.Errorf("a sees %v", got)
	}
	if changed, _ := a.Reload(); changed {
		t.Error("second Reload reports a change")
	}

	// b is now stale; its Edit must keep a's account.
	if err := a.Edit(func(db *DB) error { _, err := db.Add(newAccount("from a", 3)); return err }); err != nil {
		t.Fatal(err)
	}
	if err := b.Edit(func(db *DB) error { _, err := db.Add(newAccount("from b again", 5)); return err }); err != nil {
		t.Fatal(err)
	}
	c, err := Open(path, Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Test: from b", "Test: from a", "Test: from b again"}
	if got := labels(c.Accounts()); !slices.Equal(got, want) {
		t.Errorf("accounts %v, want %v", got, want)
	}
	// The duplicate check sees the other handle's accounts too.
	err = a.Edit(func(db *DB) error { _, err := db.Add(newAccount("dup", 5)); return err })
	if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "from b again") {
		t.Errorf("duplicate: %v", err)
	}
}

// Goroutines with their own Vault handles add concurrently: the file lock
// and the reload in Edit lose nothing.
func TestConcurrentHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	kr := newMemKeyring()
	v, err := Create(path, Options{Keyring: kr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	const workers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := Open(path, Options{Keyring: kr})
			if err != nil {
				errs <- err
				return
			}
			defer h.Close()
			for i := range each {
				err := h.Edit(func(db *DB) error {
					_, err := db.Add(Account{Type: TOTP, Name: fmt.Sprintf("w%d-%d", w, i), Secret: []byte(fmt.Sprintf("secret-%d-%d", w, i))})
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v, err = Open(path, Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, a := range v.Accounts() {
		got[a.Name] = true
	}
	for w := range workers {
		for i := range each {
			if !got[fmt.Sprintf("w%d-%d", w, i)] {
				t.Errorf("lost w%d-%d", w, i)
			}
		}
	}
	if len(got) != workers*each {
		t.Errorf("%d accounts, want %d", len(got), workers*each)
	}
}

func TestEditErrorSavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	v, err := Create(path, Options{Keyring: newMemKeyring()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "e", 1)
	before := snap(t, path)
	mine := errors.New("changed my mind")
	err = v.Edit(func(db *DB) error {
		db.Accounts[0].Name = "renamed"
		db.Accounts = append(db.Accounts, newAccount("new", 7))
		return mine
	})
	if err != mine {
		t.Errorf("Edit returned %v, want fn's error as it is", err)
	}
	// An invalid account put in directly is refused at save.
	err = v.Edit(func(db *DB) error {
		db.Accounts = append(db.Accounts, Account{Type: TOTP, Name: "bad", Secret: []byte("x"), Algorithm: SHA1, Digits: 12, Period: 30})
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "digits 12") || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("invalid account saved: %v", err)
	}
	// A change that changes nothing writes nothing (and keeps the backup).
	if err := v.Edit(func(db *DB) error { return nil }); err != nil {
		t.Fatal(err)
	}
	before.check(t, path, "failed and empty Edits")
	if got := labels(v.Accounts()); !slices.Equal(got, []string{"Bulk: e-0"}) {
		t.Errorf("accounts %v", got)
	}
}

func TestSetAndRemovePassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	kr := newMemKeyring()
	v, err := Create(path, Options{Keyring: kr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "p", 2)
	if err := v.SetPassword([]byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := v.SetPassword([]byte("second")); err != nil {
		t.Fatal(err)
	}
	if !v.HasPassword() || !v.HasKeyring() {
		t.Fatal("slots missing")
	}
	data, _ := os.ReadFile(path)
	var f struct {
		Header struct{ Slots []struct{ Type int } }
	}
	json.Unmarshal(data, &f)
	if len(f.Header.Slots) != 2 {
		t.Errorf("%d slots, want keyring + one password", len(f.Header.Slots))
	}
	// The password alone opens it; the old one does not.
	if _, err := Open(path, Options{NoKeyring: true, Prompt: answer("first")}); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("old password: %v", err)
	}
	w, err := Open(path, Options{NoKeyring: true, Prompt: answer("second")})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Accounts()) != 2 {
		t.Errorf("%d accounts", len(w.Accounts()))
	}

	// RemovePassword refuses while the keyring does not answer.
	kr.Err = errors.New("keyring locked")
	if err := v.RemovePassword(); !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "keyring locked") {
		t.Errorf("RemovePassword with the keyring down: %v", err)
	}
	if !v.HasPassword() {
		t.Error("password removed anyway")
	}
	kr.Err = nil
	if err := v.RemovePassword(); err != nil {
		t.Fatal(err)
	}
	if v.HasPassword() {
		t.Error("password slot still there")
	}
	if _, err := Open(path, Options{NoKeyring: true, Prompt: answer("second")}); !errors.Is(err, ErrLocked) {
		t.Errorf("password after removal: %v, want ErrLocked", err)
	}
	// A password-only vault cannot drop its password.
	p := filepath.Join(t.TempDir(), "pw.json")
	pv, err := Create(p, Options{NoKeyring: true}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pv.RemovePassword(); !errors.Is(err, ErrNoKeyring) {
		t.Errorf("RemovePassword without keyring slot: %v", err)
	}
}

// A plain Aegis file stays plain through Edit and is encrypted by
// SetPassword.
func TestPlainVault(t *testing.T) {
	path := copyFixture(t, "aegis_plain.json")
	v, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Edit(func(db *DB) error { return db.Move(db.Accounts[6].UUID, 0) }); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	accounts, err := DecodeAegis(data, nil)
	if err != nil || len(accounts) != 7 || accounts[0].Type != Steam {
		t.Fatalf("plain after Edit: %v %v", err, labels(accounts))
	}
	if err := v.SetPassword([]byte("now secret")); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if bytes.Contains(data, []byte("Boeing")) {
		t.Error("the vault is still plain text")
	}
	if _, err := DecodeAegis(data, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("encrypted file without password: %v", err)
	}
	accounts, err = DecodeAegis(data, []byte("now secret"))
	if err != nil || len(accounts) != 7 {
		t.Fatalf("%v %d", err, len(accounts))
	}
}

func TestExportAegis(t *testing.T) {
	path := copyFixture(t, "aegis_encrypted.json")
	v, err := Open(path, Options{NoKeyring: true, Prompt: answer("test")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := v.ExportAegis([]byte("export pw"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAegis(out, []byte("export pw"))
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, got, expectedAccounts(t))
	if got[0].UUID != v.Accounts()[0].UUID {
		t.Error("export changed the UUIDs")
	}
	plain, err := v.ExportAegis(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err = DecodeAegis(plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, got, expectedAccounts(t))
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("AUTHDESK_VAULT", "/some/where/v.json")
	if p, err := DefaultPath(); err != nil || p != "/some/where/v.json" {
		t.Errorf("%q %v", p, err)
	}
	t.Setenv("AUTHDESK_VAULT", "")
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	t.Setenv("HOME", "/home/x")
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := os.UserConfigDir()
	if p != filepath.Join(dir, "authdesk", "vault.json") {
		t.Errorf("%q", p)
	}
}

// The independent check: a vault written here, with a password slot,
// decrypts with testdata/decrypt.py, which follows Aegis's published
// algorithm with Python's cryptography package.
func TestPythonDecryptsOurVault(t *testing.T) {
	python := "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import cryptography.hazmat.primitives.kdf.scrypt").CombinedOutput(); err != nil {
		t.Fatalf("%s with the cryptography module is needed (Debian: apt-get install python3-cryptography): %v\n%s", python, err, out)
	}
	path := filepath.Join(t.TempDir(), "vault.json")
	v, err := Create(path, Options{Keyring: newMemKeyring()}, []byte("pässword"))
	if err != nil {
		t.Fatal(err)
	}
	want := expectedAccounts(t)
	err = v.Edit(func(db *DB) error {
		for _, a := range want {
			a.Note = "note ✓"
			if _, err := db.Add(a); err != nil {
				return err
			}
		}
		db.Accounts[2].Favorite = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/decrypt.py", "--input", path)
	cmd.Stdin = strings.NewReader("pässword")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("decrypt.py: %v\n%s", err, stderr.Bytes())
	}
	var db struct {
		Version        int
		Groups         []any
		IconsOptimized bool `json:"icons_optimized"`
		Entries        []struct {
			Type, UUID, Name, Issuer, Note string
			Favorite                       bool
			Icon                           *string
			Groups                         []string
			Info                           struct {
				Secret, Algo            string
				Digits, Period, Counter int
			}
		}
	}
	if err := json.Unmarshal(out, &db); err != nil {
		t.Fatalf("decrypt.py printed no database JSON: %v\n%s", err, out)
	}
	if db.Version != 3 || db.Groups == nil || !db.IconsOptimized || len(db.Entries) != 7 {
		t.Fatalf("database version %d, groups %v, icons_optimized %v, %d entries", db.Version, db.Groups, db.IconsOptimized, len(db.Entries))
	}
	mine := v.Accounts()
	for i, e := range db.Entries {
		w := want[i]
		if e.Type != string(w.Type) || e.Issuer != w.Issuer || e.Name != w.Name || e.Info.Secret != w.SecretBase32() ||
			e.Info.Algo != string(w.Algorithm) || e.Info.Digits != w.Digits || e.Info.Period != w.Period ||
			e.Info.Counter != int(w.Counter) || e.Note != "note ✓" || e.Favorite != (i == 2) || e.UUID != mine[i].UUID ||
			e.Icon != nil || e.Groups == nil {
			t.Errorf("entry %d: %+v\nwant %s", i, e, w.URI())
		}
	}
}

// TestFind reads only the accounts asked for, through the keyring slot as
// Open does, and reports a missing vault, a wrong password and a damaged
// file as Open does.
func TestFind(t *testing.T) {
	kr := newMemKeyring()
	path := filepath.Join(t.TempDir(), "vault.json")
	v, err := Create(path, Options{Keyring: kr}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "find", 50)
	all := v.Accounts()
	v.Close()

	found, err := Find(path, Options{Keyring: kr}, func(issuer, name string) bool { return strings.HasSuffix(name, "7") })
	if err != nil {
		t.Fatal(err)
	}
	var want []Account
	for _, a := range all {
		if strings.HasSuffix(a.Name, "7") {
			want = append(want, a)
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(found, want) {
		t.Fatalf("found %d accounts, want %d: %+v", len(found), len(want), found)
	}
	if found, err := Find(path, Options{Keyring: kr}, func(string, string) bool { return false }); err != nil || len(found) != 0 {
		t.Fatalf("keeping none: %v, %d accounts", err, len(found))
	}

	// Without the keyring, the password: asked once, wrong, then right.
	tries := 0
	prompt := func(string) ([]byte, error) {
		tries++
		if tries == 1 {
			return []byte("wrong"), nil
		}
		return []byte("pw"), nil
	}
	if found, err := Find(path, Options{NoKeyring: true, Prompt: prompt}, func(string, string) bool { return true }); err != nil || len(found) != 50 || tries != 2 {
		t.Fatalf("with the password: %v, %d accounts, %d tries", err, len(found), tries)
	}
	if _, err := Find(filepath.Join(t.TempDir(), "none.json"), Options{Keyring: kr}, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing vault: %v", err)
	}
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 1
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, data, 0o600)
	if _, err := Find(bad, Options{Keyring: kr}, func(string, string) bool { return true }); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), bad) {
		t.Fatalf("damaged vault: %v", err)
	}
}

// TestAddKeyring moves a vault to another computer: there it opens only by
// password until AddKeyring, then silently, with one keyring look-up; the
// first computer still opens it; a second AddKeyring changes nothing.
func TestAddKeyring(t *testing.T) {
	home, away := newMemKeyring(), newMemKeyring()
	path := filepath.Join(t.TempDir(), "vault.json")
	v, err := Create(path, Options{Keyring: home}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, "moved", 3)
	v.Close()

	// The other computer: the keyring has no key for the slot.
	if _, err := Open(path, Options{Keyring: away}); !errors.Is(err, ErrLocked) {
		t.Fatalf("before AddKeyring, without a password: %v", err)
	}
	// Opened by password with the keyring turned off, as the app does when
	// the password is typed: AddKeyring asks the keyring all the same.
	v, err = Open(path, Options{Keyring: away, NoKeyring: true, Prompt: answer("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if added, err := v.AddKeyring(); err != nil || !added {
		t.Fatalf("AddKeyring: %v, added %v", err, added)
	}
	before, _ := os.ReadFile(path)
	if added, err := v.AddKeyring(); err != nil || added {
		t.Fatalf("second AddKeyring: %v, added %v", err, added)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a second AddKeyring rewrote the file")
	}
	v.Close()

	counted := &countingKeyring{Keyring: away}
	v, err = Open(path, Options{Keyring: counted})
	if err != nil {
		t.Fatalf("after AddKeyring, without a password: %v", err)
	}
	if len(v.Accounts()) != 3 || counted.gets != 1 {
		t.Fatalf("%d accounts, %d keyring look-ups (want 3, 1)", len(v.Accounts()), counted.gets)
	}
	v.Close()
	if v, err := Open(path, Options{Keyring: home}); err != nil {
		t.Fatalf("the first computer: %v", err)
	} else {
		v.Close()
	}
}

// TestAddKeyringFails leaves the file alone when the keyring does not
// answer, and encrypts a plain Aegis file when it does.
func TestAddKeyringFails(t *testing.T) {
	kr := newMemKeyring()
	path := copyFixture(t, "aegis_plain.json")
	v, err := Open(path, Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	kr.Err = errors.New("org.freedesktop.secrets was not provided")
	if _, err := v.AddKeyring(); !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "not provided") {
		t.Fatalf("keyring down: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a failed AddKeyring changed the file")
	}
	kr.Err = nil
	if added, err := v.AddKeyring(); err != nil || !added {
		t.Fatalf("AddKeyring: %v, added %v", err, added)
	}
	v.Close()
	f, err := parseFile(mustRead(t, path), nil)
	if err != nil || f.plain || !f.hasSlot(slotRaw) {
		t.Fatalf("after AddKeyring the file is plain or has no keyring slot: %v", err)
	}
	v, err = Open(path, Options{Keyring: kr})
	if err != nil || len(v.Accounts()) != 7 {
		t.Fatalf("reopened: %v", err)
	}
	v.Close()
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
