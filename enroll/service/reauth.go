package service

import (
	"net/http"

	"github.com/authdesk/authdesk/enroll"
)

// Re-authentication: POST /v1/reauth checks the password again and opens a
// 10-minute window in which the session may add or remove a factor, make
// new backup codes, turn 2FA off or close the account. Only this opens it —
// not signing in — as Azets Cozone asks for the password right before
// enabling the authenticator app.

func (s *Service) reauth(c *call) error {
	var req enroll.ReauthRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	if err := required("password", req.Password); err != nil {
		return err
	}
	if err := s.checkUserPassword(c, "password", req.Password); err != nil {
		return err
	}
	until := c.now.Add(reauthWindow)
	if err := s.store.SetPrivileged(c.ctx, c.sess.ID, until); err != nil {
		return err
	}
	s.log.Info("re-authenticated", "user", c.user.ID)
	writeJSON(c.w, http.StatusOK, enroll.ReauthResponse{PrivilegedUntil: until})
	return nil
}

// checkUserPassword checks the signed-in user's password under the guess
// limit, refusing with 400 wrong_password naming field.
func (s *Service) checkUserPassword(c *call, field, password string) error {
	if len(password) > 1024 {
		return badRequest("wrong_password", field, "wrong password")
	}
	ok, err := s.guarded(c, c.user.ID, "password", func() (bool, error) {
		return checkPassword(c.user.PasswordHash, password)
	})
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("wrong_password", field, "wrong password")
	}
	return nil
}
