// Command mkvault writes a vault with realistic sample accounts, for the
// screenshots, the smoke test and 'make bench':
//
//	go run ./cmd/authdesk/internal/mkvault -o /tmp/v.json -n 1000 -password pw
//
// The vault has a password slot only (no keyring slot), so it opens
// anywhere with AUTHDESK_PASSWORD; with -keyring it also gets a keyring
// slot, and opens as a user's does, without the password (it fails when no
// keyring answers). The keyring entry's name is kept in FILE.keyring, and
//
//	mkvault -forget -o FILE
//
// deletes that entry from the keyring again. The first dozen accounts are
// the familiar services; the rest are numbered. Secrets come from a fixed
// seed, so runs are repeatable.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/zalando/go-keyring"

	"github.com/authdesk/authdesk/vault"
)

// entryRecorder is the OS keyring, noting the entry a new vault makes.
type entryRecorder struct{ service, user string }

func (r *entryRecorder) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (r *entryRecorder) Delete(service, user string) error        { return keyring.Delete(service, user) }
func (r *entryRecorder) Set(service, user, secret string) error {
	if err := keyring.Set(service, user, secret); err != nil {
		return err
	}
	r.service, r.user = service, user
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkvault:", err)
	os.Exit(1)
}

// Samples are the accounts the screenshots show.
var Samples = []vault.Account{
	{Issuer: "GitHub", Name: "alice@example.com", Favorite: true},
	{Issuer: "Google", Name: "alice.martin@gmail.com", Favorite: true},
	{Issuer: "Microsoft", Name: "alice@contoso.com"},
	{Issuer: "Amazon Web Services", Name: "alice@prod-account"},
	{Issuer: "Cloudflare", Name: "ops@example.com", Digits: 8},
	{Issuer: "Dropbox", Name: "alice@example.com"},
	{Issuer: "GitLab", Name: "amartin"},
	{Issuer: "Proton", Name: "alice@proton.me"},
	{Issuer: "Slack", Name: "alice · Acme workspace"},
	{Issuer: "npm", Name: "amartin"},
	{Issuer: "Bitwarden", Name: "alice@example.com"},
	{Issuer: "Steam", Name: "alice_plays", Type: vault.Steam},
	{Issuer: "Yubico", Name: "hardware token", Type: vault.HOTP, Counter: 12},
}

func main() {
	out := flag.String("o", "", "vault file to write (must not exist)")
	n := flag.Int("n", len(Samples), "number of accounts")
	password := flag.String("password", "", "vault password (required)")
	withKeyring := flag.Bool("keyring", false, "add a keyring slot too (fails when no keyring answers)")
	forget := flag.Bool("forget", false, "delete the keyring entry that -keyring made for -o FILE")
	flag.Parse()
	if *forget && *out != "" {
		b, err := os.ReadFile(*out + ".keyring")
		if err != nil {
			fail(err)
		}
		service, user, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		if err := keyring.Delete(service, user); err != nil {
			fail(fmt.Errorf("delete keyring entry %s/%s: %w", service, user, err))
		}
		os.Remove(*out + ".keyring")
		return
	}
	if *out == "" || *password == "" {
		fmt.Fprintln(os.Stderr, "usage: mkvault -o FILE -password PW [-n N] [-keyring]; mkvault -forget -o FILE")
		os.Exit(2)
	}
	rec := &entryRecorder{}
	opts := vault.Options{NoKeyring: !*withKeyring}
	if *withKeyring {
		opts.Keyring = rec
	}
	v, err := vault.Create(*out, opts, []byte(*password))
	if err != nil {
		fail(err)
	}
	defer v.Close()
	if *withKeyring {
		if !v.HasKeyring() || rec.user == "" {
			os.Remove(*out)
			fail(fmt.Errorf("no keyring answered: the vault would have a password slot only"))
		}
		if err := os.WriteFile(*out+".keyring", []byte(rec.service+"\n"+rec.user+"\n"), 0o600); err != nil {
			fail(err)
		}
	}
	if err := v.Edit(func(db *vault.DB) error {
		for _, a := range Accounts(*n) {
			if _, err := db.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		fail(err)
	}
}

// Accounts is n sample accounts: the Samples, then numbered ones.
func Accounts(n int) []vault.Account {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []vault.Account
	for i := 0; i < n; i++ {
		var a vault.Account
		if i < len(Samples) {
			a = Samples[i]
		} else {
			a = vault.Account{Issuer: fmt.Sprintf("Service %04d", i), Name: fmt.Sprintf("user%d@example.com", i)}
		}
		if a.Type == "" {
			a.Type = vault.TOTP
		}
		a.Secret = make([]byte, 20)
		for j := range a.Secret {
			a.Secret[j] = byte(rng.UintN(256))
		}
		a.Normalize()
		out = append(out, a)
	}
	return out
}
