package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
	"github.com/authdesk/authdesk/vault"
)

// wrongCodes returns n six-digit codes that are none of the three the
// service accepts now for secret.
func wrongCodes(t *testing.T, e *env, secret string, n int) []string {
	raw, _ := vault.DecodeSecret(secret)
	a := vault.Account{Type: vault.TOTP, Secret: raw, Algorithm: vault.SHA1, Digits: 6, Period: 30}
	step := uint64(e.clock.Now().Unix() / 30)
	good := map[string]bool{}
	for s := step - 1; s <= step+1; s++ {
		c, _ := a.CodeAt(s)
		good[c] = true
	}
	var out []string
	for i := 0; len(out) < n; i++ {
		c := fmt.Sprintf("%06d", (i*7919+13)%1000000)
		if !good[c] {
			out = append(out, c)
		}
	}
	return out
}

// 50 wrong TOTP codes at once: at most 5 are evaluated, the rest get 429
// with Retry-After, and then even the right code waits for the lock-out.
func TestConcurrentWrongTOTPGuesses(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, Config{})
			ctx := context.Background()
			const email, pw = "frank@example.com", "frank's passphrase"
			c := e.signup(email, pw)
			secret, _ := e.enableTOTP(c, pw)
			e.clock.Add(30 * time.Second)
			s, _ := e.login(email, pw)
			codes := wrongCodes(t, e, secret, 50)
			var wg sync.WaitGroup
			results := make([]error, len(codes))
			startGun := make(chan struct{})
			for i, code := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-startGun
					_, results[i] = s.LoginMFA(ctx, "totp", code)
				}()
			}
			close(startGun)
			wg.Wait()
			evaluated, limited := 0, 0
			for _, err := range results {
				var ae *enroll.Error
				if !errors.As(err, &ae) {
					t.Fatalf("answer %v", err)
				}
				switch {
				case ae.Status == 400 && ae.Code == "invalid_code":
					evaluated++
				case ae.Status == 429 && ae.Code == "too_many_attempts":
					limited++
					if ae.RetryAfter < time.Second {
						t.Fatalf("429 without Retry-After: %+v", ae)
					}
				default:
					t.Fatalf("unexpected answer %d %s", ae.Status, ae.Code)
				}
			}
			t.Logf("%s: %d evaluated, %d refused with 429", kind, evaluated, limited)
			if evaluated > maxGuesses || evaluated == 0 || evaluated+limited != 50 {
				t.Fatalf("%d guesses evaluated, %d limited; want at most %d evaluated", evaluated, limited, maxGuesses)
			}
			// Locked: the right code waits too, then works.
			_, err := s.LoginMFA(ctx, "totp", e.totp(secret))
			ae := wantErr(t, err, 429, "too_many_attempts")
			if ae.RetryAfter < 20*time.Second || ae.RetryAfter > 30*time.Second {
				t.Fatalf("Retry-After %v, want the 30 s lock-out", ae.RetryAfter)
			}
			e.clock.Add(31 * time.Second)
			must[*enroll.SessionResponse](t)(s.LoginMFA(ctx, "totp", e.totp(secret)))
		})
	}
}

// Two instances on one PostgreSQL database: a sign-in started on one
// finishes on the other, and they share the guess limit.
func TestTwoInstancesShareState(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	one := startOn(t, Config{DB: dsn}, clk)
	two := startOn(t, Config{DB: dsn}, clk)
	ctx := context.Background()
	const email, pw = "grace@example.com", "grace's passphrase"
	c := one.signup(email, pw)
	secret, _ := one.enableTOTP(c, pw)
	two.secret(one.secrets...)
	clk.Add(30 * time.Second)

	// Password on instance one, TOTP on instance two.
	s1, r := one.login(email, pw)
	two.secret(r.SessionToken)
	s2 := two.client().WithToken(s1.Token)
	mr := must[*enroll.SessionResponse](t)(s2.LoginMFA(ctx, "totp", one.totp(secret)))
	if mr.AAL != 2 {
		t.Fatalf("login/mfa on the second instance = %+v", mr)
	}
	must[*enroll.Me](t)(s1.Me(ctx))
	must[*enroll.Me](t)(s2.Me(ctx))

	// Wrong guesses alternate between the instances; the sixth is refused.
	a, r := one.login(email, pw)
	two.secret(r.SessionToken)
	b := two.client().WithToken(a.Token)
	for i, code := range wrongCodes(t, one, secret, maxGuesses) {
		cl := a
		if i%2 == 1 {
			cl = b
		}
		_, err := cl.LoginMFA(ctx, "totp", code)
		wantErr(t, err, 400, "invalid_code")
	}
	_, err := b.LoginMFA(ctx, "totp", one.totp(secret))
	wantErr(t, err, 429, "too_many_attempts")
	_, err = a.LoginMFA(ctx, "totp", one.totp(secret))
	wantErr(t, err, 429, "too_many_attempts")
	// The outbox is shared too.
	if len(must[[]enroll.OutboxMessage](t)(two.client().Outbox(ctx))) == 0 {
		t.Fatal("instance two sees an empty outbox")
	}
}

// Codes of different steps can be the same (one chance in a million for
// each pair). A code that is right for a step not used yet signs in even
// when an earlier step, already used, had the same code; the same code
// once more is then a replay.
func TestTOTPCodeSharedWithUsedStep(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, Config{})
			ctx := context.Background()
			const email, pw = "ivan@example.com", "ivan's passphrase"
			c := e.signup(email, pw)
			secret, _ := e.enableTOTP(c, pw)
			raw, err := vault.DecodeSecret(secret)
			if err != nil {
				t.Fatal(err)
			}
			a := vault.Account{Type: vault.TOTP, Secret: raw, Algorithm: vault.SHA1, Digits: 6, Period: 30}
			codeAt := func(step int64) string {
				code, err := a.CodeAt(uint64(step))
				if err != nil {
					t.Fatal(err)
				}
				return code
			}
			// A step T, after the one that confirmed the key, whose
			// neighbours T-1 and T+1 have the same code and T another.
			first := e.clock.Now().Unix()/30 + 2
			prev, cur := codeAt(first-1), codeAt(first)
			var step int64
			for s := first; s < first+50_000_000; s++ {
				next := codeAt(s + 1)
				if next == prev && cur != prev {
					step = s
					break
				}
				prev, cur = cur, next
			}
			if step == 0 {
				t.Fatal("no step with equal neighbouring codes found")
			}
			code := codeAt(step - 1)
			e.secret(code)
			t.Logf("steps %d and %d share a code", step-1, step+1)

			// Sign in at step T-1 with its code: T-1 is used.
			e.clock.Add(time.Unix((step-1)*30+1, 0).Sub(e.clock.Now()))
			s1, _ := e.login(email, pw)
			if r := must[*enroll.SessionResponse](t)(s1.LoginMFA(ctx, "totp", code)); r.AAL != 2 {
				t.Fatalf("sign-in at step T-1: aal %d", r.AAL)
			}
			// At step T the same digits are T+1's code: not a replay.
			e.clock.Add(30 * time.Second)
			s2, _ := e.login(email, pw)
			if r := must[*enroll.SessionResponse](t)(s2.LoginMFA(ctx, "totp", code)); r.AAL != 2 {
				t.Fatalf("sign-in with the code of step T+1: aal %d", r.AAL)
			}
			// Now both steps with that code are used.
			s3, _ := e.login(email, pw)
			_, err = s3.LoginMFA(ctx, "totp", code)
			wantErr(t, err, 400, "code_already_used")
		})
	}
}
