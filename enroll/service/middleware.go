package service

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// access says who may call a route.
type access int

const (
	public     access = iota // no session
	signingIn                // any session, even one still owing a second factor
	changePass               // a fully signed-in session, even with an expired password
	setup2FA                 // also allowed while --require-2fa waits for a first factor
	full                     // a fully signed-in session
)

// route is one endpoint: "METHOD /path", who may call it, and its handler.
type route struct {
	method, path string
	access       access
	handle       func(*call) error
}

// call is one request as a handler sees it: for routes above public, the
// session and its user are loaded and the access rules already checked.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	now     time.Time
	token   string
	sess    store.Session
	user    store.User
	factors []store.Factor // the user's factors, pending ones too

	// backupLeft is the number of unused backup codes, when known: loaded
	// with the session, -1 (ask the store) on public routes and after a
	// change of the codes in this request.
	backupLeft int
}

// confirmed lists the user's confirmed factor kinds.
func (c *call) confirmed() []string {
	var out []string
	for _, f := range c.factors {
		if f.Confirmed() {
			out = append(out, f.Kind)
		}
	}
	return out
}

func (c *call) factor(kind string) (store.Factor, bool) {
	for _, f := range c.factors {
		if f.Kind == kind {
			return f, true
		}
	}
	return store.Factor{}, false
}

func (c *call) mfaEnabled() bool { return len(c.confirmed()) > 0 }

// privileged refuses with reauth_required unless POST /v1/reauth opened the
// window of this session less than 10 minutes ago.
func (c *call) privileged() error {
	if c.sess.PrivilegedUntil.After(c.now) {
		return nil
	}
	return errReauth
}

func (s *Service) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, ctx: r.Context(), now: s.now(), backupLeft: -1}
		err := s.authorize(c, rt.access)
		if err == nil {
			err = rt.handle(c)
		}
		if err == nil {
			return
		}
		var ae *enroll.Error
		if errors.As(err, &ae) {
			writeError(w, ae)
			return
		}
		if errors.Is(err, context.Canceled) {
			return
		}
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, apiError(http.StatusInternalServerError, "internal", "", "internal error"))
	})
}

func (s *Service) authorize(c *call, a access) error {
	if a == public {
		return nil
	}
	h := c.r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return apiError(http.StatusUnauthorized, "unauthorized", "", "sign in first: send Authorization: Bearer <session_token>")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 256 {
		return apiError(http.StatusUnauthorized, "invalid_session", "", "the Authorization header must be Bearer <session_token>")
	}
	who, err := s.store.Caller(c.ctx, tokenHash(token))
	sess, user := who.Session, who.User
	if errors.Is(err, store.ErrNotFound) && sess.ID == "" {
		return apiError(http.StatusUnauthorized, "invalid_session", "", "this session is not valid (signed out or revoked); sign in again")
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if !sess.ExpiresAt.After(c.now) {
		return apiError(http.StatusUnauthorized, "session_expired", "", "this session has expired; sign in again")
	}
	if err != nil {
		return apiError(http.StatusUnauthorized, "invalid_session", "", "this session's account no longer exists")
	}
	if !user.ClosedAt.IsZero() {
		return apiError(http.StatusUnauthorized, "invalid_session", "", "this account is closed; sign in to reactivate it")
	}
	c.token, c.sess, c.user, c.factors, c.backupLeft = token, sess, user, who.Factors, who.BackupCodesLeft
	if c.now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(c.ctx, sess.ID, c.now); err != nil {
			return err
		}
	}
	if a == signingIn {
		return nil
	}
	if c.mfaEnabled() && sess.AAL < 2 {
		return apiError(http.StatusForbidden, "mfa_required", "", "finish signing in with your second factor (POST /v1/login/mfa)")
	}
	if a == changePass {
		return nil
	}
	if s.passwordExpired(user, c.now) {
		return apiError(http.StatusForbidden, "password_expired", "", "your password has expired; choose a new one (POST /v1/me/password)")
	}
	if a == setup2FA {
		return nil
	}
	if s.require2FA && !c.mfaEnabled() {
		return apiError(http.StatusForbidden, "mfa_setup_required", "", "this service requires two-factor authentication: set up a second factor first")
	}
	return nil
}

// clientIP is the peer address of the request (no proxy headers are trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// newSession creates a session for user at the given level and returns
// its token.
func (s *Service) newSession(c *call, user store.User, aal int) (string, store.Session, error) {
	token := newToken()
	ua := c.r.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	sess := store.Session{
		ID: newID(), TokenHash: tokenHash(token), UserID: user.ID, AAL: aal,
		CreatedAt: c.now, LastSeenAt: c.now, ExpiresAt: c.now.Add(s.sessionTTL),
		UserAgent: strings.ToValidUTF8(ua, "?"), IP: clientIP(c.r),
	}
	if err := s.store.CreateSession(c.ctx, sess); err != nil {
		return "", store.Session{}, err
	}
	return token, sess, nil
}
