package enroll

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Client drives an accountd service over HTTP. It holds one session: Login
// and VerifyEmail store the session token they receive in Token, Logout
// clears it, and every call sends it. A Client is not safe for concurrent
// use while its Token changes; use WithToken for a second session.
type Client struct {
	BaseURL   string       // e.g. "http://127.0.0.1:8470"
	HTTP      *http.Client // nil: http.DefaultClient
	Token     string       // the session token, "" when signed out
	UserAgent string       // sent as User-Agent, when set
}

// NewClient returns a client for the service at baseURL.
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/")}
}

// WithToken returns a copy of c using the given session token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Do sends one request and decodes the JSON answer into out (which may be
// nil). A refusal comes back as *Error.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error == nil {
			snippet := strings.TrimSpace(string(data))
			if len(snippet) > 200 {
				snippet = snippet[:200]
			}
			eb.Error = &Error{Code: "http_error", Message: fmt.Sprintf("%s %s: %s %s", method, path, resp.Status, snippet)}
		}
		eb.Error.Status = resp.StatusCode
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			eb.Error.RetryAfter = time.Duration(s) * time.Second
		}
		return eb.Error
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

func call[T any](c *Client, ctx context.Context, method, path string, in any) (*T, error) {
	var out T
	if err := c.Do(ctx, method, path, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Health is GET /v1/health.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	return call[Health](c, ctx, "GET", "/v1/health", nil)
}

// Policy is GET /v1/policy: the password rules and the factors offered.
func (c *Client) Policy(ctx context.Context) (*Policy, error) {
	return call[Policy](c, ctx, "GET", "/v1/policy", nil)
}

// Signup creates an account; a code is e-mailed to verify it.
func (c *Client) Signup(ctx context.Context, email, password, name string) (*SignupResponse, error) {
	return call[SignupResponse](c, ctx, "POST", "/v1/signup", SignupRequest{Email: email, Password: password, Name: name})
}

// VerifyEmail verifies the address with the e-mailed code and signs in.
func (c *Client) VerifyEmail(ctx context.Context, email, code string) (*SessionResponse, error) {
	r, err := call[SessionResponse](c, ctx, "POST", "/v1/email/verify", VerifyEmailRequest{Email: email, Code: code})
	if err == nil {
		c.Token = r.SessionToken
	}
	return r, err
}

// ResendEmail sends a new verification code, replacing the old one.
func (c *Client) ResendEmail(ctx context.Context, email string) error {
	return c.Do(ctx, "POST", "/v1/email/resend", ResendRequest{Email: email}, nil)
}

// Login signs in with the password. If r.MFA.Required, finish with
// LoginMFA (after SendLoginCode for e-mail and SMS codes).
func (c *Client) Login(ctx context.Context, email, password string) (*SessionResponse, error) {
	r, err := call[SessionResponse](c, ctx, "POST", "/v1/login", LoginRequest{Email: email, Password: password})
	if err == nil {
		c.Token = r.SessionToken
	}
	return r, err
}

// SendLoginCode sends a sign-in code by "email" or "sms".
func (c *Client) SendLoginCode(ctx context.Context, method string) (*CodeSent, error) {
	return call[CodeSent](c, ctx, "POST", "/v1/login/code", LoginCodeRequest{Method: method})
}

// LoginMFA gives the second factor: method is "totp", "email", "sms" or
// "backup_code".
func (c *Client) LoginMFA(ctx context.Context, method, code string) (*SessionResponse, error) {
	return call[SessionResponse](c, ctx, "POST", "/v1/login/mfa", LoginMFARequest{Method: method, Code: code})
}

// LostDevice sends an SMS code to the phone on file, given its last four
// digits; finish with LoginMFA(ctx, "sms", code).
func (c *Client) LostDevice(ctx context.Context, phoneLast4 string) (*CodeSent, error) {
	return call[CodeSent](c, ctx, "POST", "/v1/login/lost-device", LostDeviceRequest{PhoneLast4: phoneLast4})
}

// Logout ends the session and clears Token.
func (c *Client) Logout(ctx context.Context) error {
	err := c.Do(ctx, "POST", "/v1/logout", nil, nil)
	if err == nil {
		c.Token = ""
	}
	return err
}

// Reauth checks the password again, opening a 10-minute window for
// privileged changes.
func (c *Client) Reauth(ctx context.Context, password string) (*ReauthResponse, error) {
	return call[ReauthResponse](c, ctx, "POST", "/v1/reauth", ReauthRequest{Password: password})
}

// Me is the account's details and security summary.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	return call[Me](c, ctx, "GET", "/v1/me", nil)
}

// UpdateMe changes the details whose fields are set.
func (c *Client) UpdateMe(ctx context.Context, u UpdateMeRequest) (*Me, error) {
	return call[Me](c, ctx, "PATCH", "/v1/me", u)
}

// ChangePassword changes the password; the other sessions are signed out.
func (c *Client) ChangePassword(ctx context.Context, oldPassword, newPassword, confirm string) (*ChangePasswordResponse, error) {
	return call[ChangePasswordResponse](c, ctx, "POST", "/v1/me/password",
		ChangePasswordRequest{OldPassword: oldPassword, NewPassword: newPassword, ConfirmPassword: confirm})
}

