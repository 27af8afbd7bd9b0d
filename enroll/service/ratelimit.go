package service

import (
	"context"
	"errors"

	"github.com/authdesk/authdesk/enroll"
)

// guarded runs check, which compares something a user could guess (a
// code, a password), under the guess limit of that user and factor. The
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

// isAPIError reports whether err is a refusal to show the client.
func isAPIError(err error) bool {
	var ae *enroll.Error
	return errors.As(err, &ae)
}
