package service

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store/storetest"
	"github.com/authdesk/authdesk/vault"
)

// clock is a settable time source for the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects the service's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testKey is the secret key of the services under test: one key, so that
// instances sharing a database agree.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// env is a running service on a real loopback HTTP server.
type env struct {
	t       testing.TB
	svc     *Service
	srv     *httptest.Server
	clock   *clock
	logs    *logBuffer
	dsn     string
	secrets []string // every password, code and token the test used
	mu      sync.Mutex
}

// start runs a service on a fresh database of the given kind. cfg.DB,
// Now and Logger are filled in; Dev is on unless cfg sets a mail route.
func start(t *testing.T, kind string, cfg Config) *env {
	t.Helper()
	if cfg.DB == "" {
		cfg.DB = storetest.DSN(t, kind)
	}
	return startOn(t, cfg, &clock{t: time.Now().UTC().Truncate(time.Second)})
}

func startOn(t *testing.T, cfg Config, clk *clock) *env {
	t.Helper()
	e := &env{t: t, clock: clk, logs: &logBuffer{}, dsn: cfg.DB}
	if cfg.SMTP == "" && cfg.Email == nil {
		cfg.Dev = true
	}
	cfg.Now = e.clock.Now
	if cfg.SecretKey == nil {
		cfg.SecretKey = testKey
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.srv = httptest.NewServer(svc)
	t.Cleanup(func() {
		e.srv.Close()
		svc.Close()
		e.checkLogs()
	})
	return e
}

// client is a new client (no session) of the service.
func (e *env) client() *enroll.Client {
	return &enroll.Client{BaseURL: e.srv.URL, HTTP: e.srv.Client(), UserAgent: "authdesk-test"}
}

// secret records a value that must never appear in a log line.
func (e *env) secret(vals ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range vals {
		if v != "" {
			e.secrets = append(e.secrets, v)
		}
	}
}

func (e *env) checkLogs() {
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		e.t.Errorf("no request was logged; the log check would prove nothing")
	}
	for _, s := range e.secrets {
		if strings.Contains(logs, s) {
			e.t.Errorf("a secret (%d characters, starting %.2q) appears in the log", len(s), s)
		}
	}
}

// code reads the newest code sent to to from the dev outbox.
func (e *env) code(to string) string {
	e.t.Helper()
	code, err := e.client().LatestCode(context.Background(), to)
	if err != nil {
		e.t.Fatal(err)
	}
	e.secret(code)
	return code
}

// signup makes a verified account and returns its signed-in client.
func (e *env) signup(email, password string) *enroll.Client {
	e.t.Helper()
	ctx := context.Background()
	c := e.client()
	e.secret(password)
	if _, err := c.Signup(ctx, email, password, "Test User"); err != nil {
		e.t.Fatalf("sign up %s: %v", email, err)
	}
	r, err := c.VerifyEmail(ctx, email, e.code(email))
	if err != nil {
		e.t.Fatalf("verify %s: %v", email, err)
	}
	e.secret(r.SessionToken)
	return c
}

// login signs in with the password only.
func (e *env) login(email, password string) (*enroll.Client, *enroll.SessionResponse) {
	e.t.Helper()
	c := e.client()
	r, err := c.Login(context.Background(), email, password)
	if err != nil {
		e.t.Fatalf("sign in %s: %v", email, err)
	}
	e.secret(r.SessionToken)
	return c, r
}

// totp is the current code of an authenticator holding secret (base32).
func (e *env) totp(secret string) string {
	e.t.Helper()
	raw, err := vault.DecodeSecret(secret)
	if err != nil {
		e.t.Fatal(err)
	}
	code, err := vault.Account{Type: vault.TOTP, Secret: raw, Algorithm: vault.SHA1, Digits: 6, Period: 30}.Code(e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	e.secret(code)
	return code
}

// enableTOTP re-authenticates, sets up and confirms TOTP; it returns the
// secret and the backup codes.
func (e *env) enableTOTP(c *enroll.Client, password string) (string, []string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := c.Reauth(ctx, password); err != nil {
		e.t.Fatal(err)
	}
	setup, err := c.SetupTOTP(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	e.secret(setup.Secret)
	conf, err := c.ConfirmTOTP(ctx, e.totp(setup.Secret))
	if err != nil {
		e.t.Fatal(err)
	}
	e.secret(conf.BackupCodes...)
	return setup.Secret, conf.BackupCodes
}

// wantErr checks that err is an *enroll.Error with the given status and code.
func wantErr(t *testing.T, err error, status int, code string) *enroll.Error {
	t.Helper()
	var ae *enroll.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want %d %s", err, status, code)
	}
	if ae.Status != status || ae.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", ae.Status, ae.Code, ae.Message, status, code)
	}
	if ae.Status == 500 {
		t.Fatalf("server error: %v", ae)
	}
	return ae
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// raw sends a request with a raw body and returns status and error code.
func (e *env) raw(method, path, token, body string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb enroll.ErrorBody
	jsonDecode(resp.Body, &eb)
	code := ""
	if eb.Error != nil {
		code = eb.Error.Code
	}
	return resp.StatusCode, code
}