// Sessions lists the account's sessions.
func (c *Client) Sessions(ctx context.Context) ([]Session, error) {
	r, err := call[Sessions](c, ctx, "GET", "/v1/me/sessions", nil)
	if err != nil {
		return nil, err
	}
	return r.Sessions, nil
}

// RevokeSession signs out one session by its id.
func (c *Client) RevokeSession(ctx context.Context, id string) error {
	return c.Do(ctx, "DELETE", "/v1/me/sessions/"+url.PathEscape(id), nil, nil)
}

// SetupTOTP starts setting up an authenticator app (needs Reauth first).
func (c *Client) SetupTOTP(ctx context.Context) (*TOTPSetup, error) {
	return call[TOTPSetup](c, ctx, "POST", "/v1/mfa/totp/setup", nil)
}

// ConfirmTOTP finishes it with a code from the app.
func (c *Client) ConfirmTOTP(ctx context.Context, code string) (*Confirmed, error) {
	return call[Confirmed](c, ctx, "POST", "/v1/mfa/totp/confirm", ConfirmRequest{Code: code})
}

// RemoveTOTP removes the authenticator app (needs Reauth first).
func (c *Client) RemoveTOTP(ctx context.Context) error {
	return c.Do(ctx, "DELETE", "/v1/mfa/totp", nil, nil)
}

// SetupEmail starts e-mail codes: a code goes to the account's address.
func (c *Client) SetupEmail(ctx context.Context) (*CodeSent, error) {
	return call[CodeSent](c, ctx, "POST", "/v1/mfa/email/setup", nil)
}

// ConfirmEmail finishes it with the e-mailed code.
func (c *Client) ConfirmEmail(ctx context.Context, code string) (*Confirmed, error) {
	return call[Confirmed](c, ctx, "POST", "/v1/mfa/email/confirm", ConfirmRequest{Code: code})
}

// RemoveEmail turns e-mail codes off (needs Reauth first).
func (c *Client) RemoveEmail(ctx context.Context) error {
	return c.Do(ctx, "DELETE", "/v1/mfa/email", nil, nil)
}

// SetupSMS starts SMS codes to phone: a code is texted to it.
func (c *Client) SetupSMS(ctx context.Context, phone string) (*CodeSent, error) {
	return call[CodeSent](c, ctx, "POST", "/v1/mfa/sms/setup", SMSSetupRequest{Phone: phone})
}

// ConfirmSMS finishes it with the texted code.
func (c *Client) ConfirmSMS(ctx context.Context, code string) (*Confirmed, error) {
	return call[Confirmed](c, ctx, "POST", "/v1/mfa/sms/confirm", ConfirmRequest{Code: code})
}

// RemoveSMS turns SMS codes off (needs Reauth first).
func (c *Client) RemoveSMS(ctx context.Context) error {
	return c.Do(ctx, "DELETE", "/v1/mfa/sms", nil, nil)
}

// BackupCodesStatus says how many backup codes are left.
func (c *Client) BackupCodesStatus(ctx context.Context) (*BackupCodesStatus, error) {
	return call[BackupCodesStatus](c, ctx, "GET", "/v1/mfa/backup-codes", nil)
}

// RegenerateBackupCodes makes a new set, voiding the old (needs Reauth).
func (c *Client) RegenerateBackupCodes(ctx context.Context) ([]string, error) {
	r, err := call[BackupCodes](c, ctx, "POST", "/v1/mfa/backup-codes", nil)
	if err != nil {
		return nil, err
	}
	return r.Codes, nil
}

// DisableMFA turns two-factor authentication off (needs Reauth first).
func (c *Client) DisableMFA(ctx context.Context) (*MFAOff, error) {
	return call[MFAOff](c, ctx, "DELETE", "/v1/mfa", nil)
}

// CloseAccount closes the account (needs Reauth first); signing in within
// 30 days reopens it.
func (c *Client) CloseAccount(ctx context.Context, password string, acknowledged bool) (*CloseResponse, error) {
	return call[CloseResponse](c, ctx, "POST", "/v1/me/close", CloseRequest{Password: password, Acknowledged: acknowledged})
}

// Outbox lists what a --dev service "sent", oldest first.
func (c *Client) Outbox(ctx context.Context) ([]OutboxMessage, error) {
	r, err := call[Outbox](c, ctx, "GET", "/v1/dev/outbox", nil)
	if err != nil {
		return nil, err
	}
	return r.Messages, nil
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// LatestCode is the 6-digit code in the newest outbox message to to (an
// address or a number), as a tester reads it from the dev mailbox.
func (c *Client) LatestCode(ctx context.Context, to string) (string, error) {
	msgs, err := c.Outbox(ctx)
	if err != nil {
		return "", err
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			if code := CodeIn(msgs[i].Body); code != "" {
				return code, nil
			}
		}
	}
	return "", fmt.Errorf("no code in the outbox for %s", to)
}

// CodeIn finds the 6-digit code in a message body, or "".
func CodeIn(body string) string {
	return sixDigits.FindString(body)
}
