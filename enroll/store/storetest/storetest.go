// Package storetest gives tests a fresh database of each kind the service
// supports: a SQLite file in a temporary directory, and a new database on
// the PostgreSQL server named by AUTHDESK_TEST_PG (scripts/testenv starts
// one). Without AUTHDESK_TEST_PG the PostgreSQL case is skipped, unless CI
// is set, where a missing database is a failure.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Kinds are the database kinds, in the order tests run them.
var Kinds = []string{"sqlite", "postgres"}

// DSN returns a fresh, empty database of the given kind ("sqlite" or
// "postgres") for this test, dropped when the test ends.
func DSN(t testing.TB, kind string) string {
	t.Helper()
	switch kind {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "accountd.db")
	case "postgres":
		return PostgresDSN(t)
	}
	t.Fatalf("unknown database kind %q", kind)
	return ""
}

// PostgresDSN creates a new database on the test server and returns its URL.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("AUTHDESK_TEST_PG")
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AUTHDESK_TEST_PG is not set: run the tests under scripts/testenv")
		}
		t.Skip("AUTHDESK_TEST_PG is not set: run under scripts/testenv to test PostgreSQL")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse AUTHDESK_TEST_PG: %v", err)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open AUTHDESK_TEST_PG: %v", err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "accountd_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u.Path = "/" + name
	return u.String()
}
