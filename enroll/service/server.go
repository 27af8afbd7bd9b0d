package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/notify"
	"github.com/authdesk/authdesk/enroll/seal"
	"github.com/authdesk/authdesk/enroll/store"
)

// Config is what a service needs. DB is required; e-mail needs SMTP or Dev.
type Config struct {
	DB             string        // "sqlite:PATH" or "postgres://…"
	Issuer         string        // names the service in otpauth URIs; default "Authdesk"
	PasswordPolicy string        // "nist" (default) or "strict"
	Require2FA     bool          // a session without a second factor may only set one up
	SMTP           string        // host:port of the mail relay
	MailFrom       string        // sender address; default "accountd@localhost"
	SMSWebhook     string        // URL SMS are POSTed to as {"to","body"}
	Dev            bool          // deliver to the outbox and serve GET /v1/dev/outbox
	SessionTTL     time.Duration // lifetime of a session; default 24 h
	Logger         *slog.Logger  // default: discard
	Now            func() time.Time

	// SecretKey (32 bytes) seals the users' TOTP keys in the database. Every
	// instance on one database needs the same one: the first to start
	// records a check value, and New refuses another key.
	SecretKey []byte

	// Email and SMS, when set, replace the senders the fields above choose.
	Email notify.Sender
	SMS   notify.Sender
}

// Service is the account service: an http.Handler serving the /v1 API.
type Service struct {
	store      *store.Store
	issuer     string
	policy     passwordPolicy
	require2FA bool
	dev        bool
	sessionTTL time.Duration
	log        *slog.Logger
	now        func() time.Time
	email      notify.Sender
	sms        notify.Sender // nil: SMS is not offered
	mux        *http.ServeMux
	routes     []route

	box *seal.Box // seals TOTP keys in the database

	dummyOnce sync.Once
	dummyHash string
}

// Limits and lifetimes.
const (
	maxGuesses       = 5                // wrong codes (or passwords) before a lock-out
	codeTries        = 5                // tries per e-mail or SMS code
	emailCodeTTL     = 10 * time.Minute // e-mail codes
	smsCodeTTL       = 60 * time.Second // SMS codes (Salestrekker: "good for one minute")
	reauthWindow     = 10 * time.Minute
	deletionDelay    = 30 * 24 * time.Hour
	backupCodeCount  = 10
	defaultIssuer    = "Authdesk"
	defaultMailFrom  = "accountd@localhost"
	defaultSessionTT = 24 * time.Hour
)

// backoff is the lock-out after the n-th full round of wrong guesses:
// 30 s, 1 min, 2 min, … up to an hour.
func backoff(lockouts int) time.Duration {
	d := 30 * time.Second
	for i := 0; i < lockouts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// New opens the database (applying migrations) and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == "" {
		return nil, errors.New("new service: no database given")
	}
	policy, err := policyNamed(cfg.PasswordPolicy)
	if err != nil {
		return nil, err
	}
	box, err := seal.New(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("new service: the secret key that seals TOTP keys: %w", err)
	}
	s := &Service{box: box,
		issuer: cfg.Issuer, policy: policy, require2FA: cfg.Require2FA, dev: cfg.Dev,
		sessionTTL: cfg.SessionTTL, log: cfg.Logger, now: cfg.Now,
	}
	if s.issuer == "" {
		s.issuer = defaultIssuer
	}
	if s.sessionTTL == 0 {
		s.sessionTTL = defaultSessionTT
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.store, err = store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := s.sealSecrets(ctx); err != nil {
		s.store.Close()
		return nil, fmt.Errorf("new service: %w", err)
	}
	from := cfg.MailFrom
	if from == "" {
		from = defaultMailFrom
	}
	outbox := notify.Outbox{Store: s.store, Now: s.now}
	switch {
	case cfg.Email != nil:
		s.email = cfg.Email
	case cfg.SMTP != "":
		s.email = notify.SMTP{Addr: cfg.SMTP, From: from}
	case cfg.Dev:
		s.email = outbox
	default:
		s.store.Close()
		return nil, errors.New("new service: no way to send e-mail: give an SMTP server (--smtp host:port) or run in dev mode (--dev)")
	}
	switch {
	case cfg.SMS != nil:
		s.sms = cfg.SMS
	case cfg.SMSWebhook != "":
		s.sms = notify.Webhook{URL: cfg.SMSWebhook}
	case cfg.Dev:
		s.sms = outbox
	}
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiError(http.StatusNotFound, "not_found", "", "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return s, nil
}

// Close closes the database.
func (s *Service) Close() error { return s.store.Close() }

// ServeHTTP serves the API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
			if !rw.wrote {
				writeError(rw, apiError(http.StatusInternalServerError, "internal", "", "internal error"))
			}
		}
		// Paths and statuses only: bodies, headers and queries may hold codes.
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rw.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	r.Body = http.MaxBytesReader(rw, r.Body, maxBody)
	s.mux.ServeHTTP(rw, r)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Routes lists "METHOD /path" of every endpoint served, for the check that
