package vault

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Speed targets: opening and saving a 1,000-account vault. Each benchmark
// also reports x-peer, its time over that of the plainest way to do the
// same file work, measured in the same run: os.ReadFile + json.Unmarshal
// (open) or json.Marshal + os.WriteFile (save) of the same accounts, with no
// encryption, no fsync, no lock.
//
//	go test -run='^$' -bench=. -benchmem ./vault/

const benchAccounts = 1000

// benchVault makes a vault of benchAccounts accounts with a keyring slot.
func benchVault(b *testing.B, kr Keyring) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "vault.json")
	v, err := Create(path, Options{Keyring: kr}, nil)
	if err != nil {
		b.Fatal(err)
	}
	addAccounts(b, v, "bench", benchAccounts)
	v.Close()
	return path
}

// peerFile gives the plain-JSON peers of Open and Save: the same accounts
// read or written as a JSON array.
func peerFile(b *testing.B) (read, write func()) {
	accounts := make([]Account, benchAccounts)
	for i := range accounts {
		accounts[i] = Account{UUID: fmt.Sprintf("%036d", i), Type: TOTP, Issuer: "Bulk", Name: fmt.Sprintf("bench-%d", i),
			Secret: []byte(fmt.Sprintf("bench-secret-%08d", i)), Algorithm: SHA1, Digits: 6, Period: 30}
	}
	peer := filepath.Join(b.TempDir(), "peer.json")
	data, _ := json.Marshal(accounts)
	os.WriteFile(peer, data, 0o600)
	read = func() {
		var got []Account
		data, err := os.ReadFile(peer)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(data, &got); err != nil || len(got) != benchAccounts {
			b.Fatal(err)
		}
	}
	write = func() {
		accounts[0].Note = time.Now().String()
		data, err := json.Marshal(accounts)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(peer, data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return read, write
}

// reportPeer times peer and reports the benchmark's time per op over it.
func reportPeer(b *testing.B, peer func()) {
	b.StopTimer()
	perOp := b.Elapsed() / time.Duration(b.N)
	peer() // warm up
	n, start := 0, time.Now()
	for n < 20 || time.Since(start) < 200*time.Millisecond {
		peer()
		n++
	}
	peerOp := time.Since(start) / time.Duration(n)
	b.ReportMetric(float64(peerOp.Nanoseconds()), "peer-ns/op")
	b.ReportMetric(float64(perOp)/float64(peerOp), "x-peer")
}

func benchOpen(b *testing.B, kr Keyring) {
	path := benchVault(b, kr)
	read, _ := peerFile(b)
	b.ReportAllocs()
	for b.Loop() {
		v, err := Open(path, Options{Keyring: kr})
		if err != nil {
			b.Fatal(err)
		}
		if len(v.Accounts()) != benchAccounts {
			b.Fatal("accounts missing")
		}
		v.Close()
	}
	reportPeer(b, read)
}

// BenchmarkOpen1000 opens a 1,000-account vault through its keyring slot,
// with the keyring in memory: the file work alone.
func BenchmarkOpen1000(b *testing.B) { benchOpen(b, newMemKeyring()) }

// BenchmarkOpen1000OSKeyring is the same with the real OS keyring (under
// scripts/testenv: gnome-keyring over D-Bus), one call per Open.
func BenchmarkOpen1000OSKeyring(b *testing.B) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		b.Skip("needs the Secret Service: run under scripts/testenv")
	}
	benchOpen(b, osKeyring{})
}

// BenchmarkSave1000 is an Edit that changes one note of a 1,000-account
// vault: lock, check the file, encode, seal, write, fsync, keep the
// backup, rename, fsync the directory.
func BenchmarkSave1000(b *testing.B) {
	kr := newMemKeyring()
	path := benchVault(b, kr)
	_, write := peerFile(b)
	v, err := Open(path, Options{Keyring: kr})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		err := v.Edit(func(db *DB) error {
			db.Accounts[0].Note = fmt.Sprint(i)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	reportPeer(b, write)
}

// BenchmarkEditUnchanged1000 is an Edit that changes nothing, which writes
// nothing: lock, check the file, encode, compare.
func BenchmarkEditUnchanged1000(b *testing.B) {
	kr := newMemKeyring()
	path := benchVault(b, kr)
	_, write := peerFile(b)
	v, err := Open(path, Options{Keyring: kr})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Edit(func(db *DB) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	reportPeer(b, write)
}

// BenchmarkParseDB1000 reads the database of 1,000 accounts with the fast
// reader, against encoding/json's (parseDBFull) on the same bytes.
func BenchmarkParseDB1000(b *testing.B) {
	db := &DB{}
	for i := range benchAccounts {
		db.Accounts = append(db.Accounts, Account{UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Type: TOTP,
			Issuer: fmt.Sprintf("Service%04d", i), Name: fmt.Sprintf("user%04d@example.com", i),
			Secret: []byte(fmt.Sprintf("bench-secret-%08d", i)), Algorithm: SHA1, Digits: 6, Period: 30})
	}
	data := encodeDB(db)
	b.ReportAllocs()
	for b.Loop() {
		if got := parseDBFast(data, nil); got == nil || len(got.Accounts) != benchAccounts {
			b.Fatal("the fast reader declined")
		}
	}
	reportPeer(b, func() {
		if _, err := parseDBFull(data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkFind1000 reads one account of a 1,000-account vault with Find,
// against Open of the same vault (x-peer: Find's time over Open's).
func BenchmarkFind1000(b *testing.B) {
	kr := newMemKeyring()
	path := benchVault(b, kr)
	b.ReportAllocs()
	for b.Loop() {
		found, err := Find(path, Options{Keyring: kr}, func(issuer, name string) bool { return name == "bench-499" })
		if err != nil || len(found) != 1 {
			b.Fatalf("found %d: %v", len(found), err)
		}
	}
	reportPeer(b, func() {
		v, err := Open(path, Options{Keyring: kr})
		if err != nil {
			b.Fatal(err)
		}
		v.Close()
	})
}
