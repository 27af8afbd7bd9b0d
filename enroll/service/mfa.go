package service

import (
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// factor is one kind of second factor. Each lives in its own file
// (totp.go, email.go, sms.go, backupcodes.go) with its set-up routes and
// the check it makes at sign-in; the flows only go through this list, so a
// new factor (WebAuthn, say) is one new file and one line below.
type factor struct {
	method string
	// label names the factor in notification e-mails.
	label string
	// verifyLogin checks a sign-in code; nil error means it was right.
	// then makes the writes that go with a right code (raising the
	// session): in the same transaction as the check, through guardedTx.
	verifyLogin func(s *Service, c *call, code string, then func(tx *store.Tx) error) error
	// sendLoginCode sends a sign-in code (factors that deliver codes).
	sendLoginCode func(s *Service, c *call) (enroll.CodeSent, error)
	// routes are the factor's own endpoints.
	routes func(s *Service) []route
}

var factors = []*factor{&totpFactor, &emailFactor, &smsFactor, &backupCodeFactor}

func factorByMethod(method string) *factor {
	for _, f := range factors {
		if f.method == method {
			return f
		}
	}
	return nil
}

// confirmFactor finishes the set-up of a factor: the session has just
// proved it, so it becomes aal 2; if it is the user's first factor, the
// backup codes are made and returned, the only time they are shown.
func (s *Service) confirmFactor(c *call, method, label string) error {
	first := !c.mfaEnabled()
	resp := enroll.Confirmed{Method: method, MFAEnabled: true, AAL: 2}
	if first {
		codes, err := s.newBackupCodes(c)
		if err != nil {
			return err
		}
		resp.BackupCodes = codes
	}
	if err := s.store.RaiseAAL(c.ctx, c.sess.ID, 2); err != nil {
		return err
	}
	s.log.Info("factor turned on", "user", c.user.ID, "method", method)
	s.notifyChange(c, c.user, label+" turned on")
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}

// removeFactor is DELETE /v1/mfa/{method}: privileged.
func (s *Service) removeFactor(c *call, method, label string) error {
	if err := c.privileged(); err != nil {
		return err
	}
	fa, ok := c.factor(method)
	if !ok {
		return apiError(http.StatusNotFound, "not_enabled", "", "%s is not set up", label)
	}
	if s.require2FA && fa.Confirmed() && len(c.confirmed()) == 1 {
		return apiError(http.StatusConflict, "mfa_required_by_policy", "",
			"this service requires two-factor authentication: set up another factor before removing this one")
	}
	c.backupLeft = -1 // the last factor takes the backup codes with it
	found, err := s.store.DeleteFactor(c.ctx, c.user.ID, method)
	if err != nil {
		return err
	}
	if !found {
		return apiError(http.StatusNotFound, "not_enabled", "", "%s is not set up", label)
	}
	if fa.Confirmed() {
		s.log.Info("factor turned off", "user", c.user.ID, "method", method)
		s.notifyChange(c, c.user, label+" turned off")
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// disableMFA is DELETE /v1/mfa: every factor and backup code goes.
func (s *Service) disableMFA(c *call) error {
	if err := c.privileged(); err != nil {
		return err
	}
	if s.require2FA {
		return apiError(http.StatusConflict, "mfa_required_by_policy", "", "this service requires two-factor authentication; it cannot be turned off")
	}
	c.backupLeft = -1
	n, err := s.store.DeleteAllFactors(c.ctx, c.user.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("two-factor authentication turned off", "user", c.user.ID)
		s.notifyChange(c, c.user, "Two-factor authentication was turned off")
	}
	writeJSON(c.w, http.StatusOK, enroll.MFAOff{MFAEnabled: false, RemovedFactors: n})
	return nil
}
