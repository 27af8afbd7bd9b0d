package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll/store"
	"github.com/authdesk/authdesk/enroll/store/storetest"
)

func open(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func forEachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) { fn(t, storetest.DSN(t, kind)) })
	}
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func user(id, email string) store.User {
	return store.User{ID: id, Email: email, Name: "N", PasswordHash: "h", PasswordChangedAt: t0, CreatedAt: t0}
}

// Migrations apply once: opening again (two instances at once, too) is fine.
func TestOpenTwiceAndConcurrently(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := store.Open(context.Background(), dsn)
				if err == nil {
					s.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		s := open(t, dsn)
		if err := s.CreateUser(context.Background(), user("u1", "a@example.com")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUsersRoundTripAndConflict(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		u := user("u1", "a@example.com")
		u.Name = `Robert'); DROP TABLE users;--`
		u.City = "Göteborg 😀"
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, user("u2", "a@example.com")); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate e-mail: %v", err)
		}
		got, err := s.UserByEmail(ctx, "a@example.com")
		if err != nil || got.Name != u.Name || got.City != u.City || !got.CreatedAt.Equal(t0) || !got.EmailVerifiedAt.IsZero() {
			t.Fatalf("read back %+v, %v", got, err)
		}
		if _, err := s.UserByID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing user: %v", err)
		}
	})
}

// The guess limit holds under concurrency: of 40 reservations at once, 5
// succeed.
func TestReserveGuessConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		var ok atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, _, err := s.ReserveGuess(ctx, "u1", "totp", t0, 5)
				if err != nil {
					t.Error(err)
				}
				if got {
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 5 {
			t.Fatalf("%d reservations succeeded, want 5", ok.Load())
		}
		lock, err := s.GuessFailed(ctx, "u1", "totp", t0, 5, func(int) time.Duration { return time.Minute })
		if err != nil || lock != time.Minute {
			t.Fatalf("lock %v, %v", lock, err)
		}
		got, retry, _ := s.ReserveGuess(ctx, "u1", "totp", t0.Add(30*time.Second), 5)
		if got || retry != 30*time.Second {
			t.Fatalf("during lock-out: %v %v", got, retry)
		}
		if got, _, _ := s.ReserveGuess(ctx, "u1", "totp", t0.Add(61*time.Second), 5); !got {
			t.Fatal("still locked after the lock-out")
		}
	})
}

// A backup code and a TOTP step are used once, whoever races for them.
func TestSingleUseUnderConcurrency(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		if err := s.ReplaceBackupCodes(ctx, "u1", []store.BackupCode{{ID: "b1", Salt: "s", Hash: "h", CreatedAt: t0}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutPendingFactor(ctx, store.Factor{UserID: "u1", Kind: "totp", Secret: "X", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.ConfirmFactor(ctx, "u1", "totp", t0, 100); !ok || err != nil {
			t.Fatalf("confirm %v %v", ok, err)
		}
		if err := s.PutPendingFactor(ctx, store.Factor{UserID: "u1", Kind: "totp", CreatedAt: t0}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("set-up over a confirmed factor: %v", err)
		}
		var codes, steps atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := s.UseBackupCode(ctx, "u1", "b1", t0); err != nil {
					t.Error(err)
				} else if ok {
					codes.Add(1)
				}
				if ok, err := s.UseTOTPStep(ctx, "u1", 101, false); err != nil {
					t.Error(err)
				} else if ok {
					steps.Add(1)
				}
			}()
		}
		wg.Wait()
		if codes.Load() != 1 || steps.Load() != 1 {
			t.Fatalf("backup code used %d times, step %d times", codes.Load(), steps.Load())
		}
		if ok, _ := s.UseTOTPStep(ctx, "u1", 100, false); ok {
			t.Fatal("an older step was accepted")
		}
	})
}

func TestPurgeClosed(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		for _, id := range []string{"gone", "kept", "open"} {
			if err := s.CreateUser(ctx, user(id, id+"@example.com")); err != nil {
				t.Fatal(err)
			}
			s.CreateSession(ctx, store.Session{ID: "s-" + id, TokenHash: "t-" + id, UserID: id, AAL: 1, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)})
			s.ReplaceBackupCodes(ctx, id, []store.BackupCode{{ID: "b-" + id, Salt: "s", Hash: "h", CreatedAt: t0}})
		}
		s.CloseUser(ctx, "gone", t0, t0.Add(30*24*time.Hour))
		s.CloseUser(ctx, "kept", t0.Add(time.Hour), t0.Add(31*24*time.Hour))
		n, err := s.PurgeClosed(ctx, t0.Add(30*24*time.Hour+time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v", n, err)
		}
		if _, err := s.UserByID(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("purged user still there")
		}
		if bc, _ := s.BackupCodes(ctx, "gone"); len(bc) != 0 {
			t.Fatal("purged user's backup codes still there")
		}
		if bc, _ := s.BackupCodes(ctx, "kept"); len(bc) != 1 {
			t.Fatal("a user inside the grace period lost data")
		}
		if ok, _ := s.Reactivate(ctx, "kept", t0.Add(2*24*time.Hour)); !ok {
			t.Fatal("reactivate failed")
		}
	})
}

