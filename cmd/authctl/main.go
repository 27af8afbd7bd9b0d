// Command authctl is the headless face of the Authdesk vault: the same vault
// file, the same codes, for scripts, testers and machines without a display.
//
//	authctl [--vault PATH] [--password-file FILE] COMMAND
//	  add URI                         one account from an otpauth:// URI
//	  add --issuer I --name N --secret S [--type totp|hotp|steam] [--algorithm SHA1|SHA256|SHA512]
//	      [--digits D] [--period P] [--counter C]
//	  scan IMAGE...                   decode every QR code in the images and add each account
//	  list [--json]
//	  code [QUERY] [--json] [--at TIME]
//	  next QUERY                      HOTP: advance the counter, save, print the new code
//	  rm QUERY
//	  rename QUERY NEWNAME
//	  import [--format auto|uri|aegis|google|2fas|andotp] FILE
//	  export --format uri|aegis|google [--out FILE]
//	  passwd                          set or change the vault password
//	  keyring                         let this computer's keyring open the vault (made or used elsewhere)
//
// The vault is $AUTHDESK_VAULT or the user's config dir (authdesk/vault.json).
// It is created on the first add: unlocked through the OS keyring when one
// answers, else by a password ($AUTHDESK_PASSWORD, --password-file, or asked
// for on the terminal).
//
// Output rules: results go to stdout, and nothing else does: `authctl code
// github` with one match prints the bare code, so `$(authctl code github)`
// works. Errors go to stderr as one line, prefixed "authctl: ", lower case,
// saying what to do next. Exit status is 0 on success, 1 on an error, 2 on
// bad usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usageError is bad usage: exit status 2 rather than 1.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

const usage = `usage: authctl [--vault PATH] [--password-file FILE] COMMAND
  add URI | add --issuer I --name N --secret S [--type T] [--algorithm A] [--digits D] [--period P] [--counter C]
  scan IMAGE...
  list [--json]
  code [QUERY] [--json] [--at TIME]
  next QUERY
  rm QUERY
  rename QUERY NEWNAME
  import [--format auto|uri|aegis|google|2fas|andotp] FILE
  export --format uri|aegis|google [--out FILE]
  passwd
  keyring
environment: AUTHDESK_VAULT (vault path), AUTHDESK_PASSWORD (vault password)
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	err := c.main(args)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "authctl: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}
