// Command accountd is Authdesk's account service: sign-up with e-mail
// verification, sign-in with a second factor (authenticator app, e-mail or
// SMS codes, backup codes), re-authentication, account settings, password
// policies and account closing, as an HTTP JSON API under /v1. The API is
// described in enroll/openapi.yaml, served at /v1/openapi.yaml.
//
// To try every flow with no set-up:
//
//	accountd --listen 127.0.0.1:8470 --db sqlite:accountd.db --dev
//
// --dev keeps every e-mail and SMS in an outbox, read at GET /v1/dev/outbox,
// instead of sending it. In production, give --smtp host:port (and
// --mail-from) for e-mail and --sms-webhook URL for SMS (POSTed as JSON
// {"to","body"}). Use --db postgres://… to run several instances on one
// database: they keep no state of their own.
//
// Users' TOTP keys are sealed in the database under a 32-byte secret key
// (64 hex digits in the file --secret-key-file names). With SQLite and no
// --secret-key-file the key lives beside the database, in PATH.key, made on
// the first start (mode 0600); that keeps the keys out of dumps and
// backups of the database itself. PostgreSQL needs --secret-key-file, the
// same file for every instance.
//
// Every flag can also be set by an environment variable ACCOUNTD_ and the
// flag's name in capitals with underscores (ACCOUNTD_DB, ACCOUNTD_SMTP,
// ACCOUNTD_REQUIRE_2FA=true); a flag on the command line wins. Logs are
// structured (log/slog) on stderr and never hold a password, code, secret
// or token. SIGINT or SIGTERM stops it gracefully.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/authdesk/authdesk/enroll/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "accountd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("accountd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8470", "`address` to serve HTTP on")
	db := fs.String("db", "sqlite:accountd.db", "database: sqlite:`PATH` or postgres://…")
	dev := fs.Bool("dev", false, "keep e-mail and SMS in the outbox (GET /v1/dev/outbox) instead of sending them")
	issuer := fs.String("issuer", "Authdesk", "service `name` shown in authenticator apps")
	policy := fs.String("password-policy", "nist", "password policy: nist or strict")
	require2FA := fs.Bool("require-2fa", false, "make a second factor mandatory")
	smtpAddr := fs.String("smtp", "", "SMTP relay `host:port` for e-mail")
	mailFrom := fs.String("mail-from", "accountd@localhost", "sender `address` of e-mail")
	smsWebhook := fs.String("sms-webhook", "", "`URL` SMS are POSTed to as JSON {\"to\",\"body\"}")
	purgeInterval := fs.Duration("purge-interval", time.Hour, "how often to delete closed accounts past their 30 days")
	sessionTTL := fs.Duration("session-ttl", 24*time.Hour, "lifetime of a session")
	keyFile := fs.String("secret-key-file", "", "`file` holding the 32-byte key (64 hex digits) that seals TOTP keys in the database (SQLite default: PATH.key beside it, made if missing)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: accountd [flags]\n\nEvery flag may also come from ACCOUNTD_<NAME> (e.g. ACCOUNTD_DB).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		env := "ACCOUNTD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" && !set[f.Name] && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", env, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", *logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	var log *slog.Logger
	switch *logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(stderr, opts))
	case "json":
		log = slog.New(slog.NewJSONHandler(stderr, opts))
	default:
		return fmt.Errorf("--log-format %q: use text or json", *logFormat)
	}
	if *purgeInterval <= 0 {
		return errors.New("--purge-interval must be positive")
	}

	key, err := secretKey(*keyFile, *db, log)
	if err != nil {
		return err
	}
	svc, err := service.New(service.Config{
		DB: *db, Issuer: *issuer, PasswordPolicy: *policy, Require2FA: *require2FA,
		SMTP: *smtpAddr, MailFrom: *mailFrom, SMSWebhook: *smsWebhook, Dev: *dev,
		SessionTTL: *sessionTTL, Logger: log, SecretKey: key,
	})
	clear(key)
	if err != nil {
		return err
	}
	defer svc.Close()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	srv := &http.Server{
		Handler:           svc,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	defer stopPurge()
	go svc.RunPurge(purgeCtx, *purgeInterval)

	log.Info("listening", "addr", ln.Addr().String(), "db", dbKind(*db), "dev", *dev,
		"password_policy", *policy, "require_2fa", *require2FA)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("stopped")
	return nil
}

// dbKind names the database without its credentials, for the log.
func dbKind(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "postgres"
	}
	return "sqlite:" + strings.TrimPrefix(dsn, "sqlite:")
}

// secretKey reads the key that seals TOTP keys from file or, for SQLite
// without one, from the database's PATH.key, made on the first start.
func secretKey(file, db string, log *slog.Logger) ([]byte, error) {
	if file == "" {
		path, ok := strings.CutPrefix(db, "sqlite:")
		if !ok {
			return nil, errors.New("--secret-key-file is needed with PostgreSQL (the same key for every instance): make one with: head -c 32 /dev/urandom | xxd -p -c 64 > accountd.key")
		}
		file = path + ".key"
		key := make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			_, err = fmt.Fprintln(f, hex.EncodeToString(key))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(file)
				return nil, fmt.Errorf("write the secret key %s: %w", file, err)
			}
			log.Info("made the secret key that seals TOTP keys", "file", file)
		case !errors.Is(err, fs.ErrExist):
			return nil, fmt.Errorf("make the secret key %s: %w", file, err)
		}
		clear(key)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the secret key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	clear(data)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("secret key %s: want 64 hex digits (32 bytes), as head -c 32 /dev/urandom | xxd -p -c 64 makes", file)
	}
	return key, nil
}