// Guess evaluates at most Max checks between lock-outs however many run at
// once, commits a check's writes with the count, and undoes everything
// when the check fails with an error.
func TestGuessTransaction(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		if err := s.CreateUser(ctx, user("u1", "a@example.com")); err != nil {
			t.Fatal(err)
		}
		se := store.Session{ID: "s1", TokenHash: "t1", UserID: "u1", AAL: 1, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.PutCode(ctx, store.Code{UserID: "u1", Purpose: "login_email", Salt: "s", Hash: "h", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, 0); !ok || err != nil {
			t.Fatal(ok, err)
		}
		lim := store.GuessLimit{UserID: "u1", Factor: "email", Max: 5, Backoff: func(n int) time.Duration { return time.Duration(n+1) * time.Minute }}

		// 40 wrong guesses at once, each spending a try of the code: 5 are
		// evaluated (and their tries kept), the 5th locks, 35 wait.
		var evaluated atomic.Int32
		var locked, lockouts atomic.Int32
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Guess(ctx, t0, lim, func(tx *store.Tx) (bool, error) {
					evaluated.Add(1)
					_, ok, err := tx.ReserveCodeAttempt("u1", "login_email", t0, 100)
					if !ok || err != nil {
						return false, fmt.Errorf("reserve attempt: %v %v", ok, err)
					}
					return false, nil
				})
				switch {
				case err != nil:
					t.Error(err)
				case res.OK:
					t.Error("a wrong guess was right")
				case res.RetryAfter > 0:
					locked.Add(1)
				case res.Lockout > 0:
					lockouts.Add(1)
					if res.Lockout != time.Minute {
						t.Errorf("first lock-out %v, want 1m", res.Lockout)
					}
				}
			}()
		}
		wg.Wait()
		if evaluated.Load() != 5 || locked.Load() != 35 || lockouts.Load() != 1 {
			t.Fatalf("%d evaluated, %d refused, %d lock-outs; want 5, 35, 1", evaluated.Load(), locked.Load(), lockouts.Load())
		}
		if c, _ := s.GetCode(ctx, "u1", "login_email"); c.Attempts != 5 {
			t.Fatalf("the wrong guesses spent %d tries, want 5 kept", c.Attempts)
		}

		// During the lock-out even a right guess waits, unrun.
		res, err := s.Guess(ctx, t0.Add(20*time.Second), lim, func(*store.Tx) (bool, error) {
			t.Error("check ran during the lock-out")
			return true, nil
		})
		if err != nil || res.RetryAfter != 40*time.Second {
			t.Fatalf("during the lock-out: %+v, %v", res, err)
		}

		// An error undoes the check's writes and counts nothing.
		after := t0.Add(2 * time.Minute)
		boom := errors.New("boom")
		_, err = s.Guess(ctx, after, lim, func(tx *store.Tx) (bool, error) {
			if err := tx.RaiseAAL("s1", 2); err != nil {
				return false, err
			}
			return false, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("error from the check: %v", err)
		}
		if got, _ := s.SessionByTokenHash(ctx, "t1"); got.AAL != 1 {
			t.Fatal("a failed check's write was committed")
		}
		// Four wrong guesses go by without a lock-out: the error did not
		// count as the first of the new round.
		for i := range 4 {
			res, err := s.Guess(ctx, after, lim, func(*store.Tx) (bool, error) { return false, nil })
			if err != nil || res.OK || res.RetryAfter != 0 || res.Lockout != 0 {
				t.Fatalf("wrong guess %d after the lock-out: %+v, %v", i+1, res, err)
			}
		}
		// (The fifth would lock for 2 minutes, the second lock-out; a right
		// guess instead clears the count and the lock-outs.)
		// A right guess commits its writes and clears the count.
		res, err = s.Guess(ctx, after, lim, func(tx *store.Tx) (bool, error) {
			return true, tx.RaiseAAL("s1", 2)
		})
		if err != nil || !res.OK {
			t.Fatalf("right guess: %+v, %v", res, err)
		}
		if got, _ := s.SessionByTokenHash(ctx, "t1"); got.AAL != 2 {
			t.Fatal("a right guess's write was not committed")
		}
		for i := range 4 {
			if res, _ := s.Guess(ctx, after, lim, func(*store.Tx) (bool, error) { return false, nil }); res.Lockout != 0 {
				t.Fatalf("locked after %d wrong guesses following a right one", i+1)
			}
		}
		if res, _ := s.Guess(ctx, after, lim, func(*store.Tx) (bool, error) { return false, nil }); res.Lockout != time.Minute {
			t.Fatalf("lock-out after a right guess cleared the count: %v, want 1m again", res.Lockout)
		}
	})
}

