// Package service is accountd, the account service, as an http.Handler:
// New(Config) opens the database and returns a *Service to serve (and to
// Close). The desktop app embeds it in-process; cmd/accountd wraps it in a
// server with flags.
//
// # Flows and factors
//
// A flow is a sequence of requests a person goes through: signing up
// (signup.go), signing in (login.go), re-authenticating (reauth.go), the
// account settings (settings.go) and closing the account (close.go). A
// factor is one way of proving a second thing: the authenticator app
// (totp.go), e-mail codes (email.go), SMS codes (sms.go) and backup codes
// (backupcodes.go). Flows reach factors only through the list in mfa.go,
// so a new factor is one new file (as Ory Kratos keeps its strategies
// apart from its flows, without its provider interfaces).
//
// # Security rules
//
//   - Passwords: argon2id, m=19 MiB, t=2, p=1, PHC strings (secrets.go);
//     the policy is nist or strict (policy.go).
//   - Sessions: 32 random bytes as the bearer token, only its SHA-256
//     stored; assurance level 1 or 2; a 10-minute re-authentication window
//     opened only by POST /v1/reauth.
//   - Codes: TOTP within ±1 step and never a step twice per user; e-mail
//     codes 10 minutes, SMS 60 s, 5 tries each, a new one replaces the old
//     but not within 30 s of it (429 code_sent_recently, decided in the
//     same statement that stores it: one message per 30 s per user and
//     kind, against mail bombing and SMS pumping); backup codes
//     single-use, stored as salted HMACs. All compared in constant time.
//   - TOTP keys: sealed in the database (package seal: AES-256-GCM under
//     Config.SecretKey, the user id as associated data), so a dump, a
//     backup or a query that reads the table gives no one's codes. The
//     first instance records a check value of the key; an instance with
//     another key does not start. Keys stored before sealing are sealed at
//     start-up.
//   - Guessing: 5 wrong guesses per user and factor, counted in the
//     database (ratelimit.go), so several instances on one database share
//     the limit and concurrency cannot get around it; then 429 with
//     Retry-After and a doubling lock-out. A code is checked in one
//     transaction with its count and what a right code changes (the TOTP
//     step, the backup code, the session's level: store.Guess); a
//     password, slow under argon2id, first reserves one of the 5 slots.
//   - Input: bodies over 64 KiB get 413; unknown fields, wrong types and
//     control characters get 400 naming the field.
//   - Logs (log/slog): method, path, status, user id and event — never a
//     body, a header, a query, a code, a password, a secret or a token.
//
// No state lives in the process: sessions, pending codes, counters, TOTP
// steps and the dev outbox are all in the database (package store).
package service
