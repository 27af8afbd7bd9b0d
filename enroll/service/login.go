package service

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// The sign-in flow: POST /v1/login checks the password and opens a session.
// Without 2FA the session is complete (aal 1). With 2FA it is aal 1 and can
// do nothing but finish signing in: POST /v1/login/code sends an e-mail or
// SMS code when that is the chosen factor, POST /v1/login/mfa takes a code
// of any factor and raises the session to aal 2, and POST
// /v1/login/lost-device ("lost your two-factor device?", Salestrekker)
// sends an SMS code to the phone on file once the user types its last four
// digits. Signing in to a closed account within its 30 days reopens it.

var errBadLogin = apiError(http.StatusUnauthorized, "invalid_credentials", "", "wrong e-mail address or password")

// dummy is an argon2id hash of nothing, checked for unknown addresses so
// that a wrong address takes as long as a wrong password.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash = hashPassword(newToken()) })
	return s.dummyHash
}

func (s *Service) login(c *call) error {
	var req enroll.LoginRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail("email", req.Email)
	if err != nil {
		return err
	}
	if err := required("password", req.Password); err != nil {
		return err
	}
	if len(req.Password) > 1024 {
		return errBadLogin
	}
	user, err := s.store.UserByEmail(c.ctx, email)
	if err == nil && !user.ClosedAt.IsZero() && !user.DeletionAt.After(c.now) {
		err = store.ErrNotFound // closed and past its 30 days: as good as purged
	}
	if errors.Is(err, store.ErrNotFound) {
		checkPassword(s.dummy(), req.Password)
		return errBadLogin
	}
	if err != nil {
		return err
	}
	ok, err := s.guarded(c, user.ID, "password", func() (bool, error) {
		return checkPassword(user.PasswordHash, req.Password)
	})
	if err != nil {
		return err
	}
	if !ok {
		s.log.Info("sign-in refused", "user", user.ID, "reason", "wrong password")
		return errBadLogin
	}
	if user.EmailVerifiedAt.IsZero() {
		return apiError(http.StatusForbidden, "email_not_verified", "email", "verify your e-mail address first: enter the code we sent (POST /v1/email/verify)")
	}
	reactivated := false
	if !user.ClosedAt.IsZero() {
		if reactivated, err = s.store.Reactivate(c.ctx, user.ID, c.now); err != nil {
			return err
		}
		s.log.Info("closed account reactivated", "user", user.ID)
	}
	c.user = user
	if c.factors, err = s.store.Factors(c.ctx, user.ID); err != nil {
		return err
	}
	token, sess, err := s.newSession(c, user, 1)
	if err != nil {
		return err
	}
	c.sess, c.token = sess, token
	resp, err := s.sessionResponse(c)
	if err != nil {
		return err
	}
	resp.Reactivated = reactivated
	s.log.Info("signed in", "user", user.ID, "aal", 1, "mfa_required", resp.MFA.Required)
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}

// sessionResponse describes c's session and what the client should do next.
func (s *Service) sessionResponse(c *call) (enroll.SessionResponse, error) {
	methods, err := s.loginMethods(c)
	if err != nil {
		return enroll.SessionResponse{}, err
	}
	resp := enroll.SessionResponse{
		SessionToken: c.token, AAL: c.sess.AAL, ExpiresAt: c.sess.ExpiresAt,
		MFA:             enroll.MFAStatus{Required: c.mfaEnabled() && c.sess.AAL < 2, Methods: methods},
		PasswordExpired: s.passwordExpired(c.user, c.now),
	}
	switch {
	case resp.MFA.Required:
		resp.Next = enroll.NextMFA
	case resp.PasswordExpired:
		resp.Next = enroll.NextChangePassword
	case s.require2FA && !c.mfaEnabled():
		resp.Next = enroll.NextSetup2FA
	default:
		resp.Next = enroll.NextDone
	}
	return resp, nil
}

// loginMethods are the second factors the user can sign in with.
func (s *Service) loginMethods(c *call) ([]string, error) {
	methods := []string{}
	if !c.mfaEnabled() {
		return methods, nil
	}
	methods = append(methods, c.confirmed()...)
	left, err := s.backupCodesLeft(c)
	if err != nil {
		return nil, err
	}
	if left > 0 {
		methods = append(methods, enroll.MethodBackupCode)
	}
	return methods, nil
}

func (s *Service) loginCode(c *call) error {
	var req enroll.LoginCodeRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	f := factorByMethod(req.Method)
	if f == nil || f.sendLoginCode == nil {
		return badRequest("invalid_method", "method", "method must be email or sms")
	}
	if _, ok := c.factor(req.Method); !ok || !contains(c.confirmed(), req.Method) {
		return badRequest("method_not_enabled", "method", "%s codes are not turned on for this account", req.Method)
	}
	sent, err := f.sendLoginCode(s, c)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusAccepted, sent)
	return nil
}

func (s *Service) loginMFA(c *call) error {
	var req enroll.LoginMFARequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	f := factorByMethod(req.Method)
	if f == nil {
		return badRequest("invalid_method", "method", "method must be totp, email, sms or backup_code")
	}
	if err := required("code", req.Code); err != nil {
		return err
	}
	if len(req.Code) > 64 {
		return badRequest("invalid_code", "code", "wrong code")
	}
	if !c.mfaEnabled() {
		return apiError(http.StatusConflict, "mfa_not_enabled", "method", "this account has no second factor; the sign-in is complete")
	}
	// The session is raised in the transaction that checks the code: one
	// commit for the guess count, the code's use and the new level.
	raise := func(tx *store.Tx) error { return tx.RaiseAAL(c.sess.ID, 2) }
	if err := f.verifyLogin(s, c, req.Code, raise); err != nil {
		if isAPIError(err) {
			s.log.Info("second factor refused", "user", c.user.ID, "method", req.Method)
		}
		return err
	}
	c.sess.AAL = 2
	s.log.Info("signed in", "user", c.user.ID, "aal", 2, "method", req.Method)
	resp, err := s.sessionResponse(c)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}

func (s *Service) lostDevice(c *call) error {
	var req enroll.LostDeviceRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	last4 := req.PhoneLast4
	if len(last4) != 4 || !allDigits(last4) {
		return badRequest("invalid_value", "phone_last4", "phone_last4 is the last four digits of your phone number")
	}
	if !c.mfaEnabled() {
		return apiError(http.StatusConflict, "mfa_not_enabled", "", "this account has no second factor; the sign-in is complete")
	}
	phone := c.user.Phone
	if phone == "" {
		if f, ok := c.factor("sms"); ok && f.Confirmed() {
			phone = f.Phone
		}
	}
	if len(phone) < 4 {
		return apiError(http.StatusConflict, "no_phone", "", "there is no phone number on file; use a backup code or contact support")
	}
	ok, err := s.guarded(c, c.user.ID, "lost_device", func() (bool, error) {
		return subtle.ConstantTimeCompare([]byte(phone[len(phone)-4:]), []byte(last4)) == 1, nil
	})
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("phone_mismatch", "phone_last4", "those are not the last four digits of the phone number on file")
	}
	sent, err := s.sendCode(c, c.user.ID, loginSMSCode, phone)
	if err != nil {
		return err
	}
	s.log.Info("lost-device code sent", "user", c.user.ID)
	writeJSON(c.w, http.StatusAccepted, sent)
	return nil
}

func (s *Service) logout(c *call) error {
	if _, err := s.store.DeleteSession(c.ctx, c.user.ID, c.sess.ID); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
