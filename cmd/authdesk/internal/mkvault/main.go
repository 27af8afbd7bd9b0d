// Command mkvault writes a vault with realistic sample accounts, for the
// screenshots, the smoke test and 'make bench':
//
//	go run ./cmd/authdesk/internal/mkvault -o /tmp/v.json -n 1000 -password pw
//
// The vault has a password slot only (no keyring slot), so it opens
// anywhere with AUTHDESK_PASSWORD. The first dozen accounts are the
// familiar services; the rest are numbered. Secrets come from a fixed
// seed, so runs are repeatable.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/authdesk/authdesk/vault"
)

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
	flag.Parse()
	if *out == "" || *password == "" {
		fmt.Fprintln(os.Stderr, "usage: mkvault -o FILE -password PW [-n N]")
		os.Exit(2)
	}
	v, err := vault.Create(*out, vault.Options{NoKeyring: true}, []byte(*password))
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkvault:", err)
		os.Exit(1)
	}
	defer v.Close()
	if err := v.Edit(func(db *vault.DB) error {
		for _, a := range Accounts(*n) {
			if _, err := db.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, "mkvault:", err)
		os.Exit(1)
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
