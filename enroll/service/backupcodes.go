package service

import (
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// Backup codes (CloudCX): ten single-use codes made when the first factor
// is confirmed and on request, shown only then, kept as salted hashes (see
// secrets.go for why HMAC-SHA256 and not argon2id). Making a new set voids
// the old one.

var backupCodeFactor = factor{
	method: enroll.MethodBackupCode,
	label:  "Backup codes",
	verifyLogin: func(s *Service, c *call, code string, then func(tx *store.Tx) error) error {
		return s.useBackupCode(c, code, then)
	},
	routes: func(s *Service) []route {
		return []route{
			{"GET", "/v1/mfa/backup-codes", full, s.backupCodesStatus},
			{"POST", "/v1/mfa/backup-codes", full, s.regenerateBackupCodes},
		}
	},
}

// newBackupCodes makes and stores a new set, returning the codes.
func (s *Service) newBackupCodes(c *call) ([]string, error) {
	codes := make([]string, backupCodeCount)
	rows := make([]store.BackupCode, backupCodeCount)
	for i := range codes {
		codes[i] = newBackupCode()
		salt := newSalt()
		rows[i] = store.BackupCode{ID: newID(), UserID: c.user.ID, Salt: salt, Hash: hashBackupCode(salt, codes[i]), CreatedAt: c.now}
	}
	c.backupLeft = -1
	if err := s.store.ReplaceBackupCodes(c.ctx, c.user.ID, rows); err != nil {
		return nil, err
	}
	return codes, nil
}

// backupCodesLeft is the number of c's user's unused backup codes.
func (s *Service) backupCodesLeft(c *call) (int, error) {
	if c.backupLeft >= 0 {
		return c.backupLeft, nil
	}
	left, _, err := s.store.BackupCodesLeft(c.ctx, c.user.ID)
	return left, err
}

func (s *Service) backupCodesStatus(c *call) error {
	left, total, err := s.store.BackupCodesLeft(c.ctx, c.user.ID)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, enroll.BackupCodesStatus{Remaining: left, Total: total})
	return nil
}

func (s *Service) regenerateBackupCodes(c *call) error {
	if err := decodeOptional(c.r, &struct{}{}); err != nil {
		return err
	}
	if err := c.privileged(); err != nil {
		return err
	}
	if !c.mfaEnabled() {
		return apiError(http.StatusConflict, "mfa_not_enabled", "", "turn on a second factor first; backup codes come with it")
	}
	codes, err := s.newBackupCodes(c)
	if err != nil {
		return err
	}
	s.log.Info("backup codes regenerated", "user", c.user.ID)
	s.notifyChange(c, c.user, "New backup codes were made (the old ones no longer work)")
	writeJSON(c.w, http.StatusOK, enroll.BackupCodes{Codes: codes})
	return nil
}

// useBackupCode accepts an unused backup code once: of two requests with
// the same code, the conditional update lets exactly one through. then
// commits with it.
func (s *Service) useBackupCode(c *call, code string, then func(tx *store.Tx) error) error {
	norm := normalizeBackupCode(code)
	if len(norm) != 10 {
		return badRequest("invalid_code", "code", "a backup code is 10 letters and digits, like abcde-12345")
	}
	codes, err := s.store.BackupCodes(c.ctx, c.user.ID)
	if err != nil {
		return err
	}
	c.backupLeft = -1
	ok, err := s.guardedTx(c, c.user.ID, "backup_code", func(tx *store.Tx) (bool, error) {
		// Compare with every unused code so the time taken does not depend
		// on which one (if any) matches.
		var match *store.BackupCode
		for i := range codes {
			if codes[i].UsedAt.IsZero() && sameHash(hashBackupCode(codes[i].Salt, norm), codes[i].Hash) && match == nil {
				match = &codes[i]
			}
		}
		if match == nil {
			return false, nil
		}
		return tx.UseBackupCode(c.user.ID, match.ID, c.now)
	}, then)
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("invalid_code", "code", "wrong or used backup code")
	}
	left := 0
	for _, bc := range codes {
		if bc.UsedAt.IsZero() {
			left++
		}
	}
	s.log.Info("backup code used", "user", c.user.ID, "remaining", left-1)
	return nil
}
