package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/authdesk/authdesk/internal/fixtures"
	"github.com/authdesk/authdesk/vault/scan"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"authctl": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/*.txt: each is a user's session with authctl,
// with the expected output beside every command.
//
// Scripts get a vault path in $AUTHDESK_VAULT and no keyring (the D-Bus
// address is dead); a script that wants the real keyring starts with
// [!keyring] skip and 'usekeyring'.
func TestScripts(t *testing.T) {
	fixtures := fixtures.Dir(t)
	realBus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			e.Setenv("AUTHDESK_VAULT", filepath.Join(e.WorkDir, "vault.json"))
			e.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/authdesk-test")
			e.Setenv("REAL_DBUS", realBus)
			e.Setenv("FIXTURES", fixtures)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keyring":
				if realBus == "" && os.Getenv("CI") != "" {
					return false, errors.New("CI must run the tests under scripts/testenv, with a keyring")
				}
				return realBus != "", nil
			case "oathtool":
				_, err := exec.LookPath("oathtool")
				if err != nil && os.Getenv("CI") != "" {
					return false, errors.New("oathtool is missing: make test installs it")
				}
				return err == nil, nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// usekeyring points the script at the real session keyring.
			"usekeyring": func(ts *testscript.TestScript, neg bool, args []string) {
				ts.Setenv("DBUS_SESSION_BUS_ADDRESS", ts.Getenv("REAL_DBUS"))
			},
			// qrpng FILE TEXT writes a PNG with a QR code of TEXT.
			"qrpng": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: qrpng FILE TEXT")
				}
				png, err := scan.Render(args[1], 300)
				ts.Check(err)
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), png, 0o644))
			},
			// flipbyte FILE OFFSET-FROM-END corrupts one byte of a file.
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				path := ts.MkAbs(args[0])
				b, err := os.ReadFile(path)
				ts.Check(err)
				// Flip a base64 character well inside the "db" value.
				i := len(b) / 2
				if b[i] == 'A' {
					b[i] = 'B'
				} else {
					b[i] = 'A'
				}
				ts.Check(os.WriteFile(path, b, 0o600))
			},
		},
	})
}