// A round of reservations that were never settled (ReserveGuess, then a
// crash) locks the factor at the next Guess instead of blocking it forever.
func TestGuessSettlesAStaleRound(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		for range 5 {
			if ok, _, err := s.ReserveGuess(ctx, "u1", "totp", t0, 5); !ok || err != nil {
				t.Fatalf("reserve: %v %v", ok, err)
			}
		}
		lim := store.GuessLimit{UserID: "u1", Factor: "totp", Max: 5, Backoff: func(int) time.Duration { return time.Minute }}
		res, err := s.Guess(ctx, t0, lim, func(*store.Tx) (bool, error) {
			t.Error("check ran on a full round")
			return true, nil
		})
		if err != nil || res.RetryAfter != time.Minute {
			t.Fatalf("full round: %+v, %v", res, err)
		}
		res, err = s.Guess(ctx, t0.Add(61*time.Second), lim, func(*store.Tx) (bool, error) { return true, nil })
		if err != nil || !res.OK {
			t.Fatalf("after the lock-out: %+v, %v", res, err)
		}
	})
}

// Caller loads the session, its user, the factors and the backup codes
// left in one go, and tells a missing session from a missing user.
func TestCaller(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		u := user("u1", "a@example.com")
		u.Phone = "0412345678"
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		se := store.Session{ID: "s1", TokenHash: "t1", UserID: "u1", AAL: 1, CreatedAt: t0, LastSeenAt: t0,
			ExpiresAt: t0.Add(time.Hour), UserAgent: "ua", IP: "127.0.0.1"}
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		c, err := s.Caller(ctx, "t1")
		if err != nil || c.Session != se || c.User.Email != u.Email || c.User.Phone != u.Phone || len(c.Factors) != 0 || c.BackupCodesLeft != 0 {
			t.Fatalf("no factors: %+v, %v", c, err)
		}
		s.PutPendingFactor(ctx, store.Factor{UserID: "u1", Kind: "totp", Secret: "S", CreatedAt: t0})
		s.ConfirmFactor(ctx, "u1", "totp", t0, 7)
		s.PutPendingFactor(ctx, store.Factor{UserID: "u1", Kind: "sms", Phone: "+61412345678", CreatedAt: t0})
		s.ReplaceBackupCodes(ctx, "u1", []store.BackupCode{{ID: "b1", Salt: "s", Hash: "h", CreatedAt: t0}, {ID: "b2", Salt: "s", Hash: "h", CreatedAt: t0}})
		s.UseBackupCode(ctx, "u1", "b1", t0)
		want, _ := s.Factors(ctx, "u1")
		c, err = s.Caller(ctx, "t1")
		if err != nil || c.Session != se || c.User.ID != "u1" || c.BackupCodesLeft != 1 || len(c.Factors) != 2 {
			t.Fatalf("with factors: %+v, %v", c, err)
		}
		for i := range want {
			if c.Factors[i] != want[i] {
				t.Fatalf("factor %d: %+v, want %+v", i, c.Factors[i], want[i])
			}
		}
		if _, err := s.Caller(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		// A session whose user is gone.
		s.CreateSession(ctx, store.Session{ID: "s2", TokenHash: "t2", UserID: "ghost", AAL: 1, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)})
		if c, err := s.Caller(ctx, "t2"); !errors.Is(err, store.ErrNotFound) || c.Session.ID != "s2" || c.User.ID != "" {
			t.Fatalf("session without user: %+v, %v", c, err)
		}
	})
}

// TestPutCodeGap: a code is not replaced within the gap, one is after it,
// and of 20 requests at the same instant exactly one stores its code.
func TestPutCodeGap(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		if err := s.CreateUser(ctx, user("u1", "a@example.com")); err != nil {
			t.Fatal(err)
		}
		put := func(hash string, at time.Time) bool {
			ok, err := s.PutCode(ctx, store.Code{UserID: "u1", Purpose: "login_sms", Salt: "s", Hash: hash, CreatedAt: at, ExpiresAt: at.Add(time.Minute)}, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		hash := func() string {
			c, err := s.GetCode(ctx, "u1", "login_sms")
			if err != nil {
				t.Fatal(err)
			}
			return c.Hash
		}
		if !put("first", t0) {
			t.Fatal("the first code was refused")
		}
		if put("early", t0.Add(29*time.Second)) || hash() != "first" {
			t.Fatalf("a code 29 s later replaced the first: %s", hash())
		}
		if !put("later", t0.Add(30*time.Second)) || hash() != "later" {
			t.Fatalf("a code 30 s later did not replace the first: %s", hash())
		}
		at := t0.Add(time.Hour)
		var stored atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if put(fmt.Sprintf("racer%d", i), at) {
					stored.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := stored.Load(); n != 1 || !strings.HasPrefix(hash(), "racer") {
			t.Fatalf("%d of 20 simultaneous codes stored (want 1); the code is %s", n, hash())
		}
	})
}
