package service

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// The same backup code sent twice at once signs in exactly once.
func TestConcurrentBackupCode(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, Config{})
			ctx := context.Background()
			const email, pw = "heidi@example.com", "heidi's passphrase"
			c := e.signup(email, pw)
			_, codes := e.enableTOTP(c, pw)
			for round := 0; round < 4; round++ {
				x, _ := e.login(email, pw)
				y, _ := e.login(email, pw)
				var wg sync.WaitGroup
				errs := make([]error, 2)
				gun := make(chan struct{})
				for i, cl := range []*enroll.Client{x, y} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-gun
						_, errs[i] = cl.LoginMFA(ctx, "backup_code", codes[round])
					}()
				}
				close(gun)
				wg.Wait()
				ok := 0
				for _, err := range errs {
					var ae *enroll.Error
					switch {
					case err == nil:
						ok++
					case errors.As(err, &ae) && ae.Status == 400 && ae.Code == "invalid_code":
					default:
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if ok != 1 {
					t.Fatalf("round %d: the same backup code signed in %d times", round, ok)
				}
			}
			st := must[*enroll.BackupCodesStatus](t)(c.BackupCodesStatus(ctx))
			if st.Remaining != 6 {
				t.Fatalf("%d codes left, want 6", st.Remaining)
			}
		})
	}
}

func TestBackupCodeFormat(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := newBackupCode()
		if len(c) != 11 || c[5] != '-' || strings.ContainsAny(c, "ilo0") {
			t.Fatalf("backup code %q", c)
		}
		if seen[c] {
			t.Fatalf("repeated backup code %q", c)
		}
		seen[c] = true
		salt := newSalt()
		h := hashBackupCode(salt, c)
		if hashBackupCode(salt, strings.ToUpper(strings.ReplaceAll(c, "-", " "))) != h {
			t.Fatal("typing a code in capitals with a space changes it")
		}
		if hashBackupCode(newSalt(), c) == h {
			t.Fatal("the salt does not change the hash")
		}
	}
}
