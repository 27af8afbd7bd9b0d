// Command crashwriter is a test helper of package vault: it opens a vault
// with the password in $AUTHDESK_PASSWORD (no keyring), prints "ready",
// then adds accounts one Edit at a time, printing "ok NAME" after each Edit
// returns. The crash test kills it at random moments and checks that every
// account it printed is in the vault; the concurrency test runs two at
// once and checks that none is lost.
//
//	crashwriter -vault PATH -prefix NAME -n COUNT
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"

	"github.com/authdesk/authdesk/vault"
)

func main() {
	path := flag.String("vault", "", "vault file")
	prefix := flag.String("prefix", "acct", "account name prefix")
	n := flag.Int("n", 100, "accounts to add")
	flag.Parse()

	pw := []byte(os.Getenv("AUTHDESK_PASSWORD"))
	v, err := vault.Open(*path, vault.Options{
		NoKeyring: true,
		Prompt:    func(string) ([]byte, error) { return pw, nil },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashwriter:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	for i := range *n {
		name := fmt.Sprintf("%s-%d", *prefix, i)
		secret := make([]byte, 20)
		rand.Read(secret)
		err := v.Edit(func(db *vault.DB) error {
			_, err := db.Add(vault.Account{Type: vault.TOTP, Issuer: "crash", Name: name, Secret: secret})
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "crashwriter:", err)
			os.Exit(1)
		}
		fmt.Println("ok", name)
	}
}
