package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// runner runs writing statements: the Store, each statement a transaction
// of its own, or a Tx, inside one. The statements a Tx offers are written
// once, against a runner, and serve both.
type runner interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	scan(ctx context.Context, q string, args []any, dest ...any) error
}

// Tx is the write transaction Store.Guess runs its check in. Its methods
// are those of the Store with the same names, made part of the
// transaction: they commit together with the guess count, or not at all.
// A Tx is only good inside the check it was given to.
type Tx struct {
	s      *Store
	tx     *sql.Tx
	ctx    context.Context
	missed []string // statements not prepared yet, prepared after the transaction
}

// stmt returns q prepared, for use in the transaction. A statement seen for
// the first time is prepared inside the transaction, for this use only: the
// writer connection is the transaction's (on SQLite the only one), so it
// cannot be prepared for keeps until the transaction ends.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.s.stmts.Load(stmtKey{t.s.w, q}); ok {
		return t.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	t.missed = append(t.missed, q)
	return t.tx.PrepareContext(ctx, t.s.rebind(q))
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, t.s.classify(err)
	}
	return res.RowsAffected()
}

func (t *Tx) scan(ctx context.Context, q string, args []any, dest ...any) error {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	return t.s.classify(st.QueryRowContext(ctx, args...).Scan(dest...))
}

// GuessLimit is the guess counter of one user and factor and its rule:
// Max wrong guesses, then a lock-out of Backoff(number of earlier
// lock-outs).
type GuessLimit struct {
	UserID  string
	Factor  string // "totp", "backup_code", "email", …
	Max     int
	Backoff func(lockouts int) time.Duration
}

// GuessResult is what Store.Guess decided.
type GuessResult struct {
	// OK: the check ran and said yes, and its writes are committed.
	OK bool
	// RetryAfter, when not zero: the factor is locked; the check did not run.
	RetryAfter time.Duration
	// Lockout, when not zero: this wrong guess was the last one allowed and
	// locked the factor for that long.
	Lockout time.Duration
}

// Guess runs check, which compares something a user could guess (a code),
// under the guess limit g, all in one write transaction:
//
//  1. the counter of g is read and locked: on SQLite the transaction holds
//     the database's write lock from its BEGIN IMMEDIATE; on PostgreSQL an
//     upsert locks the counter's row until the commit;
//  2. if the factor is locked out, Guess returns RetryAfter, check unrun;
//  3. check runs with the transaction, and makes its writes (the TOTP step,
//     the backup code used, the session raised) through tx;
//  4. a right guess clears the counter; a wrong one counts, and the Max-th
//     locks the factor; then everything commits together.
//
// Checks of one user and factor thus run one at a time on any number of
// instances sharing the database, and no more than Max of them are
// evaluated between lock-outs. If check returns an error (the code had
// expired, say), nothing it wrote is kept and the guess does not count.
// check must be quick (a few HMACs) and use the database only through tx:
// on SQLite every writer waits for it, so a password, which argon2id makes
// slow, is checked with ReserveGuess and its companions instead.
//
// On SQLite the checks waiting for the writer share a transaction (group
// commit): whoever gets the writer runs every check queued, one after the
// other, each in a savepoint of its own (released, or rolled back to when
// its check fails with an error), and commits once; no caller learns its
// outcome before that commit. The writer is then never idle between two
// checks while the next waiter is being scheduled, and one commit writes
// the pages of many sign-ins (a right TOTP code writes two or three: the
// factor's, the session's and, if it had failures, the counter's). A
// check that panics fails its whole group with an error. A caller whose
// ctx ends while it is queued is not run; once its check has started, its
// outcome stands.
func (s *Store) Guess(ctx context.Context, now time.Time, g GuessLimit, check func(tx *Tx) (bool, error)) (GuessResult, error) {
	if s.dialect == "sqlite" {
		return s.guessGrouped(ctx, now, g, check)
	}
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return GuessResult{}, err
	}
	defer unlock()
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return GuessResult{}, err
	}
	defer sqlTx.Rollback() // after a panic in check too
	t := &Tx{s: s, tx: sqlTx, ctx: ctx}
	res, err := s.guess(t, now, g, check)
	if err == nil {
		err = s.classify(sqlTx.Commit())
	}
	t.prepareMissed(ctx)
	if err != nil {
		return GuessResult{}, err
	}
	return res, nil
}

// prepareMissed prepares for keeps, once the transaction is over, what it
// had to prepare for one use. The caller still holds the writer.
func (t *Tx) prepareMissed(ctx context.Context) {
	for _, q := range t.missed {
		t.s.stmt(context.WithoutCancel(ctx), t.s.w, q)
	}
}

// A guessJob is one call of Guess waiting for the SQLite writer.
type guessJob struct {
	now   time.Time
	g     GuessLimit
	check func(tx *Tx) (bool, error)
	state atomic.Int32 // jobQueued, jobTaken or jobAbandoned
	res   GuessResult
	err   error
	done  chan struct{} // closed when res and err are final
}

const (
	jobQueued = iota
	jobTaken
	jobAbandoned
)

// maxGroup bounds the checks one commit carries.
const maxGroup = 64

