package service

import (
	"context"
	"crypto/subtle"
	"errors"

	"github.com/authdesk/authdesk/enroll/seal"
)

// sealSecrets checks that the secret key is the one the database's TOTP
// keys are sealed with, and seals the keys stored before sealing.
func (s *Service) sealSecrets(ctx context.Context) error {
	check, err := s.store.Setting(ctx, "secret_key_check", s.box.Check)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(check), []byte(s.box.Check)) != 1 {
		return errors.New("the secret key is not the one this database's TOTP keys are sealed with: give the key the other instances use (--secret-key-file)")
	}
	old, err := s.store.FactorSecrets(ctx, "totp", seal.Prefix)
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := s.store.ReplaceFactorSecret(ctx, f.UserID, "totp", f.Secret, s.box.Seal(f.UserID, f.Secret)); err != nil {
			return err
		}
	}
	if len(old) > 0 {
		s.log.Info("sealed TOTP keys stored before sealing", "count", len(old))
	}
	return nil
}
