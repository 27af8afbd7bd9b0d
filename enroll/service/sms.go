package service

import (
	"errors"
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// The SMS factor (Salestrekker): a 6-digit code by SMS, good for one
// minute and 5 tries; set-up sends the first code to the number given.

const smsLabel = "Sign-in codes by SMS"

var smsFactor = factor{
	method: enroll.MethodSMS,
	label:  smsLabel,
	verifyLogin: func(s *Service, c *call, code string, then func(tx *store.Tx) error) error {
		// Also takes the code POST /v1/login/lost-device sent.
		_, err := s.checkCode(c, c.user.ID, loginSMSCode, code, then)
		return err
	},
	sendLoginCode: func(s *Service, c *call) (enroll.CodeSent, error) {
		f, _ := c.factor("sms")
		return s.sendCode(c, c.user.ID, loginSMSCode, f.Phone)
	},
	routes: func(s *Service) []route {
		return []route{
			{"POST", "/v1/mfa/sms/setup", setup2FA, s.setupSMS},
			{"POST", "/v1/mfa/sms/confirm", setup2FA, s.confirmSMS},
			{"DELETE", "/v1/mfa/sms", full, func(c *call) error { return s.removeFactor(c, "sms", smsLabel) }},
		}
	},
}

func (s *Service) setupSMS(c *call) error {
	var req enroll.SMSSetupRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	if err := checkPhone("phone", req.Phone); err != nil {
		return err
	}
	if req.Phone == "" {
		return badRequest("required", "phone", "phone is required")
	}
	if err := c.privileged(); err != nil {
		return err
	}
	if s.sms == nil {
		return apiError(http.StatusConflict, "sms_unavailable", "", "this service cannot send SMS")
	}
	err := s.store.PutPendingFactor(c.ctx, store.Factor{UserID: c.user.ID, Kind: "sms", Phone: req.Phone, CreatedAt: c.now})
	if errors.Is(err, store.ErrConflict) {
		return apiError(http.StatusConflict, "already_enabled", "", "SMS codes are on already; remove them first to change the number")
	}
	if err != nil {
		return err
	}
	sent, err := s.sendCode(c, c.user.ID, setupSMSCode, req.Phone)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusAccepted, sent)
	return nil
}

func (s *Service) confirmSMS(c *call) error {
	var req enroll.ConfirmRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	if err := required("code", req.Code); err != nil {
		return err
	}
	f, ok := c.factor("sms")
	if !ok || f.Confirmed() {
		return apiError(http.StatusConflict, "no_pending_setup", "", "start with POST /v1/mfa/sms/setup")
	}
	code, err := s.checkCode(c, c.user.ID, setupSMSCode, req.Code, nil)
	if err != nil {
		return err
	}
	if code.Phone != f.Phone {
		return apiError(http.StatusConflict, "no_pending_setup", "", "the number changed since this code was sent; start again")
	}
	if _, err := s.store.ConfirmFactor(c.ctx, c.user.ID, "sms", c.now, 0); err != nil {
		return err
	}
	return s.confirmFactor(c, "sms", smsLabel)
}
