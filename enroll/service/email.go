package service

import (
	"errors"
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// The e-mail factor (CloudCX, ConnectProf's "mail authentication"): a
// 6-digit code to the account's address, good for 10 minutes and 5 tries.

const emailLabel = "Sign-in codes by e-mail"

var emailFactor = factor{
	method: enroll.MethodEmail,
	label:  emailLabel,
	verifyLogin: func(s *Service, c *call, code string, then func(tx *store.Tx) error) error {
		_, err := s.checkCode(c, c.user.ID, loginEmailCode, code, then)
		return err
	},
	sendLoginCode: func(s *Service, c *call) (enroll.CodeSent, error) {
		return s.sendCode(c, c.user.ID, loginEmailCode, c.user.Email)
	},
	routes: func(s *Service) []route {
		return []route{
			{"POST", "/v1/mfa/email/setup", setup2FA, s.setupEmail},
			{"POST", "/v1/mfa/email/confirm", setup2FA, s.confirmEmail},
			{"DELETE", "/v1/mfa/email", full, func(c *call) error { return s.removeFactor(c, "email", emailLabel) }},
		}
	},
}

func (s *Service) setupEmail(c *call) error {
	if err := decodeOptional(c.r, &struct{}{}); err != nil {
		return err
	}
	if err := c.privileged(); err != nil {
		return err
	}
	err := s.store.PutPendingFactor(c.ctx, store.Factor{UserID: c.user.ID, Kind: "email", CreatedAt: c.now})
	if errors.Is(err, store.ErrConflict) {
		return apiError(http.StatusConflict, "already_enabled", "", "e-mail codes are on already")
	}
	if err != nil {
		return err
	}
	sent, err := s.sendCode(c, c.user.ID, setupEmailCode, c.user.Email)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusAccepted, sent)
	return nil
}

func (s *Service) confirmEmail(c *call) error {
	var req enroll.ConfirmRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	if err := required("code", req.Code); err != nil {
		return err
	}
	if f, ok := c.factor("email"); !ok || f.Confirmed() {
		return apiError(http.StatusConflict, "no_pending_setup", "", "start with POST /v1/mfa/email/setup")
	}
	if _, err := s.checkCode(c, c.user.ID, setupEmailCode, req.Code, nil); err != nil {
		return err
	}
	if _, err := s.store.ConfirmFactor(c.ctx, c.user.ID, "email", c.now, 0); err != nil {
		return err
	}
	return s.confirmFactor(c, "email", emailLabel)
}