// openapi.yaml documents each one.
func (s *Service) Routes() []string {
	var out []string
	for _, rt := range s.routes {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// Purge deletes the data of closed accounts whose 30 days are over.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n, err := s.store.PurgeClosed(ctx, s.now())
	if err != nil {
		return n, fmt.Errorf("purge closed accounts: %w", err)
	}
	if _, err := s.store.DeleteExpiredSessions(ctx, s.now()); err != nil {
		return n, fmt.Errorf("delete expired sessions: %w", err)
	}
	if n > 0 {
		s.log.Info("purged closed accounts", "count", n)
	}
	return n, nil
}

// RunPurge calls Purge every interval until ctx is done.
func (s *Service) RunPurge(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Purge(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purge", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) health(c *call) error {
	if err := s.store.Ping(c.ctx); err != nil {
		return apiError(http.StatusServiceUnavailable, "database_unavailable", "", "the database does not answer")
	}
	writeJSON(c.w, http.StatusOK, enroll.Health{Status: "ok", Database: s.store.Dialect()})
	return nil
}

func (s *Service) openapi(c *call) error {
	c.w.Header().Set("Content-Type", "application/yaml")
	c.w.Write(enroll.OpenAPI)
	return nil
}

func (s *Service) outbox(c *call) error {
	msgs, err := s.store.Messages(c.ctx, c.r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	out := enroll.Outbox{Messages: []enroll.OutboxMessage{}}
	for _, m := range msgs {
		out.Messages = append(out.Messages, enroll.OutboxMessage{
			Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, SentAt: m.SentAt,
		})
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// routeTable lists every endpoint. The factor files add their own.
func (s *Service) routeTable() []route {
	rs := []route{
		{"GET", "/v1/health", public, s.health},
		{"GET", "/v1/policy", public, s.getPolicy},
		{"GET", "/v1/openapi.yaml", public, s.openapi},
		{"POST", "/v1/signup", public, s.signup},
		{"POST", "/v1/email/verify", public, s.verifyEmail},
		{"POST", "/v1/email/resend", public, s.resendEmail},
		{"POST", "/v1/login", public, s.login},
		{"POST", "/v1/login/code", signingIn, s.loginCode},
		{"POST", "/v1/login/mfa", signingIn, s.loginMFA},
		{"POST", "/v1/login/lost-device", signingIn, s.lostDevice},
		{"POST", "/v1/logout", signingIn, s.logout},
		{"POST", "/v1/reauth", setup2FA, s.reauth},
		{"GET", "/v1/me", full, s.getMe},
		{"PATCH", "/v1/me", full, s.patchMe},
		{"POST", "/v1/me/password", changePass, s.changePassword},
		{"GET", "/v1/me/sessions", full, s.listSessions},
		{"DELETE", "/v1/me/sessions/{id}", full, s.revokeSession},
		{"POST", "/v1/me/close", full, s.closeAccount},
		{"DELETE", "/v1/mfa", full, s.disableMFA},
	}
	for _, f := range factors {
		rs = append(rs, f.routes(s)...)
	}
	if s.dev {
		rs = append(rs, route{"GET", "/v1/dev/outbox", public, s.outbox})
	}
	return rs
}
