package store

import (
	"context"
	"time"
)

// Session is a signed-in session. The bearer token itself is never stored,
// only its SHA-256 hash.
type Session struct {
	ID              string // public identifier, for listing and revoking
	TokenHash       string // hex SHA-256 of the bearer token
	UserID          string
	AAL             int // 1: password or e-mail code; 2: and a second factor
	CreatedAt       time.Time
	LastSeenAt      time.Time
	ExpiresAt       time.Time
	PrivilegedUntil time.Time // end of the re-authentication window
	UserAgent       string
	IP              string
}

const sessionColumns = `id, token_hash, user_id, aal, created_at, last_seen_at, expires_at, privileged_until, user_agent, ip`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var se Session
	var created, seen, expires, priv int64
	if err := row.Scan(&se.ID, &se.TokenHash, &se.UserID, &se.AAL, &created, &seen, &expires, &priv, &se.UserAgent, &se.IP); err != nil {
		return Session{}, notFound(err)
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt, se.PrivilegedUntil = tm(created), tm(seen), tm(expires), tm(priv)
	return se, nil
}

// CreateSession inserts se.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	_, err := s.exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		se.ID, se.TokenHash, se.UserID, se.AAL, ms(se.CreatedAt), ms(se.LastSeenAt), ms(se.ExpiresAt),
		ms(se.PrivilegedUntil), se.UserAgent, se.IP)
	return err
}

// SessionByTokenHash finds the session a token hash belongs to.
func (s *Store) SessionByTokenHash(ctx context.Context, hash string) (Session, error) {
	return scanSession(s.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`, hash))
}

// Caller is what a signed-in request needs to know about who is calling.
type Caller struct {
	Session         Session
	User            User
	Factors         []Factor // the user's factors, pending ones too, by kind
	BackupCodesLeft int      // unused backup codes
}

// Caller loads the session a token hash belongs to, its user, the user's
// factors and the number of unused backup codes, in one statement: on
// SQLite every commit empties the readers' page caches, so each statement
// of its own would read its pages again. ErrNotFound if there is no such
// session; if the session is there but its user is not (a purge in
// between), Caller.Session is set and the error is ErrNotFound.
func (s *Store) Caller(ctx context.Context, tokenHash string) (Caller, error) {
	rows, err := s.query(ctx, `SELECT s.id, s.token_hash, s.user_id, s.aal, s.created_at, s.last_seen_at, s.expires_at,
			s.privileged_until, s.user_agent, s.ip,
			u.id, u.email, u.name, u.password_hash, u.password_changed_at, u.email_verified_at, u.created_at,
			u.trade_name, u.country, u.city, u.birth_date, u.phone, u.closed_at, u.deletion_at,
			COALESCE(f.kind, ''), COALESCE(f.secret, ''), COALESCE(f.phone, ''), COALESCE(f.last_step, 0),
			COALESCE(f.created_at, 0), COALESCE(f.confirmed_at, 0),
			(SELECT COUNT(*) FROM backup_codes b WHERE b.user_id = s.user_id AND b.used_at = 0)
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN factors f ON f.user_id = s.user_id
		WHERE s.token_hash = ? ORDER BY f.kind`, tokenHash)
	if err != nil {
		return Caller{}, err
	}
	defer rows.Close()
	var c Caller
	found := false
	for rows.Next() {
		var se Session
		var u User
		var f Factor
		var created, seen, expires, priv int64
		var changed, verified, ucreated, closed, deletion int64
		var fcreated, fconfirmed int64
		if err := rows.Scan(&se.ID, &se.TokenHash, &se.UserID, &se.AAL, &created, &seen, &expires, &priv, &se.UserAgent, &se.IP,
			&u.ID, &u.Email, &u.Name, &u.PasswordHash, &changed, &verified, &ucreated,
			&u.TradeName, &u.Country, &u.City, &u.BirthDate, &u.Phone, &closed, &deletion,
			&f.Kind, &f.Secret, &f.Phone, &f.LastStep, &fcreated, &fconfirmed, &c.BackupCodesLeft); err != nil {
			return Caller{}, err
		}
		if !found {
			se.CreatedAt, se.LastSeenAt, se.ExpiresAt, se.PrivilegedUntil = tm(created), tm(seen), tm(expires), tm(priv)
			u.PasswordChangedAt, u.EmailVerifiedAt, u.CreatedAt = tm(changed), tm(verified), tm(ucreated)
			u.ClosedAt, u.DeletionAt = tm(closed), tm(deletion)
			c.Session, c.User, found = se, u, true
		}
		if f.Kind != "" {
			f.UserID = u.ID
			f.CreatedAt, f.ConfirmedAt = tm(fcreated), tm(fconfirmed)
			c.Factors = append(c.Factors, f)
		}
	}
	if err := rows.Err(); err != nil {
		return Caller{}, err
	}
	rows.Close()
	if !found {
		// Tell a missing session from a missing user: only bad tokens get here.
		se, err := s.SessionByTokenHash(ctx, tokenHash)
		if err != nil {
			return Caller{}, err
		}
		return Caller{Session: se}, ErrNotFound
	}
	return c, nil
}

// Sessions lists a user's sessions, oldest first.
func (s *Store) Sessions(ctx context.Context, userID string) ([]Session, error) {
	rows, err := s.query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		se, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, se)
	}
	return out, rows.Err()
}

// RaiseAAL sets the session's assurance level to aal.
func (s *Store) RaiseAAL(ctx context.Context, id string, aal int) error {
	return raiseAAL(ctx, s, id, aal)
}

// RaiseAAL is Store.RaiseAAL in the transaction.
func (t *Tx) RaiseAAL(id string, aal int) error {
	return raiseAAL(t.ctx, t, id, aal)
}

func raiseAAL(ctx context.Context, r runner, id string, aal int) error {
	_, err := r.exec(ctx, `UPDATE sessions SET aal = ? WHERE id = ? AND aal < ?`, aal, id, aal)
	return err
}

// SetPrivileged opens the re-authentication window until the given time.
func (s *Store) SetPrivileged(ctx context.Context, id string, until time.Time) error {
	n, err := s.exec(ctx, `UPDATE sessions SET privileged_until = ? WHERE id = ?`, ms(until), id)
	if err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// TouchSession records that the session was used at t.
func (s *Store) TouchSession(ctx context.Context, id string, t time.Time) error {
	_, err := s.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`, ms(t), id, ms(t))
	return err
}

// DeleteSession revokes one session of a user; false if there was none.
func (s *Store) DeleteSession(ctx context.Context, userID, id string) (bool, error) {
	n, err := s.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id = ?`, userID, id)
	return n == 1, err
}

// DeleteExpiredSessions removes sessions that expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := s.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, ms(now))
	return int(n), err
}
