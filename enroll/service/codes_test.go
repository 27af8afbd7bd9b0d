package service

import (
	"context"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

// TestCodesNotResentTooSoon: a code asked for again within codeResendGap
// is not sent. The public resend answers as always (it must not tell which
// addresses wait for verification); a signed-in request gets 429 with
// Retry-After. After the gap a new code goes out and works.
func TestCodesNotResentTooSoon(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			e := start(t, kind, Config{})
			ctx := context.Background()
			const email, password = "bob@example.com", "correct horse battery"
			e.secret(password)
			bob := e.client()
			must[*enroll.SignupResponse](t)(bob.Signup(ctx, email, password, "Bob"))
			sent := func() int {
				n := 0
				for _, m := range must[[]enroll.OutboxMessage](t)(e.client().Outbox(ctx)) {
					if m.To == email {
						n++
					}
				}
				return n
			}

			must[struct{}](t)(struct{}{}, bob.ResendEmail(ctx, email))
			if n := sent(); n != 1 {
				t.Fatalf("a resend at once sent a message: %d messages", n)
			}
			e.clock.Add(codeResendGap)
			must[struct{}](t)(struct{}{}, bob.ResendEmail(ctx, email))
			if n := sent(); n != 2 {
				t.Fatalf("a resend after %v: %d messages, want 2", codeResendGap, n)
			}
			vr := must[*enroll.SessionResponse](t)(bob.VerifyEmail(ctx, email, e.code(email)))
			e.secret(vr.SessionToken)

			must[*enroll.ReauthResponse](t)(bob.Reauth(ctx, password))
			must[*enroll.CodeSent](t)(bob.SetupEmail(ctx))
			e.clock.Add(10 * time.Second)
			_, err := bob.SetupEmail(ctx)
			if r := wantErr(t, err, 429, "code_sent_recently").RetryAfter; r != codeResendGap-10*time.Second {
				t.Fatalf("Retry-After %v, want %v", r, codeResendGap-10*time.Second)
			}
			if n := sent(); n != 3 {
				t.Fatalf("%d messages after a refused request, want 3", n)
			}
			e.clock.Add(20 * time.Second)
			must[*enroll.CodeSent](t)(bob.SetupEmail(ctx))
			if n := sent(); n != 4 {
				t.Fatalf("%d messages after the gap, want 4", n)
			}
		})
	}
}