func (s *Store) guessGrouped(ctx context.Context, now time.Time, g GuessLimit, check func(tx *Tx) (bool, error)) (GuessResult, error) {
	j := &guessJob{now: now, g: g, check: check, done: make(chan struct{})}
	s.group.Lock()
	s.group.jobs = append(s.group.jobs, j)
	s.group.Unlock()
	select {
	case <-j.done:
	case s.wq <- struct{}{}:
		// The writer is ours. Our job is still queued (whoever took it
		// would have finished it before giving the writer up) unless it is
		// done already; either way, run what is queued.
		for {
			s.runGroup()
			select {
			case <-j.done:
				<-s.wq
				return j.res, j.err
			default: // more than maxGroup were waiting, ours among the rest
			}
		}
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return GuessResult{}, ctx.Err()
		}
		<-j.done // already running: its outcome stands
	}
	return j.res, j.err
}

// runGroup runs up to maxGroup queued checks in one transaction. The
// caller holds the writer.
func (s *Store) runGroup() {
	s.group.Lock()
	n := min(len(s.group.jobs), maxGroup)
	queued := s.group.jobs[:n:n]
	s.group.jobs = s.group.jobs[n:]
	if len(s.group.jobs) == 0 {
		s.group.jobs = nil
	}
	s.group.Unlock()
	var jobs []*guessJob
	for _, j := range queued {
		if j.state.CompareAndSwap(jobQueued, jobTaken) {
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return
	}
	ctx := context.Background() // the jobs' callers may go away; the group goes on
	var sqlTx *sql.Tx
	var t *Tx
	finish := func(err error) {
		if sqlTx != nil {
			sqlTx.Rollback() // a no-op after the commit
			t.prepareMissed(ctx)
		}
		for _, j := range jobs {
			if err != nil {
				j.res, j.err = GuessResult{}, err
			}
			close(j.done)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			finish(fmt.Errorf("guess check panicked: %v", p))
		}
	}()
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		sqlTx = nil
		finish(err)
		return
	}
	t = &Tx{s: s, tx: sqlTx, ctx: ctx}
	for _, j := range jobs {
		if _, err := t.exec(ctx, `SAVEPOINT guess`); err != nil {
			finish(err)
			return
		}
		j.res, j.err = s.guess(t, j.now, j.g, j.check)
		if j.err != nil {
			if _, err := t.exec(ctx, `ROLLBACK TO guess`); err != nil {
				finish(err)
				return
			}
		}
		if _, err := t.exec(ctx, `RELEASE guess`); err != nil {
			finish(err)
			return
		}
	}
	finish(s.classify(sqlTx.Commit()))
}

// The counter, read and locked. SQLite needs no row lock (the transaction
// has the database's), and a plain read leaves the page clean when a right
// guess then changes nothing. PostgreSQL locks the row with an upsert that
// changes nothing, which also creates it, so that two first guesses of a
// user queue on it too.
const (
	lockGuessesSQLite = `SELECT failures, lockouts, locked_until FROM guesses WHERE user_id = ? AND factor = ?`
	lockGuessesPG     = `INSERT INTO guesses (user_id, factor, failures, lockouts, locked_until) VALUES (?, ?, 0, 0, 0)
		ON CONFLICT (user_id, factor) DO UPDATE SET failures = guesses.failures
		RETURNING failures, lockouts, locked_until`
	putGuesses = `INSERT INTO guesses (user_id, factor, failures, lockouts, locked_until) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, factor) DO UPDATE SET failures = excluded.failures, lockouts = excluded.lockouts,
			locked_until = excluded.locked_until`
)

func (s *Store) guess(t *Tx, now time.Time, g GuessLimit, check func(tx *Tx) (bool, error)) (GuessResult, error) {
	if g.Max < 1 || g.Backoff == nil {
		return GuessResult{}, fmt.Errorf("guess %s: no limit given", g.Factor)
	}
	ctx := t.ctx
	lock := lockGuessesSQLite
	if s.dialect == "postgres" {
		lock = lockGuessesPG
	}
	var failures, lockouts int
	var lockedUntil int64
	err := t.scan(ctx, lock, []any{g.UserID, g.Factor}, &failures, &lockouts, &lockedUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return GuessResult{}, err
	}
	put := func(failures, lockouts int, lockedUntil int64) error {
		_, err := t.exec(ctx, putGuesses, g.UserID, g.Factor, failures, lockouts, lockedUntil)
		return err
	}
	if until := tm(lockedUntil); until.After(now) {
		return GuessResult{RetryAfter: max(until.Sub(now), time.Second)}, nil
	}
	if failures >= g.Max {
		// A full round without its lock-out: left by a reservation that was
		// never settled (a crash between ReserveGuess and GuessFailed).
		// Settle it now, as the wrong guess it counts as.
		d := g.Backoff(lockouts)
		if err := put(0, lockouts+1, ms(now.Add(d))); err != nil {
			return GuessResult{}, err
		}
		return GuessResult{RetryAfter: max(d, time.Second)}, nil
	}
	ok, err := check(t)
	if err != nil {
		return GuessResult{}, err
	}
	if ok {
		if failures != 0 || lockouts != 0 || lockedUntil != 0 {
			if err := put(0, 0, 0); err != nil {
				return GuessResult{}, err
			}
		}
		return GuessResult{OK: true}, nil
	}
	failures++
	if failures < g.Max {
		return GuessResult{}, put(failures, lockouts, lockedUntil)
	}
	d := g.Backoff(lockouts)
	if err := put(0, lockouts+1, ms(now.Add(d))); err != nil {
		return GuessResult{}, err
	}
	return GuessResult{Lockout: d}, nil
}
