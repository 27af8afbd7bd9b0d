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

// Sessions lists a user's sessions, oldest first.
func (s *Store) Sessions(ctx context.Context, userID string) ([]Session, error) {
	rows, err := s.r.QueryContext(ctx, s.rebind(`SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? ORDER BY created_at, id`), userID)
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
	_, err := s.exec(ctx, `UPDATE sessions SET aal = ? WHERE id = ? AND aal < ?`, aal, id, aal)
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
