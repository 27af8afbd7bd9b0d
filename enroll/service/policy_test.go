package service

import (
	"context"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// The strict policy (ConnectProf): composition rules, 8–20 characters, and
// a password that expires after 90 days, reported at sign-in.
func TestStrictPolicyAndExpiry(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, Config{PasswordPolicy: "strict"})
			ctx := context.Background()
			pol := must[*enroll.Policy](t)(e.client().Policy(ctx))
			if pol.Name != "strict" || pol.Password.MaxLength != 20 || !pol.Password.RequireSymbol || pol.Password.MaxAgeDays != 90 {
				t.Fatalf("policy = %+v", pol)
			}
			for pw, why := range map[string]string{
				"Sh0rt!":                   "too short",
				"alllowercase1!":           "no upper-case letter",
				"ALLUPPERCASE1!":           "no lower-case letter",
				"NoDigitsHere!":            "no digit",
				"NoSymbols123":             "no symbol",
				"Far-Too-Long-Password-1!": "over 20 characters",
			} {
				_, err := e.client().Signup(ctx, "bob@example.com", pw, "Bob")
				if ae := wantErr(t, err, 400, "weak_password"); ae.Field != "password" {
					t.Errorf("%s: field %q", why, ae.Field)
				}
			}
			const pw, pw2 = "Tr0ub4dor&3x", "N3w-Passw0rd!"
			e.signup("bob@example.com", pw)
			e.clock.Add(89 * 24 * time.Hour)
			_, r := e.login("bob@example.com", pw)
			if r.PasswordExpired || r.Next != enroll.NextDone {
				t.Fatalf("day 89: %+v", r)
			}
			e.clock.Add(24 * time.Hour)
			c, r := e.login("bob@example.com", pw)
			if !r.PasswordExpired || r.Next != enroll.NextChangePassword {
				t.Fatalf("day 90: %+v", r)
			}
			_, err := c.Me(ctx)
			wantErr(t, err, 403, "password_expired")
			e.secret(pw2)
			must[*enroll.ChangePasswordResponse](t)(c.ChangePassword(ctx, pw, pw2, pw2))
			me := must[*enroll.Me](t)(c.Me(ctx))
			if me.Security.PasswordExpiresAt == nil || !me.Security.PasswordExpiresAt.Equal(e.clock.Now().Add(90*24*time.Hour)) {
				t.Fatalf("expires at %v", me.Security.PasswordExpiresAt)
			}
		})
	}
}

// --require-2fa (Azets Cozone): a fresh session can do nothing but set up
// a second factor, and the last factor cannot be removed.
func TestRequire2FA(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, Config{Require2FA: true})
			ctx := context.Background()
			const email, pw = "carol@example.com", "a long enough password"
			if !must[*enroll.Policy](t)(e.client().Policy(ctx)).Require2FA {
				t.Fatal("policy does not say 2FA is required")
			}
			c := e.signup(email, pw)
			_, err := c.Me(ctx)
			wantErr(t, err, 403, "mfa_setup_required")
			_, err = c.Sessions(ctx)
			wantErr(t, err, 403, "mfa_setup_required")
			_, r := e.login(email, pw)
			if r.Next != enroll.NextSetup2FA {
				t.Fatalf("login next = %q", r.Next)
			}
			_, codes := e.enableTOTP(c, pw)
			if len(codes) != 10 {
				t.Fatal("no backup codes")
			}
			must[*enroll.Me](t)(c.Me(ctx))
			must[*enroll.ReauthResponse](t)(c.Reauth(ctx, pw))
			_, err = c.DisableMFA(ctx)
			wantErr(t, err, 409, "mfa_required_by_policy")
			wantErr(t, c.RemoveTOTP(ctx), 409, "mfa_required_by_policy")
		})
	}
}
