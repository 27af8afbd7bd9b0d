// Package store keeps accountd's state in SQLite or PostgreSQL behind one
// set of methods, so that the service and its tests run unchanged on both.
//
// Open("sqlite:PATH") or Open("postgres://…") applies the embedded, numbered
// migrations (migrations/*.sql) it lacks inside one transaction, recording
// them in schema_migrations. The schema is written in the SQL both accept:
// TEXT and BIGINT columns, times as Unix milliseconds (0 for "not set"),
// upserts with ON CONFLICT, RETURNING. Queries use ? placeholders, turned
// into $n for PostgreSQL.
//
// Everything that must hold under concurrency is decided in the database.
// A code is checked by Guess in one write transaction that locks the
// user's guess counter (on SQLite the transaction holds the write lock; on
// PostgreSQL an upsert locks the counter's row), runs the check, and
// commits the count together with the check's own writes: a backup code
// used with "… WHERE used_at = 0", a TOTP step with "… WHERE last_step <
// step", the session raised to aal 2. A password, too slow to check inside
// a transaction, takes a slot first with the conditional "failures =
// failures + 1 … WHERE failures < max" (ReserveGuess).
//
// On SQLite all writes go through one connection (WAL mode lets reads run
// beside it), and the Guess calls waiting for it share one commit (tx.go).
// Callers wait for connections in arrival order (database/sql would pick
// a random waiter), and a signed-in request loads what it needs about its
// caller in one statement (Caller): every commit empties the SQLite
// readers' page caches, so each statement reads its pages again.
//
// Drivers: modernc.org/sqlite is SQLite compiled to Go, so the service
// builds with CGO_ENABLED=0 and needs no system library; github.com/jackc/
// pgx/v5 (through its database/sql adapter) is the maintained, complete Go
// PostgreSQL driver.
package store
