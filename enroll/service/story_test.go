package service

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
	"github.com/authdesk/authdesk/vault"
	"github.com/authdesk/authdesk/vault/scan"
)

// TestStory walks every flow of the API as one user would, over real HTTP,
// on SQLite and on PostgreSQL.
func TestStory(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) { story(t, kind) })
	}
}

func story(t *testing.T, kind string) {
	e := start(t, kind, Config{})
	ctx := context.Background()
	const email, password = "alice@example.com", "correct horse battery"

	// The service is up and says what it wants of a password.
	anon := e.client()
	if h := must[*enroll.Health](t)(anon.Health(ctx)); h.Status != "ok" || h.Database != kind {
		t.Fatalf("health = %+v", h)
	}
	pol := must[*enroll.Policy](t)(anon.Policy(ctx))
	if pol.Name != "nist" || pol.Password.MinLength != 8 || !slices.Contains(pol.Factors, "sms") {
		t.Fatalf("policy = %+v", pol)
	}

	// Alice signs up; the code comes by e-mail; she verifies and is asked to set up 2FA.
	alice := e.client()
	e.secret(password)
	_, err := alice.Signup(ctx, email, "password", "Alice")
	wantErr(t, err, 400, "weak_password")
	su := must[*enroll.SignupResponse](t)(alice.Signup(ctx, email, password, "Alice"))
	if su.Next != enroll.NextVerifyEmail {
		t.Fatalf("signup next = %q", su.Next)
	}
	_, err = alice.Signup(ctx, email, password, "Alice again")
	wantErr(t, err, 409, "email_taken")
	_, err = alice.Login(ctx, email, password)
	wantErr(t, err, 403, "email_not_verified")
	_, err = alice.VerifyEmail(ctx, email, "000000")
	if err == nil {
		t.Fatal("a wrong verification code was accepted")
	}
	e.clock.Add(codeResendGap)                                   // sooner, nothing is sent (TestCodesNotResentTooSoon)
	must[struct{}](t)(struct{}{}, alice.ResendEmail(ctx, email)) // replaces the code
	vr := must[*enroll.SessionResponse](t)(alice.VerifyEmail(ctx, email, e.code(email)))
	e.secret(vr.SessionToken)
	if vr.Next != enroll.NextSetup2FA || vr.AAL != 1 || alice.Token == "" {
		t.Fatalf("verify = %+v", vr)
	}

	// Her details, with a phone number in national format.
	me := must[*enroll.Me](t)(alice.UpdateMe(ctx, enroll.UpdateMeRequest{
		TradeName: ptr("Alice AB"), Country: ptr("Sverige"), City: ptr("Göteborg"),
		BirthDate: ptr("1990-04-25"), Phone: ptr("0701234567"),
	}))
	if me.Phone != "0701234567" || me.City != "Göteborg" || me.Security.MFAEnabled {
		t.Fatalf("me = %+v", me)
	}
	_, err = alice.UpdateMe(ctx, enroll.UpdateMeRequest{Phone: ptr("070 123 45 67")})
	wantErr(t, err, 400, "invalid_phone")

	// Setting up the authenticator app needs the password again first.
	_, err = alice.SetupTOTP(ctx)
	wantErr(t, err, 403, "reauth_required")
	_, err = alice.Reauth(ctx, "wrong password!")
	wantErr(t, err, 400, "wrong_password")
	rr := must[*enroll.ReauthResponse](t)(alice.Reauth(ctx, password))
	if d := rr.PrivilegedUntil.Sub(e.clock.Now()); d != 10*time.Minute {
		t.Fatalf("privileged for %v", d)
	}
	setup := must[*enroll.TOTPSetup](t)(alice.SetupTOTP(ctx))
	e.secret(setup.Secret)
	texts, err := scan.DecodeBytes(setup.QRPNG)
	if err != nil || len(texts) != 1 || texts[0] != setup.OTPAuthURI {
		t.Fatalf("the QR code reads %q, %v; want the otpauth URI", texts, err)
	}
	acct, err := vault.ParseURI(texts[0])
	if err != nil {
		t.Fatal(err)
	}
	if acct.Issuer != "Authdesk" || acct.Name != email || acct.SecretBase32() != setup.Secret || len(acct.Secret) != 20 {
		t.Fatalf("scanned account = %+v", acct)
	}
	_, err = alice.ConfirmTOTP(ctx, "123456")
	wantErr(t, err, 400, "invalid_code")
	confirmCode := e.totp(setup.Secret)
	conf := must[*enroll.Confirmed](t)(alice.ConfirmTOTP(ctx, confirmCode))
	e.secret(conf.BackupCodes...)
	if len(conf.BackupCodes) != 10 || !conf.MFAEnabled {
		t.Fatalf("confirm = %+v", conf)
	}
	backup := conf.BackupCodes
	if !strings.Contains(lastMail(t, e, email).Subject, "two-factor authentication changed") {
		t.Fatal("no notification e-mail after turning on the authenticator app")
	}

	// She signs out and in again: the password alone is not enough now.
	must[struct{}](t)(struct{}{}, alice.Logout(ctx))
	_, err = alice.Me(ctx)
	wantErr(t, err, 401, "unauthorized")
	alice, lr := e.login(email, password)
	if !lr.MFA.Required || lr.AAL != 1 || lr.Next != enroll.NextMFA || !slices.Equal(lr.MFA.Methods, []string{"totp", "backup_code"}) {
		t.Fatalf("login = %+v", lr)
	}
	_, err = alice.Me(ctx)
	wantErr(t, err, 403, "mfa_required")
	// The code that confirmed the app cannot sign in (same time step).
	_, err = alice.LoginMFA(ctx, "totp", confirmCode)
	wantErr(t, err, 400, "code_already_used")
	e.clock.Add(30 * time.Second)
	code := e.totp(setup.Secret)
	mr := must[*enroll.SessionResponse](t)(alice.LoginMFA(ctx, "totp", code))
	if mr.AAL != 2 || mr.Next != enroll.NextDone || mr.MFA.Required {
		t.Fatalf("login/mfa = %+v", mr)
	}
	if me := must[*enroll.Me](t)(alice.Me(ctx)); !me.Security.MFAEnabled || me.Security.BackupCodesRemaining != 10 {
		t.Fatalf("me = %+v", me.Security)
	}
	// Replay of the same code in another sign-in is refused.
	other, _ := e.login(email, password)
	_, err = other.LoginMFA(ctx, "totp", code)
	wantErr(t, err, 400, "code_already_used")

	// A backup code works once.
	_, err = other.LoginMFA(ctx, "backup_code", strings.ToUpper(backup[0]))
	if err != nil {
		t.Fatalf("backup code: %v", err)
	}
	third, _ := e.login(email, password)
	_, err = third.LoginMFA(ctx, "backup_code", backup[0])
	wantErr(t, err, 400, "invalid_code")
	if st := must[*enroll.BackupCodesStatus](t)(other.BackupCodesStatus(ctx)); st.Remaining != 9 || st.Total != 10 {
		t.Fatalf("backup codes = %+v", st)
	}

	// Lost device: an SMS code to the phone on file, after its last four digits.
	_, err = third.LostDevice(ctx, "1111")
	wantErr(t, err, 400, "phone_mismatch")
	sent := must[*enroll.CodeSent](t)(third.LostDevice(ctx, "4567"))
	if sent.Channel != "sms" || !strings.HasSuffix(sent.SentTo, "4567") || strings.Contains(sent.SentTo, "0701") {
		t.Fatalf("lost device sent = %+v", sent)
	}
	if m := lastMsg(t, e, "0701234567"); m.Channel != "sms" {
		t.Fatalf("lost-device message = %+v", m)
	}
	must[*enroll.SessionResponse](t)(third.LoginMFA(ctx, "sms", e.code("0701234567")))

	// SMS codes as a factor, on another number; they live one minute.
	must[*enroll.ReauthResponse](t)(third.Reauth(ctx, password))
	_, err = third.SetupSMS(ctx, "+4670 1234567")
	wantErr(t, err, 400, "invalid_phone")
	must[*enroll.CodeSent](t)(third.SetupSMS(ctx, "+46709876543"))
	if c := must[*enroll.Confirmed](t)(third.ConfirmSMS(ctx, e.code("+46709876543"))); len(c.BackupCodes) != 0 {
		t.Fatal("backup codes were shown again for a second factor")
	}
	s1, _ := e.login(email, password)
	must[*enroll.CodeSent](t)(s1.SendLoginCode(ctx, "sms"))
	smsCode := e.code("+46709876543")
	e.clock.Add(61 * time.Second)
	_, err = s1.LoginMFA(ctx, "sms", smsCode)
	wantErr(t, err, 400, "code_expired")
	must[*enroll.CodeSent](t)(s1.SendLoginCode(ctx, "sms"))
	must[*enroll.SessionResponse](t)(s1.LoginMFA(ctx, "sms", e.code("+46709876543")))

	// E-mail codes as a factor.
	must[*enroll.ReauthResponse](t)(s1.Reauth(ctx, password))
	must[*enroll.CodeSent](t)(s1.SetupEmail(ctx))
	must[*enroll.Confirmed](t)(s1.ConfirmEmail(ctx, e.code(email)))
	s2, lr2 := e.login(email, password)
	if !slices.Equal(lr2.MFA.Methods, []string{"email", "sms", "totp", "backup_code"}) {
		t.Fatalf("methods = %v", lr2.MFA.Methods)
	}
	must[*enroll.CodeSent](t)(s2.SendLoginCode(ctx, "email"))
	_, err = s2.LoginMFA(ctx, "email", "999999")
	wantErr(t, err, 400, "invalid_code")
	must[*enroll.SessionResponse](t)(s2.LoginMFA(ctx, "email", e.code(email)))

	// Removing one factor needs re-authentication too; it is only this
	// session's window that counts, and it closes after 10 minutes.
	err = s2.RemoveEmail(ctx)
	wantErr(t, err, 403, "reauth_required")
	must[*enroll.ReauthResponse](t)(s2.Reauth(ctx, password))
	e.clock.Add(11 * time.Minute)
	err = s2.RemoveEmail(ctx)
	wantErr(t, err, 403, "reauth_required")
	must[*enroll.ReauthResponse](t)(s2.Reauth(ctx, password))
	must[struct{}](t)(struct{}{}, s2.RemoveEmail(ctx))

	// New backup codes void the old ones.
	fresh := must[[]string](t)(s2.RegenerateBackupCodes(ctx))
	e.secret(fresh...)
	s3, _ := e.login(email, password)
	_, err = s3.LoginMFA(ctx, "backup_code", backup[1])
	wantErr(t, err, 400, "invalid_code")
	must[*enroll.SessionResponse](t)(s3.LoginMFA(ctx, "backup_code", fresh[0]))

	// Turning 2FA off: refused without re-authentication, done with it.
	_, err = s3.DisableMFA(ctx)
	wantErr(t, err, 403, "reauth_required")
	must[*enroll.ReauthResponse](t)(s3.Reauth(ctx, password))
	off := must[*enroll.MFAOff](t)(s3.DisableMFA(ctx))
	if off.MFAEnabled || off.RemovedFactors != 2 {
		t.Fatalf("mfa off = %+v", off)
	}
	if !strings.Contains(lastMail(t, e, email).Body, "turned off") {
		t.Fatal("no notification e-mail after turning 2FA off")
	}
	a, lr3 := e.login(email, password)
	if lr3.MFA.Required || lr3.Next != enroll.NextDone || len(lr3.MFA.Methods) != 0 {
		t.Fatalf("login without 2FA = %+v", lr3)
	}

	// Changing the password signs the other sessions out.
	b, _ := e.login(email, password)
	const newPassword = "another fine passphrase"
	e.secret(newPassword)
	_, err = a.ChangePassword(ctx, "not it at all", newPassword, newPassword)
	wantErr(t, err, 400, "wrong_password")
	_, err = a.ChangePassword(ctx, password, newPassword, newPassword+"x")
	wantErr(t, err, 400, "password_mismatch")
	_, err = a.ChangePassword(ctx, password, "12345678", "12345678")
	wantErr(t, err, 400, "weak_password")
	cp := must[*enroll.ChangePasswordResponse](t)(a.ChangePassword(ctx, password, newPassword, newPassword))
	if cp.RevokedSessions < 1 {
		t.Fatalf("revoked %d sessions", cp.RevokedSessions)
	}
	_, err = b.Me(ctx)
	wantErr(t, err, 401, "invalid_session")
	must[*enroll.Me](t)(a.Me(ctx))
	_, err = e.client().Login(ctx, email, password)
	wantErr(t, err, 401, "invalid_credentials")

	// Sessions: list them and sign one out.
	c, _ := e.login(email, newPassword)
	list := must[[]enroll.Session](t)(a.Sessions(ctx))
	if len(list) != 2 {
		t.Fatalf("sessions = %+v", list)
	}
	var cid string
	for _, s := range list {
		if !s.Current {
			cid = s.ID
		}
		if s.UserAgent != "authdesk-test" || s.IP != "127.0.0.1" {
			t.Fatalf("session = %+v", s)
		}
	}
	must[struct{}](t)(struct{}{}, a.RevokeSession(ctx, cid))
	_, err = c.Me(ctx)
	wantErr(t, err, 401, "invalid_session")
	wantErr(t, a.RevokeSession(ctx, cid), 404, "not_found")

	// Closing the account: password, acknowledgement, re-authentication.
	_, err = a.CloseAccount(ctx, newPassword, true)
	wantErr(t, err, 403, "reauth_required")
	must[*enroll.ReauthResponse](t)(a.Reauth(ctx, newPassword))
	_, err = a.CloseAccount(ctx, newPassword, false)
	wantErr(t, err, 400, "not_acknowledged")
	cr := must[*enroll.CloseResponse](t)(a.CloseAccount(ctx, newPassword, true))
	if d := cr.DeletionAt.Sub(e.clock.Now()); d != 30*24*time.Hour {
		t.Fatalf("deletion in %v", d)
	}
	_, err = a.Me(ctx)
	wantErr(t, err, 401, "invalid_session")
	// Signing in within 30 days reactivates it.
	e.clock.Add(29 * 24 * time.Hour)
	if n := must[int](t)(e.svc.Purge(ctx)); n != 0 {
		t.Fatalf("purged %d accounts inside the grace period", n)
	}
	a, lr4 := e.login(email, newPassword)
	if !lr4.Reactivated {
		t.Fatalf("login = %+v, want reactivated", lr4)
	}
	if me := must[*enroll.Me](t)(a.Me(ctx)); me.TradeName != "Alice AB" {
		t.Fatalf("the reactivated account lost its data: %+v", me)
	}
	// Closed again and left for 30 days, it is purged.
	must[*enroll.ReauthResponse](t)(a.Reauth(ctx, newPassword))
	must[*enroll.CloseResponse](t)(a.CloseAccount(ctx, newPassword, true))
	e.clock.Add(30*24*time.Hour + time.Second)
	if n := must[int](t)(e.svc.Purge(ctx)); n != 1 {
		t.Fatalf("purged %d accounts, want 1", n)
	}
	_, err = e.client().Login(ctx, email, newPassword)
	wantErr(t, err, 401, "invalid_credentials")
	// The address is free again.
	e.signup(email, password)
}

func ptr[T any](v T) *T { return &v }

func lastMsg(t *testing.T, e *env, to string) enroll.OutboxMessage {
	t.Helper()
	msgs := must[[]enroll.OutboxMessage](t)(e.client().Outbox(context.Background()))
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			return msgs[i]
		}
	}
	t.Fatalf("no message to %s", to)
	return enroll.OutboxMessage{}
}

func lastMail(t *testing.T, e *env, to string) enroll.OutboxMessage {
	m := lastMsg(t, e, to)
	if m.Channel != "email" {
		t.Fatalf("last message to %s is %s", to, m.Channel)
	}
	return m
}
