package service

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// The sign-up flow: POST /v1/signup creates an unverified account and
// e-mails a 6-digit code; POST /v1/email/verify with that code verifies the
// address and signs in, pointing at the 2FA set-up next (as the Sales
// Engagement Tool does for new users); POST /v1/email/resend replaces the
// code.

// normalizeEmail lower-cases and checks an e-mail address.
func normalizeEmail(field, email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := required(field, email); err != nil {
		return "", err
	}
	if err := checkText(field, email, 254); err != nil {
		return "", err
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", badRequest("invalid_email", field, "%s is not an e-mail address like name@example.com", field)
	}
	return email, nil
}

func (s *Service) signup(c *call) error {
	var req enroll.SignupRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail("email", req.Email)
	if err != nil {
		return err
	}
	if err := required("name", req.Name); err != nil {
		return err
	}
	if err := checkText("name", req.Name, 200); err != nil {
		return err
	}
	if err := s.policy.check("password", req.Password, email); err != nil {
		return err
	}
	user := store.User{
		ID: newID(), Email: email, Name: req.Name, PasswordHash: hashPassword(req.Password),
		PasswordChangedAt: c.now, CreatedAt: c.now,
	}
	if err := s.store.CreateUser(c.ctx, user); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return apiError(http.StatusConflict, "email_taken", "email", "an account with this e-mail address exists; sign in instead")
		}
		return err
	}
	s.log.Info("signed up", "user", user.ID)
	if _, err := s.sendCode(c, user.ID, verifyEmailCode, user.Email); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusCreated, enroll.SignupResponse{UserID: user.ID, Email: user.Email, Next: enroll.NextVerifyEmail})
	return nil
}

func (s *Service) verifyEmail(c *call) error {
	var req enroll.VerifyEmailRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail("email", req.Email)
	if err != nil {
		return err
	}
	user, err := s.store.UserByEmail(c.ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return badRequest("no_code", "code", "no code is waiting for this address; sign up or ask for a new one")
	}
	if err != nil {
		return err
	}
	if !user.EmailVerifiedAt.IsZero() {
		return apiError(http.StatusConflict, "already_verified", "email", "this address is verified already; sign in")
	}
	if _, err := s.checkCode(c, user.ID, verifyEmailCode, req.Code, nil); err != nil {
		return err
	}
	if _, err := s.store.MarkEmailVerified(c.ctx, user.ID, c.now); err != nil {
		return err
	}
	user.EmailVerifiedAt = c.now
	s.log.Info("e-mail verified", "user", user.ID)
	token, sess, err := s.newSession(c, user, 1)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, enroll.SessionResponse{
		SessionToken: token, AAL: 1, MFA: enroll.MFAStatus{Methods: []string{}},
		Next: enroll.NextSetup2FA, ExpiresAt: sess.ExpiresAt,
	})
	return nil
}

func (s *Service) resendEmail(c *call) error {
	var req enroll.ResendRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail("email", req.Email)
	if err != nil {
		return err
	}
	// The answer is the same whether or not the address is registered.
	user, err := s.store.UserByEmail(c.ctx, email)
	if err == nil && user.EmailVerifiedAt.IsZero() {
		// Too soon is answered like the rest: the answer must not tell
		// which addresses are waiting.
		if _, err := s.sendCode(c, user.ID, verifyEmailCode, user.Email); err != nil && !isCode(err, "code_sent_recently") {
			return err
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	writeJSON(c.w, http.StatusAccepted, map[string]string{"status": "sent if the address is waiting for verification"})
	return nil
}
