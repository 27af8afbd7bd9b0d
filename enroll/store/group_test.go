package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll/store/storetest"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// groupOf holds the SQLite writer while n calls of Guess queue, so that
// they run as one group when it is let go; run starts call i.
func groupOf(t *testing.T, s *Store, n int, run func(i int)) {
	t.Helper()
	s.wq <- struct{}{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(i)
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.group.Lock()
		queued := len(s.group.jobs)
		s.group.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls queued", queued, n)
		}
	}
	<-s.wq
	wg.Wait()
}

func sessionUser(t *testing.T, s *Store, i int) string {
	t.Helper()
	id := fmt.Sprintf("u%d", i)
	ctx := context.Background()
	if err := s.CreateUser(ctx, User{ID: id, Email: id + "@example.com", Name: "N", PasswordHash: "h", PasswordChangedAt: t0, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, Session{ID: "s-" + id, TokenHash: "t-" + id, UserID: id, AAL: 1, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return id
}

// Checks sharing a commit keep their outcomes apart: the writes of one
// that fails with an error are undone, those of the others kept, and each
// caller gets its own result.
func TestGroupKeepsChecksApart(t *testing.T) {
	s, err := Open(context.Background(), storetest.DSN(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 30
	for i := range n {
		sessionUser(t, s, i)
	}
	lim := func(i int) GuessLimit {
		return GuessLimit{UserID: fmt.Sprintf("u%d", i), Factor: "totp", Max: 5, Backoff: func(int) time.Duration { return time.Minute }}
	}
	results := make([]GuessResult, n)
	errs := make([]error, n)
	groupOf(t, s, n, func(i int) {
		results[i], errs[i] = s.Guess(context.Background(), t0, lim(i), func(tx *Tx) (bool, error) {
			if err := tx.RaiseAAL(fmt.Sprintf("s-u%d", i), 2); err != nil {
				return false, err
			}
			switch i % 3 {
			case 0:
				return true, nil
			case 1:
				return false, nil
			}
			return false, fmt.Errorf("check %d failed", i)
		})
	})
	ctx := context.Background()
	for i := range n {
		se, _ := s.SessionByTokenHash(ctx, fmt.Sprintf("t-u%d", i))
		var failures int
		if err := s.queryRow(ctx, `SELECT COALESCE(MAX(failures), 0) FROM guesses WHERE user_id = ?`, fmt.Sprintf("u%d", i)).Scan(&failures); err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0: // right: committed, nothing counted
			if errs[i] != nil || !results[i].OK || se.AAL != 2 || failures != 0 {
				t.Errorf("right check %d: %+v %v, aal %d, failures %d", i, results[i], errs[i], se.AAL, failures)
			}
		case 1: // wrong: its write and one failure committed
			if errs[i] != nil || results[i].OK || se.AAL != 2 || failures != 1 {
				t.Errorf("wrong check %d: %+v %v, aal %d, failures %d", i, results[i], errs[i], se.AAL, failures)
			}
		case 2: // error: undone, not counted
			if errs[i] == nil || !strings.Contains(errs[i].Error(), fmt.Sprintf("check %d failed", i)) || se.AAL != 1 || failures != 0 {
				t.Errorf("failed check %d: %+v %v, aal %d, failures %d", i, results[i], errs[i], se.AAL, failures)
			}
		}
	}
}

// A check that panics fails its group with an error instead of leaving
// the writer taken; the next Guess works.
func TestGroupSurvivesAPanic(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			s, err := Open(context.Background(), storetest.DSN(t, kind))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sessionUser(t, s, 1)
			lim := GuessLimit{UserID: "u1", Factor: "totp", Max: 5, Backoff: func(int) time.Duration { return time.Minute }}
			panicky := func(tx *Tx) (bool, error) {
				if err := tx.RaiseAAL("s-u1", 2); err != nil {
					return false, err
				}
				panic("boom")
			}
			if kind == "sqlite" {
				errs := make([]error, 3)
				groupOf(t, s, 3, func(i int) {
					check := func(tx *Tx) (bool, error) { return true, nil }
					if i == 1 {
						check = panicky
					}
					_, errs[i] = s.Guess(context.Background(), t0, lim, check)
				})
				for i, err := range errs {
					if err == nil {
						t.Errorf("call %d in the group of a panic: no error", i)
					}
				}
			} else {
				func() {
					defer func() {
						if p := recover(); p == nil {
							t.Error("the panic did not reach the caller")
						}
					}()
					s.Guess(context.Background(), t0, lim, panicky)
				}()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if se, _ := s.SessionByTokenHash(ctx, "t-u1"); se.AAL != 1 {
				t.Fatal("the panicking check's write was committed")
			}
			res, err := s.Guess(ctx, t0, lim, func(tx *Tx) (bool, error) { return true, tx.RaiseAAL("s-u1", 2) })
			if err != nil || !res.OK {
				t.Fatalf("after the panic: %+v, %v", res, err)
			}
			if se, _ := s.SessionByTokenHash(ctx, "t-u1"); se.AAL != 2 {
				t.Fatal("the write after the panic was lost")
			}
		})
	}
}

// A caller that gives up while queued is not run; the others are.
func TestGroupSkipsAbandonedCalls(t *testing.T) {
	s, err := Open(context.Background(), storetest.DSN(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sessionUser(t, s, 1)
	lim := GuessLimit{UserID: "u1", Factor: "totp", Max: 5, Backoff: func(int) time.Duration { return time.Minute }}
	s.wq <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := s.Guess(ctx, t0, lim, func(tx *Tx) (bool, error) {
			t.Error("an abandoned check ran")
			return true, nil
		})
		done <- err
	}()
	for {
		s.group.Lock()
		n := len(s.group.jobs)
		s.group.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned call: %v", err)
	}
	<-s.wq
	res, err := s.Guess(context.Background(), t0, lim, func(tx *Tx) (bool, error) { return true, nil })
	if err != nil || !res.OK {
		t.Fatalf("next call: %+v, %v", res, err)
	}
}
