package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule (an
// e-mail address already registered, a factor already confirmed).
var ErrConflict = errors.New("conflict")

// Store is the service's database. All methods are safe for concurrent use
// and keep every piece of state in the database, so that several service
// instances can share one PostgreSQL database.
type Store struct {
	dialect string  // "sqlite" or "postgres"
	w       *sql.DB // writes (and everything on PostgreSQL)
	r       *sql.DB // reads; on SQLite a separate pool, so readers never wait for the writer

	// wq and rq queue the users of s.w's and s.r's connections: each
	// holds one slot per connection of its pool, and whoever holds a slot
	// may use one connection (on PostgreSQL, where s.w and s.r are one
	// pool, they are one queue). database/sql hands a freed connection to
	// a random waiter, so under load some requests lost that draw many
	// times over and waited tens of milliseconds; goroutines blocked on a
	// channel are served in arrival order, which bounds every wait by the
	// length of the queue. A slot is never taken while holding another.
	wq, rq chan struct{}

	// group holds the Guess calls waiting for the SQLite writer, to be run
	// in one transaction by whoever gets it (tx.go).
	group struct {
		sync.Mutex
		jobs []*guessJob
	}

	stmts sync.Map // prepared statements by pool and query: SQLite parses a statement anew on every Exec
}

// Pool sizes. SQLite has one writer; its readers run beside it, and four
// are plenty on the few cores a local service gets. PostgreSQL does best
// with a few busy connections per core: measured with 32 clients on 2
// cores, 32 connections stalled requests for over a second (p99.9
// 1.1–1.8 s, backends descheduled while holding locks), while 4, 8 and 16
// did about equally well (p99.9 0.1–0.25 s, 30–80 % more requests/s); 8
// leaves room for a server with more cores.
const (
	sqliteReaders = 4
	pgConns       = 8
)

// wait takes a slot of q, in arrival order; release gives it to the next
// in line.
func wait(ctx context.Context, q chan struct{}) (release func(), err error) {
	select {
	case q <- struct{}{}:
		return func() { <-q }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lockWriter waits for a writer connection (on SQLite, the one).
func (s *Store) lockWriter(ctx context.Context) (unlock func(), err error) {
	return wait(ctx, s.wq)
}

type stmtKey struct {
	db *sql.DB
	q  string
}

// stmt returns the prepared form of q on db, preparing it once.
func (s *Store) stmt(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	k := stmtKey{db, q}
	if st, ok := s.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, s.rebind(q))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Open opens the database named by dsn and applies the migrations it lacks.
// dsn is "sqlite:PATH" or a PostgreSQL URL ("postgres://…" or
// "postgresql://…"); a bare path is taken as SQLite.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres database: %w", err)
		}
		db.SetMaxOpenConns(pgConns)
		db.SetMaxIdleConns(pgConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		q := make(chan struct{}, pgConns)
		s = &Store{dialect: "postgres", w: db, r: db, wq: q, rq: q}
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("open sqlite database: empty path")
		}
		if strings.Contains(path, "?") {
			return nil, fmt.Errorf("open sqlite database %s: give a plain path, without parameters", path)
		}
		// WAL lets readers run beside the one writer; busy_timeout covers a
		// second process. Writes go through one connection: SQLite has a
		// single writer anyway, and queueing in Go is fairer and faster than
		// its busy-wait backoff. _txlock=immediate takes the write lock when
		// a transaction starts, so two transactions never deadlock upgrading
		// a read lock.
		//
		// synchronous=NORMAL syncs the WAL at checkpoints, not at every
		// commit. In WAL mode that never corrupts the database, and a crash
		// of the process loses nothing committed; only a crash of the
		// machine (power cut, kernel panic) can lose the last commits before
		// the kernel wrote them out (about 30 s). What that could undo: a
		// TOTP step or backup code marked used (so a code that was just used
		// would work once more, if someone else has it and the machine died
		// within the 90 s the code lives), the last wrong guesses counted (a
		// few more guesses per crash, of a million), a session revoked or a
		// password changed (which the user sees undone). For a local account
		// service that is acceptable, and the usual choice for WAL.
		// synchronous=FULL, an fsync per commit, is what would close it: with
		// group commit (tx.go) it costs one fsync per group, yet on the
		// 2-core test machine it still cut login/mfa to a third and missed
		// the 20 ms p99 target (medians of five interleaved runs: 2,100
		// against 6,000 requests/s, p99 30 against 20 ms). Deployments that
		// need every commit durable use PostgreSQL.
		//
		// mmap_size is left at 0: reading the database through a 256 MiB
		// mapping instead of pread cut login/mfa from 4,591 to 1,703
		// requests/s on the test machine, where every page fault is slow.
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		s = &Store{dialect: "sqlite", w: w, wq: make(chan struct{}, 1)}
		// Create the file and switch it to WAL before the readers open it.
		if err := pingSQLite(ctx, w); err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		rq := url.Values{}
		rq.Add("_pragma", "busy_timeout(10000)")
		rq.Add("_pragma", "query_only(1)")
		r, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
		}
		r.SetMaxOpenConns(sqliteReaders)
		r.SetMaxIdleConns(sqliteReaders)
		r.SetConnMaxIdleTime(0)
		s.r, s.rq = r, make(chan struct{}, sqliteReaders)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// pingSQLite opens the writer's connection. Switching a new file to WAL
// needs the file to itself for a moment, and when several processes (or
// Stores) open one new file at once SQLite may answer SQLITE_BUSY without
// waiting out busy_timeout; the connection is then dropped and opened again.
func pingSQLite(ctx context.Context, w *sql.DB) error {
	for {
		err := w.PingContext(ctx)
		var sqErr *sqlite.Error
		if err == nil || !errors.As(err, &sqErr) || sqErr.Code()&0xff != sqlite3.SQLITE_BUSY {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := s.w.Close()
	if s.r != s.w {
		if rerr := s.r.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	release, err := wait(ctx, s.rq)
	if err != nil {
		return err
	}
	defer release()
	return s.r.PingContext(ctx)
}

// migrate applies, in one transaction, the numbered migrations the database
// has not seen. On PostgreSQL an advisory lock keeps two instances starting
// together from applying the same migration twice; on SQLite the immediate
// transaction does the same.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == "postgres" {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(8470)"); err != nil {
			return fmt.Errorf("migrate database: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate database: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migrate database: migration %s: name must start with a number", base)
		}
		if applied[version] {
			continue
		}
		text, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		for _, stmt := range splitSQL(string(text)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate database: migration %s: %w", base, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"),
			version, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migrate database: migration %s: %w", base, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// splitSQL cuts a migration into statements at semicolons that end a line,
// dropping comment lines. Migrations keep semicolons out of literals.
func splitSQL(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// rebind turns the ? placeholders the queries are written with into
// PostgreSQL's $1, $2, …
func (s *Store) rebind(q string) string {
	if s.dialect != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// exec runs one writing statement as a transaction of its own.
func (s *Store) exec(ctx context.Context, q string, args ...any) (int64, error) {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	st, err := s.stmt(ctx, s.w, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, s.classify(err)
	}
	return res.RowsAffected()
}

// scan runs one writing statement that returns a row (… RETURNING) as a
// transaction of its own, and scans that row into dest; sql.ErrNoRows if
// there is none.
func (s *Store) scan(ctx context.Context, q string, args []any, dest ...any) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := s.stmt(ctx, s.w, q)
	if err != nil {
		return err
	}
	return s.classify(st.QueryRowContext(ctx, args...).Scan(dest...))
}

// rows are the rows of a read; Close gives the reader back. They must be
// closed before the next call to the Store.
type rows struct {
	*sql.Rows
	release func()
	once    sync.Once
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}

// query runs a reading statement on a reader: prepared once, or as given
// when prepare is false (a statement put together for the call).
func (s *Store) query(ctx context.Context, q string, args ...any) (*rows, error) {
	return s.queryOn(ctx, true, q, args...)
}

func (s *Store) queryOn(ctx context.Context, prepare bool, q string, args ...any) (*rows, error) {
	release, err := wait(ctx, s.rq)
	if err != nil {
		return nil, err
	}
	var rs *sql.Rows
	if prepare {
		var st *sql.Stmt
		if st, err = s.stmt(ctx, s.r, q); err == nil {
			rs, err = st.QueryContext(ctx, args...)
		}
	} else {
		rs, err = s.r.QueryContext(ctx, s.rebind(q), args...)
	}
	if err != nil {
		release()
		return nil, err
	}
	return &rows{Rows: rs, release: release}, nil
}

// row is the one row of a read; Scan gives the reader back.
type row struct {
	err     error
	r       *sql.Row
	release func()
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.release()
	return r.r.Scan(dest...)
}

// queryRow runs a reading statement, prepared once, on a reader; call Scan
// on the result (which gives the reader back) before the next call to the
// Store.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) row {
	release, err := wait(ctx, s.rq)
	if err != nil {
		return row{err: err}
	}
	st, err := s.stmt(ctx, s.r, q)
	if err != nil {
		release()
		return row{err: err}
	}
	return row{r: st.QueryRowContext(ctx, args...), release: release}
}

// tx runs fn in one write transaction.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return s.classify(err)
	}
	return s.classify(tx.Commit())
}

// classify maps a unique-constraint violation to ErrConflict.
func (s *Store) classify(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
	return err
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func tm(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
