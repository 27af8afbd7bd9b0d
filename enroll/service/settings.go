package service

import (
	"net/http"
	"time"

	"github.com/authdesk/authdesk/enroll"
)

// Account settings (ConnectProf's "Edit my account"): the details, the
// password change, and the list of sessions.

func (s *Service) getMe(c *call) error {
	left, err := s.backupCodesLeft(c)
	if err != nil {
		return err
	}
	u := c.user
	me := enroll.Me{
		ID: u.ID, Email: u.Email, EmailVerified: !u.EmailVerifiedAt.IsZero(), Name: u.Name,
		TradeName: u.TradeName, Country: u.Country, City: u.City, BirthDate: u.BirthDate, Phone: u.Phone,
		CreatedAt: u.CreatedAt,
		Security: enroll.Security{
			MFAEnabled: c.mfaEnabled(), Methods: append([]string{}, c.confirmed()...),
			BackupCodesRemaining: left, PasswordChangedAt: u.PasswordChangedAt,
			PasswordExpiresAt: s.passwordExpiresAt(u),
		},
	}
	if f, ok := c.factor("sms"); ok && f.Confirmed() {
		me.Security.SMSPhone = f.Phone
	}
	writeJSON(c.w, http.StatusOK, me)
	return nil
}

func (s *Service) patchMe(c *call) error {
	var req enroll.UpdateMeRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	u := c.user
	set := func(field string, v *string, dst *string, max int) error {
		if v == nil {
			return nil
		}
		if err := checkText(field, *v, max); err != nil {
			return err
		}
		*dst = *v
		return nil
	}
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
		max  int
	}{
		{"name", req.Name, &u.Name, 200}, {"trade_name", req.TradeName, &u.TradeName, 200},
		{"country", req.Country, &u.Country, 100}, {"city", req.City, &u.City, 100},
		{"birth_date", req.BirthDate, &u.BirthDate, 10}, {"phone", req.Phone, &u.Phone, 64},
	} {
		if err := set(f.name, f.v, f.dst, f.max); err != nil {
			return err
		}
	}
	if req.Name != nil {
		if err := required("name", u.Name); err != nil {
			return err
		}
	}
	if req.BirthDate != nil && u.BirthDate != "" {
		d, err := time.Parse("2006-01-02", u.BirthDate)
		if err != nil {
			return badRequest("invalid_date", "birth_date", "birth_date must be a date like 1990-04-25")
		}
		if d.After(c.now) || d.Year() < 1900 {
			return badRequest("invalid_date", "birth_date", "birth_date must be a past date after 1900")
		}
	}
	if req.Phone != nil {
		if err := checkPhone("phone", u.Phone); err != nil {
			return err
		}
	}
	if err := s.store.UpdateProfile(c.ctx, u); err != nil {
		return err
	}
	c.user = u
	return s.getMe(c)
}

func (s *Service) changePassword(c *call) error {
	var req enroll.ChangePasswordRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"old_password", req.OldPassword}, {"new_password", req.NewPassword}, {"confirm_password", req.ConfirmPassword}} {
		if err := required(f.name, f.v); err != nil {
			return err
		}
	}
	if req.NewPassword != req.ConfirmPassword {
		return badRequest("password_mismatch", "confirm_password", "the new password and its confirmation differ")
	}
	if err := s.policy.check("new_password", req.NewPassword, c.user.Email); err != nil {
		return err
	}
	if err := s.checkUserPassword(c, "old_password", req.OldPassword); err != nil {
		return err
	}
	if req.NewPassword == req.OldPassword {
		return badRequest("password_reused", "new_password", "choose a password different from the current one")
	}
	revoked, err := s.store.SetPassword(c.ctx, c.user.ID, hashPassword(req.NewPassword), c.now, c.sess.ID)
	if err != nil {
		return err
	}
	s.log.Info("password changed", "user", c.user.ID, "revoked_sessions", revoked)
	writeJSON(c.w, http.StatusOK, enroll.ChangePasswordResponse{RevokedSessions: revoked})
	return nil
}

func (s *Service) listSessions(c *call) error {
	list, err := s.store.Sessions(c.ctx, c.user.ID)
	if err != nil {
		return err
	}
	out := enroll.Sessions{Sessions: []enroll.Session{}}
	for _, se := range list {
		if !se.ExpiresAt.After(c.now) {
			continue
		}
		out.Sessions = append(out.Sessions, enroll.Session{
			ID: se.ID, AAL: se.AAL, Current: se.ID == c.sess.ID, CreatedAt: se.CreatedAt,
			LastSeenAt: se.LastSeenAt, ExpiresAt: se.ExpiresAt, UserAgent: se.UserAgent, IP: se.IP,
		})
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

func (s *Service) revokeSession(c *call) error {
	id := c.r.PathValue("id")
	ok, err := s.store.DeleteSession(c.ctx, c.user.ID, id)
	if err != nil {
		return err
	}
	if !ok {
		return apiError(http.StatusNotFound, "not_found", "id", "no session %q among yours", id)
	}
	s.log.Info("session revoked", "user", c.user.ID)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}
