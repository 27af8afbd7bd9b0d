package store

import (
	"context"
	"database/sql"
	"time"
)

// Factor is a second factor of a user: "totp", "email" or "sms".
type Factor struct {
	UserID      string
	Kind        string
	Secret      string // TOTP: the raw key, base32
	Phone       string // SMS: the number codes go to
	LastStep    int64  // TOTP: the last time step accepted (replays are refused)
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero while the set-up is pending
}

// Confirmed reports whether the factor is in use.
func (f Factor) Confirmed() bool { return !f.ConfirmedAt.IsZero() }

// PutPendingFactor starts (or restarts) the set-up of a factor. It returns
// ErrConflict if the user already has that factor confirmed.
func (s *Store) PutPendingFactor(ctx context.Context, f Factor) error {
	n, err := s.exec(ctx, `INSERT INTO factors (user_id, kind, secret, phone, last_step, created_at, confirmed_at)
		VALUES (?,?,?,?,0,?,0)
		ON CONFLICT (user_id, kind) DO UPDATE SET secret = excluded.secret, phone = excluded.phone,
			last_step = 0, created_at = excluded.created_at
		WHERE factors.confirmed_at = 0`,
		f.UserID, f.Kind, f.Secret, f.Phone, ms(f.CreatedAt))
	if err == nil && n == 0 {
		return ErrConflict
	}
	return err
}

// Factors lists a user's factors, pending ones included, by kind.
func (s *Store) Factors(ctx context.Context, userID string) ([]Factor, error) {
	rows, err := s.query(ctx, `SELECT kind, secret, phone, last_step, created_at, confirmed_at
		FROM factors WHERE user_id = ? ORDER BY kind`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Factor
	for rows.Next() {
		f := Factor{UserID: userID}
		var created, confirmed int64
		if err := rows.Scan(&f.Kind, &f.Secret, &f.Phone, &f.LastStep, &created, &confirmed); err != nil {
			return nil, err
		}
		f.CreatedAt, f.ConfirmedAt = tm(created), tm(confirmed)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ConfirmFactor turns a pending factor on. For TOTP, lastStep is the step of
// the code that confirmed it, so that the same code cannot sign in. False if
// it was not pending.
func (s *Store) ConfirmFactor(ctx context.Context, userID, kind string, at time.Time, lastStep int64) (bool, error) {
	return confirmFactor(ctx, s, userID, kind, at, lastStep)
}

// ConfirmFactor is Store.ConfirmFactor in the transaction.
func (t *Tx) ConfirmFactor(userID, kind string, at time.Time, lastStep int64) (bool, error) {
	return confirmFactor(t.ctx, t, userID, kind, at, lastStep)
}

func confirmFactor(ctx context.Context, r runner, userID, kind string, at time.Time, lastStep int64) (bool, error) {
	n, err := r.exec(ctx, `UPDATE factors SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND kind = ? AND confirmed_at = 0`,
		ms(at), lastStep, userID, kind)
	return n == 1, err
}

// UseTOTPStep records that the code of a time step was accepted, if it is
// later than every step accepted before (RFC 6238 §5.2: a code is good once).
// Of concurrent callers with the same step exactly one gets true.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64, pending bool) (bool, error) {
	return useTOTPStep(ctx, s, userID, step, pending)
}

// UseTOTPStep is Store.UseTOTPStep in the transaction.
func (t *Tx) UseTOTPStep(userID string, step int64, pending bool) (bool, error) {
	return useTOTPStep(t.ctx, t, userID, step, pending)
}

func useTOTPStep(ctx context.Context, r runner, userID string, step int64, pending bool) (bool, error) {
	q := `UPDATE factors SET last_step = ? WHERE user_id = ? AND kind = 'totp' AND confirmed_at <> 0 AND last_step < ?`
	if pending {
		q = `UPDATE factors SET last_step = ? WHERE user_id = ? AND kind = 'totp' AND confirmed_at = 0 AND last_step < ?`
	}
	n, err := r.exec(ctx, q, step, userID, step)
	return n == 1, err
}

// DeleteFactor removes one factor (pending or confirmed). When no confirmed
// factor is left, the backup codes go too. False if there was no such factor.
func (s *Store) DeleteFactor(ctx context.Context, userID, kind string) (bool, error) {
	var found bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM factors WHERE user_id = ? AND kind = ?`), userID, kind)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		found = n == 1
		var left int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM factors WHERE user_id = ? AND confirmed_at <> 0`), userID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			_, err = tx.ExecContext(ctx, s.rebind(`DELETE FROM backup_codes WHERE user_id = ?`), userID)
		}
		return err
	})
	return found, err
}

// DeleteAllFactors turns two-factor authentication off: every factor and
// backup code of the user is deleted. It returns how many factors there were.
func (s *Store) DeleteAllFactors(ctx context.Context, userID string) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM factors WHERE user_id = ?`), userID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM backup_codes WHERE user_id = ?`), userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`DELETE FROM codes WHERE user_id = ? AND purpose <> 'verify_email'`), userID)
		return err
	})
	return int(n), err
}

// BackupCode is one single-use backup code, kept as a salted hash.
type BackupCode struct {
	ID        string
	UserID    string
	Salt      string
	Hash      string
	CreatedAt time.Time
	UsedAt    time.Time
}

// ReplaceBackupCodes voids the user's backup codes and stores a new set.
func (s *Store) ReplaceBackupCodes(ctx context.Context, userID string, codes []BackupCode) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM backup_codes WHERE user_id = ?`), userID); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO backup_codes (id, user_id, salt, code_hash, created_at, used_at)
				VALUES (?,?,?,?,?,0)`), c.ID, userID, c.Salt, c.Hash, ms(c.CreatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// BackupCodes lists a user's backup codes, used ones included.
func (s *Store) BackupCodes(ctx context.Context, userID string) ([]BackupCode, error) {
	rows, err := s.query(ctx, `SELECT id, salt, code_hash, created_at, used_at FROM backup_codes
		WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BackupCode
	for rows.Next() {
		c := BackupCode{UserID: userID}
		var created, used int64
		if err := rows.Scan(&c.ID, &c.Salt, &c.Hash, &created, &used); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UsedAt = tm(created), tm(used)
		out = append(out, c)
	}
	return out, rows.Err()
}

// BackupCodesLeft counts a user's unused backup codes and all of them.
func (s *Store) BackupCodesLeft(ctx context.Context, userID string) (left, total int, err error) {
	err = s.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN used_at = 0 THEN 1 ELSE 0 END), 0)
		FROM backup_codes WHERE user_id = ?`, userID).Scan(&total, &left)
	return left, total, err
}

// UseBackupCode marks a backup code used, if it was not; of concurrent
// callers exactly one gets true.
func (s *Store) UseBackupCode(ctx context.Context, userID, id string, at time.Time) (bool, error) {
	return useBackupCode(ctx, s, userID, id, at)
}

// UseBackupCode is Store.UseBackupCode in the transaction.
func (t *Tx) UseBackupCode(userID, id string, at time.Time) (bool, error) {
	return useBackupCode(t.ctx, t, userID, id, at)
}

func useBackupCode(ctx context.Context, r runner, userID, id string, at time.Time) (bool, error) {
	n, err := r.exec(ctx, `UPDATE backup_codes SET used_at = ? WHERE id = ? AND user_id = ? AND used_at = 0`, ms(at), id, userID)
	return n == 1, err
}
