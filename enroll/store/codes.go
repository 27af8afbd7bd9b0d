package store

import (
	"context"
	"time"
)

// Code is a pending one-time code sent by e-mail or SMS. Only a salted hash
// of the code is kept. There is at most one per user and purpose: sending a
// new one replaces the old.
type Code struct {
	UserID    string
	Purpose   string // e.g. "verify_email", "login_email", "login_sms", "setup_sms"
	Salt      string
	Hash      string
	Phone     string // the number an SMS code went to
	Attempts  int    // tries used so far
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PutCode stores c, replacing any pending code for the same user and
// purpose, unless that code was made less than gap before c: then ok is
// false and nothing changes. The test and the write are one statement, so
// however many requests ask at once, on any number of instances, one code
// goes out per gap (each one an e-mail or a paid SMS). A gap of 0 always
// replaces.
func (s *Store) PutCode(ctx context.Context, c Code, gap time.Duration) (ok bool, err error) {
	n, err := s.exec(ctx, `INSERT INTO codes (user_id, purpose, salt, code_hash, phone, attempts, created_at, expires_at)
		VALUES (?,?,?,?,?,0,?,?)
		ON CONFLICT (user_id, purpose) DO UPDATE SET salt = excluded.salt, code_hash = excluded.code_hash,
			phone = excluded.phone, attempts = 0, created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE codes.created_at <= ?`,
		c.UserID, c.Purpose, c.Salt, c.Hash, c.Phone, ms(c.CreatedAt), ms(c.ExpiresAt), ms(c.CreatedAt.Add(-gap)))
	return n == 1, err
}

// GetCode returns the pending code for a user and purpose.
func (s *Store) GetCode(ctx context.Context, userID, purpose string) (Code, error) {
	c := Code{UserID: userID, Purpose: purpose}
	var created, expires int64
	err := s.queryRow(ctx, `SELECT salt, code_hash, phone, attempts, created_at, expires_at FROM codes WHERE user_id = ? AND purpose = ?`,
		userID, purpose).Scan(&c.Salt, &c.Hash, &c.Phone, &c.Attempts, &created, &expires)
	if err != nil {
		return Code{}, notFound(err)
	}
	c.CreatedAt, c.ExpiresAt = tm(created), tm(expires)
	return c, nil
}

// ReserveCodeAttempt spends one try of the pending code, atomically, before
// the caller compares it: a code still alive at now with fewer than max
// tries used is returned with ok; otherwise ok is false and nothing changes.
// Concurrent callers can never spend more than max tries.
func (s *Store) ReserveCodeAttempt(ctx context.Context, userID, purpose string, now time.Time, max int) (c Code, ok bool, err error) {
	return reserveCodeAttempt(ctx, s, userID, purpose, now, max)
}

// ReserveCodeAttempt is Store.ReserveCodeAttempt in the transaction.
func (t *Tx) ReserveCodeAttempt(userID, purpose string, now time.Time, max int) (c Code, ok bool, err error) {
	return reserveCodeAttempt(t.ctx, t, userID, purpose, now, max)
}

func reserveCodeAttempt(ctx context.Context, r runner, userID, purpose string, now time.Time, max int) (c Code, ok bool, err error) {
	c = Code{UserID: userID, Purpose: purpose}
	var created, expires int64
	err = r.scan(ctx, `UPDATE codes SET attempts = attempts + 1
		WHERE user_id = ? AND purpose = ? AND attempts < ? AND expires_at > ?
		RETURNING salt, code_hash, phone, attempts, created_at, expires_at`,
		[]any{userID, purpose, max, ms(now)}, &c.Salt, &c.Hash, &c.Phone, &c.Attempts, &created, &expires)
	if err != nil {
		if err = notFound(err); err == ErrNotFound {
			return Code{}, false, nil
		}
		return Code{}, false, err
	}
	c.CreatedAt, c.ExpiresAt = tm(created), tm(expires)
	return c, true, nil
}

// ConsumeCode deletes the pending code if it is still the one with the given
// hash; exactly one of several concurrent callers gets true.
func (s *Store) ConsumeCode(ctx context.Context, userID, purpose, hash string) (bool, error) {
	return consumeCode(ctx, s, userID, purpose, hash)
}

// ConsumeCode is Store.ConsumeCode in the transaction.
func (t *Tx) ConsumeCode(userID, purpose, hash string) (bool, error) {
	return consumeCode(t.ctx, t, userID, purpose, hash)
}

func consumeCode(ctx context.Context, r runner, userID, purpose, hash string) (bool, error) {
	n, err := r.exec(ctx, `DELETE FROM codes WHERE user_id = ? AND purpose = ? AND code_hash = ?`, userID, purpose, hash)
	return n == 1, err
}

// DeleteCode drops the pending code for a user and purpose, if any.
func (s *Store) DeleteCode(ctx context.Context, userID, purpose string) error {
	_, err := s.exec(ctx, `DELETE FROM codes WHERE user_id = ? AND purpose = ?`, userID, purpose)
	return err
}

// Guess limiting in steps, for checks too slow to hold a write transaction
// (the password: argon2id takes tens of milliseconds; codes use Guess, in
// tx.go, which keeps the same counters). The check first reserves a slot
// with ReserveGuess; the slot is counted as a failure until GuessSucceeded
// clears the counter. Because the reservation is one conditional UPDATE, no
// number of concurrent requests, on any number of instances, gets more than
// max evaluations between lock-outs.

// ReserveGuess takes one of the max guesses allowed for a user and factor.
// When none is left it returns ok false and how long to wait: the rest of a
// lock-out, or a second while guesses already reserved are being checked.
func (s *Store) ReserveGuess(ctx context.Context, userID, factor string, now time.Time, max int) (ok bool, retryAfter time.Duration, err error) {
	var failures int
	err = s.scan(ctx, `INSERT INTO guesses (user_id, factor, failures, lockouts, locked_until) VALUES (?, ?, 1, 0, 0)
		ON CONFLICT (user_id, factor) DO UPDATE SET failures = guesses.failures + 1
		WHERE guesses.failures < ? AND guesses.locked_until <= ?
		RETURNING failures`, []any{userID, factor, max, ms(now)}, &failures)
	if err == nil {
		return true, 0, nil
	}
	if err = notFound(err); err != ErrNotFound {
		return false, 0, err
	}
	var locked int64
	if err := s.scan(ctx, `SELECT locked_until FROM guesses WHERE user_id = ? AND factor = ?`,
		[]any{userID, factor}, &locked); err != nil {
		return false, 0, notFound(err)
	}
	wait := tm(locked).Sub(now)
	if wait < time.Second {
		wait = time.Second
	}
	return false, wait, nil
}

// GuessFailed records that a reserved guess was wrong. When the failures
// reach max, the factor is locked for backoff(number of earlier lock-outs)
// and the count starts again. It returns the lock-out, or 0.
func (s *Store) GuessFailed(ctx context.Context, userID, factor string, now time.Time, max int, backoff func(lockouts int) time.Duration) (time.Duration, error) {
	var failures, lockouts int
	if err := s.scan(ctx, `SELECT failures, lockouts FROM guesses WHERE user_id = ? AND factor = ?`,
		[]any{userID, factor}, &failures, &lockouts); err != nil {
		return 0, notFound(err)
	}
	if failures < max {
		return 0, nil
	}
	d := backoff(lockouts)
	// Only one of the concurrent failures that saw the count full sets the lock.
	n, err := s.exec(ctx, `UPDATE guesses SET failures = 0, lockouts = lockouts + 1, locked_until = ?
		WHERE user_id = ? AND factor = ? AND failures >= ? AND lockouts = ?`, ms(now.Add(d)), userID, factor, max, lockouts)
	if err != nil || n == 0 {
		return 0, err
	}
	return d, nil
}

// GuessSucceeded clears the failure count and the backoff of a factor.
func (s *Store) GuessSucceeded(ctx context.Context, userID, factor string) error {
	_, err := s.exec(ctx, `UPDATE guesses SET failures = 0, lockouts = 0, locked_until = 0 WHERE user_id = ? AND factor = ?`, userID, factor)
	return err
}

// ReleaseGuess gives back a reserved guess that turned out not to be one
// (the code had expired, say).
func (s *Store) ReleaseGuess(ctx context.Context, userID, factor string) error {
	_, err := s.exec(ctx, `UPDATE guesses SET failures = failures - 1 WHERE user_id = ? AND factor = ? AND failures > 0`, userID, factor)
	return err
}
