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
// Everything that must hold under concurrency is one conditional statement
// whose affected-row count decides: a guess slot is taken with
// "failures = failures + 1 … WHERE failures < max", a backup code is used
// with "… WHERE used_at = 0", a TOTP step with "… WHERE last_step < step".
// On SQLite all writes go through one connection (WAL mode lets reads run
// beside it); on PostgreSQL the row locks of those UPDATEs do the same.
//
// Drivers: modernc.org/sqlite is SQLite compiled to Go, so the service
// builds with CGO_ENABLED=0 and needs no system library; github.com/jackc/
// pgx/v5 (through its database/sql adapter) is the maintained, complete Go
// PostgreSQL driver.
package store
