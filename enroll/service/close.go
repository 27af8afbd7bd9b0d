package service

import (
	"fmt"
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/notify"
)

// Closing an account (ConnectProf): with the password, a ticked
// acknowledgement and a fresh re-authentication, the account is closed and
// every session revoked. Signing in within 30 days reopens it; after that
// the purge (Service.Purge, run by accountd every --purge-interval)
// deletes its data.

func (s *Service) closeAccount(c *call) error {
	var req enroll.CloseRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	if err := required("password", req.Password); err != nil {
		return err
	}
	if !req.Acknowledged {
		return badRequest("not_acknowledged", "acknowledged", "tick that you have read the warnings: acknowledged must be true")
	}
	if err := c.privileged(); err != nil {
		return err
	}
	if err := s.checkUserPassword(c, "password", req.Password); err != nil {
		return err
	}
	deletion := c.now.Add(deletionDelay)
	if err := s.store.CloseUser(c.ctx, c.user.ID, c.now, deletion); err != nil {
		return err
	}
	s.log.Info("account closed", "user", c.user.ID)
	err := s.email.Send(c.ctx, notify.Message{
		Channel: "email", To: c.user.Email, Subject: fmt.Sprintf("%s: your account is closed", s.issuer),
		Body: fmt.Sprintf("Your %s account was closed. Sign in before %s to reactivate it; after that its data is deleted for good.",
			s.issuer, deletion.UTC().Format("2006-01-02 15:04 MST")),
	})
	if err != nil {
		s.log.Error("notification e-mail failed", "user", c.user.ID, "err", err)
	}
	writeJSON(c.w, http.StatusOK, enroll.CloseResponse{DeletionAt: deletion})
	return nil
}
