package store_test

import (
	"context"
	"errors"
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
