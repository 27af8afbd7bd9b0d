package service

import (
	"context"
	"errors"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// guarded runs check, which compares something a user could guess but is
// too slow to hold a write transaction for (the password, under argon2id),
// under the guess limit of that user and factor. The
// slot is reserved in the database before check runs, so concurrent
// requests on any number of instances evaluate at most maxGuesses guesses
// between lock-outs; the rest get 429 with Retry-After. A right answer
// clears the count; a wrong one keeps it and, at maxGuesses, locks the
// factor with a growing backoff. If check fails with an error (the code had
// expired, say), the slot is given back.
func (s *Service) guarded(c *call, userID, factor string, check func() (bool, error)) (bool, error) {
	ok, retry, err := s.store.ReserveGuess(c.ctx, userID, factor, c.now, maxGuesses)
	if err != nil {
		return false, err
	}
	if !ok {
		s.log.Warn("guess limit reached", "user", userID, "factor", factor)
		return false, tooMany(retry)
	}
	good, err := check()
	// The bookkeeping must happen even if the client has gone away.
	ctx := context.WithoutCancel(c.ctx)
	if err != nil {
		if rerr := s.store.ReleaseGuess(ctx, userID, factor); rerr != nil {
			return false, errors.Join(err, rerr)
		}
		return false, err
	}
	if good {
		return true, s.store.GuessSucceeded(ctx, userID, factor)
	}
	lock, err := s.store.GuessFailed(ctx, userID, factor, c.now, maxGuesses, backoff)
	if err != nil {
		return false, err
	}
	if lock > 0 {
		s.log.Warn("factor locked after wrong guesses", "user", userID, "factor", factor, "lock_s", int(lock.Seconds()))
	}
	return false, nil
}

// guardedTx runs check, which compares a code, under the guess limit of
// that user and factor in one database transaction (store.Guess): the
// count is locked, check runs, and if it says yes, then (when not nil)
// makes the writes that go with a right code, such as raising the session;
// the count, check's writes and then's commit together or not at all.
// Checks of one user and factor queue on the count, on any number of
// instances, so at most maxGuesses are evaluated between lock-outs; the
// rest get 429 with Retry-After. check must be quick (no argon2id: the
// password goes through guarded).
func (s *Service) guardedTx(c *call, userID, factor string, check func(tx *store.Tx) (bool, error), then func(tx *store.Tx) error) (bool, error) {
	res, err := s.store.Guess(c.ctx, c.now, store.GuessLimit{UserID: userID, Factor: factor, Max: maxGuesses, Backoff: backoff},
		func(tx *store.Tx) (bool, error) {
			ok, err := check(tx)
			if err != nil || !ok || then == nil {
				return ok, err
			}
			return true, then(tx)
		})
	if err != nil {
		return false, err
	}
	if res.RetryAfter > 0 {
		s.log.Warn("guess limit reached", "user", userID, "factor", factor)
		return false, tooMany(res.RetryAfter)
	}
	if res.Lockout > 0 {
		s.log.Warn("factor locked after wrong guesses", "user", userID, "factor", factor, "lock_s", int(res.Lockout.Seconds()))
	}
	return res.OK, nil
}

// isAPIError reports whether err is a refusal to show the client.
func isAPIError(err error) bool {
	var ae *enroll.Error
	return errors.As(err, &ae)
}
