package store

import (
	"context"
	"database/sql"
	"time"
)

// User is one account. Zero times mean "not set".
type User struct {
	ID                string
	Email             string // lower-case
	Name              string
	PasswordHash      string // argon2id, PHC string format
	PasswordChangedAt time.Time
	EmailVerifiedAt   time.Time
	CreatedAt         time.Time
	TradeName         string
	Country           string
	City              string
	BirthDate         string // YYYY-MM-DD or empty
	Phone             string
	ClosedAt          time.Time // set while the account is closed
	DeletionAt        time.Time // when a closed account's data is purged
}

const userColumns = `id, email, name, password_hash, password_changed_at, email_verified_at, created_at,
	trade_name, country, city, birth_date, phone, closed_at, deletion_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var changed, verified, created, closed, deletion int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &changed, &verified, &created,
		&u.TradeName, &u.Country, &u.City, &u.BirthDate, &u.Phone, &closed, &deletion)
	if err != nil {
		return User{}, notFound(err)
	}
	u.PasswordChangedAt, u.EmailVerifiedAt, u.CreatedAt = tm(changed), tm(verified), tm(created)
	u.ClosedAt, u.DeletionAt = tm(closed), tm(deletion)
	return u, nil
}

// CreateUser inserts u; ErrConflict if the e-mail address is taken.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	_, err := s.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		u.ID, u.Email, u.Name, u.PasswordHash, ms(u.PasswordChangedAt), ms(u.EmailVerifiedAt), ms(u.CreatedAt),
		u.TradeName, u.Country, u.City, u.BirthDate, u.Phone, ms(u.ClosedAt), ms(u.DeletionAt))
	return err
}

// UserByEmail finds a user by (lower-case) e-mail address.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

// UserByID finds a user by id.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	return scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UpdateProfile writes the profile fields of u (name, trade name, country,
// city, birth date, phone).
func (s *Store) UpdateProfile(ctx context.Context, u User) error {
	n, err := s.exec(ctx, `UPDATE users SET name = ?, trade_name = ?, country = ?, city = ?, birth_date = ?, phone = ?
		WHERE id = ?`, u.Name, u.TradeName, u.Country, u.City, u.BirthDate, u.Phone, u.ID)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// MarkEmailVerified records that the user proved the address; false if it
// already was.
func (s *Store) MarkEmailVerified(ctx context.Context, id string, at time.Time) (bool, error) {
	n, err := s.exec(ctx, `UPDATE users SET email_verified_at = ? WHERE id = ? AND email_verified_at = 0`, ms(at), id)
	return n == 1, err
}

// SetPassword replaces the password hash and revokes every session of the
// user but keep (which may be empty), in one transaction. It returns how
// many sessions it revoked.
func (s *Store) SetPassword(ctx context.Context, id, hash string, at time.Time, keep string) (int, error) {
	var revoked int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`), hash, ms(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		res, err = tx.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`), id, keep)
		if err != nil {
			return err
		}
		revoked, err = res.RowsAffected()
		return err
	})
	return int(revoked), err
}

// CloseUser marks the account closed, to be purged at deletionAt, and
// revokes all its sessions.
func (s *Store) CloseUser(ctx context.Context, id string, closedAt, deletionAt time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET closed_at = ?, deletion_at = ? WHERE id = ? AND closed_at = 0`),
			ms(closedAt), ms(deletionAt), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE user_id = ?`), id)
		return err
	})
}

// Reactivate reopens a closed account whose deletion time has not come;
// false if it was not closed (or is past its deletion time).
func (s *Store) Reactivate(ctx context.Context, id string, now time.Time) (bool, error) {
	n, err := s.exec(ctx, `UPDATE users SET closed_at = 0, deletion_at = 0 WHERE id = ? AND closed_at <> 0 AND deletion_at > ?`, id, ms(now))
	return n == 1, err
}

// PurgeClosed deletes every closed account whose deletion time is at or
// before now, with all its sessions, codes, factors, backup codes and
// counters. It returns the number of accounts removed.
func (s *Store) PurgeClosed(ctx context.Context, now time.Time) (int, error) {
	var ids []string
	// Listed from a reader: each deletion checks again in its transaction.
	rows, err := s.query(ctx, `SELECT id FROM users WHERE closed_at <> 0 AND deletion_at <> 0 AND deletion_at <= ?`, ms(now))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	purged := 0
	for _, id := range ids {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			// Check again inside the transaction: a sign-in may have
			// reactivated the account since the list was read.
			res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM users WHERE id = ? AND closed_at <> 0 AND deletion_at <> 0 AND deletion_at <= ?`), id, ms(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			// Counters and factors before sessions: the order in which Guess
			// locks rows, so that the two never wait for each other in a
			// circle on PostgreSQL.
			for _, table := range []string{"guesses", "factors", "backup_codes", "codes", "sessions"} {
				if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM `+table+` WHERE user_id = ?`), id); err != nil {
					return err
				}
			}
			purged++
			return nil
		})
		if err != nil {
			return purged, err
		}
	}
	return purged, nil
}
