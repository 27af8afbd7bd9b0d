package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// TestTOTPKeysSealed: the database holds a user's TOTP key only sealed
// (never the key an authenticator app was given), sign-in with the app
// still works, another key is refused at start-up, and a key stored before
// sealing is sealed when the service starts and keeps working.
func TestTOTPKeysSealed(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			dsn := storetest.DSN(t, kind)
			clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
			e := startOn(t, Config{DB: dsn}, clk)
			ctx := context.Background()
			const email, pw = "heidi@example.com", "heidi's passphrase"
			c := e.signup(email, pw)
			secret, _ := e.enableTOTP(c, pw)
			user, err := e.svc.store.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			stored := totpSecret(t, e.svc.store, user.ID)
			if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, secret) {
				t.Fatalf("the database holds the TOTP key as %.12q…, not sealed", stored)
			}
			clk.Add(30 * time.Second)
			s, _ := e.login(email, pw)
			if r := must[*enroll.SessionResponse](t)(s.LoginMFA(ctx, "totp", e.totp(secret))); r.AAL != 2 {
				t.Fatalf("login/mfa = %+v", r)
			}

			// Another instance with another key does not start.
			other := []byte("another key, 32 bytes long......")
			if _, err := New(Config{DB: dsn, Dev: true, SecretKey: other}); err == nil || !strings.Contains(err.Error(), "not the one this database") {
				t.Fatalf("a service with another key: %v", err)
			}

			// A key stored before sealing (as the previous version wrote it)
			// is sealed at the next start and still signs in.
			if err := e.svc.store.ReplaceFactorSecret(ctx, user.ID, "totp", stored, secret); err != nil {
				t.Fatal(err)
			}
			e2 := startOn(t, Config{DB: dsn}, clk)
			e2.secret(e.secrets...)
			if s := totpSecret(t, e2.svc.store, user.ID); !strings.HasPrefix(s, "v1:") || s == stored {
				t.Fatalf("the old plain key was not sealed at start-up: %.12q…", s)
			}
			clk.Add(30 * time.Second)
			s2, r := e2.login(email, pw)
			e2.secret(r.SessionToken)
			if r := must[*enroll.SessionResponse](t)(s2.LoginMFA(ctx, "totp", e2.totp(secret))); r.AAL != 2 {
				t.Fatalf("login/mfa after sealing = %+v", r)
			}

			// A sealed key moved to another user's row does not open there.
			mallory := e2.signup("mallory@example.com", "mallory's passphrase")
			mu, _ := e2.svc.store.UserByEmail(ctx, "mallory@example.com")
			e2.enableTOTP(mallory, "mallory's passphrase")
			if err := e2.svc.store.ReplaceFactorSecret(ctx, mu.ID, "totp", totpSecret(t, e2.svc.store, mu.ID), totpSecret(t, e2.svc.store, user.ID)); err != nil {
				t.Fatal(err)
			}
			clk.Add(30 * time.Second)
			m, r := e2.login("mallory@example.com", "mallory's passphrase")
			e2.secret(r.SessionToken)
			if _, err := m.LoginMFA(ctx, "totp", e2.totp(secret)); err == nil {
				t.Fatal("heidi's sealed key opened in mallory's row")
			}
		})
	}
}

func totpSecret(t *testing.T, st *store.Store, userID string) string {
	t.Helper()
	fs, err := st.Factors(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Kind == "totp" {
			return f.Secret
		}
	}
	t.Fatal("no TOTP factor")
	return ""
}
