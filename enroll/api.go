package enroll

import (
	"fmt"
	"time"
)

// Next steps a client is told to take after signing in or up.
const (
	NextVerifyEmail    = "verify_email"    // enter the code sent by e-mail
	NextMFA            = "mfa"             // give a second factor (POST /v1/login/mfa)
	NextSetup2FA       = "setup_2fa"       // set up a second factor
	NextChangePassword = "change_password" // the password has expired (strict policy)
	NextDone           = "done"            // nothing more to do
)

// Methods of the second factor.
const (
	MethodTOTP       = "totp"
	MethodEmail      = "email"
	MethodSMS        = "sms"
	MethodBackupCode = "backup_code"
)

// Error is the service's answer to a request it refused:
// {"error":{"code":"...","message":"...","field":"..."}} with an HTTP status.
type Error struct {
	Status     int           `json:"-"`               // HTTP status code
	Code       string        `json:"code"`            // machine-readable, e.g. "reauth_required"
	Message    string        `json:"message"`         // one line for a person
	Field      string        `json:"field,omitempty"` // the request field at fault, if one is
	RetryAfter time.Duration `json:"-"`               // from Retry-After on 429
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
	if e.Field != "" {
		s += " field " + e.Field
	}
	return s
}

// ErrorBody is the JSON envelope of an Error.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// Health is GET /v1/health.
type Health struct {
	Status   string `json:"status"`   // "ok"
	Database string `json:"database"` // "sqlite" or "postgres"
}

// Policy is GET /v1/policy: what a password must be, whether a second
// factor is required, and which factors this service offers.
type Policy struct {
	Name       string         `json:"name"` // "nist" or "strict"
	Password   PasswordPolicy `json:"password"`
	Require2FA bool           `json:"require_2fa"`
	Factors    []string       `json:"factors"` // e.g. ["totp","email","sms","backup_code"]
}

// PasswordPolicy lists the password rules, each with a sentence a client
// can show as a live checklist.
type PasswordPolicy struct {
	MinLength     int          `json:"min_length"`
	MaxLength     int          `json:"max_length"`
	RequireUpper  bool         `json:"require_upper"`
	RequireLower  bool         `json:"require_lower"`
	RequireDigit  bool         `json:"require_digit"`
	RequireSymbol bool         `json:"require_symbol"`
	Blocklist     bool         `json:"blocklist"`
	MaxAgeDays    int          `json:"max_age_days"` // 0: never expires
	Rules         []PolicyRule `json:"rules"`
}

// PolicyRule is one rule of the password policy.
type PolicyRule struct {
	ID          string `json:"id"` // "min_length", "max_length", "upper", "lower", "digit", "symbol", "not_common"
	Description string `json:"description"`
}

// SignupRequest is POST /v1/signup.
type SignupRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// SignupResponse answers POST /v1/signup: a code is on its way by e-mail.
type SignupResponse struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Next   string `json:"next"` // "verify_email"
}

// VerifyEmailRequest is POST /v1/email/verify.
type VerifyEmailRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
}

// ResendRequest is POST /v1/email/resend.
type ResendRequest struct {
	Email string `json:"email"`
}

// LoginRequest is POST /v1/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// MFAStatus says whether a second factor is still needed, and which.
type MFAStatus struct {
	Required bool     `json:"required"`
	Methods  []string `json:"methods"`
}

// SessionResponse answers a sign-in step (verify e-mail, login, login/mfa).
type SessionResponse struct {
	SessionToken    string    `json:"session_token"`
	AAL             int       `json:"aal"`
	MFA             MFAStatus `json:"mfa"`
	Next            string    `json:"next"`
	ExpiresAt       time.Time `json:"expires_at"`
	Reactivated     bool      `json:"reactivated,omitempty"`      // a closed account was reopened
	PasswordExpired bool      `json:"password_expired,omitempty"` // strict policy: change it now
}

// LoginCodeRequest is POST /v1/login/code: send a code by "email" or "sms".
type LoginCodeRequest struct {
	Method string `json:"method"`
}

// CodeSent answers a request that sent a code.
type CodeSent struct {
	Channel   string    `json:"channel"` // "email" or "sms"
	SentTo    string    `json:"sent_to"` // masked address or number
	ExpiresAt time.Time `json:"expires_at"`
}

// LoginMFARequest is POST /v1/login/mfa.
type LoginMFARequest struct {
	Method string `json:"method"`
	Code   string `json:"code"`
}

// LostDeviceRequest is POST /v1/login/lost-device.
type LostDeviceRequest struct {
	PhoneLast4 string `json:"phone_last4"`
}

// ReauthRequest is POST /v1/reauth.
type ReauthRequest struct {
	Password string `json:"password"`
}

// ReauthResponse says until when privileged changes are allowed.
type ReauthResponse struct {
	PrivilegedUntil time.Time `json:"privileged_until"`
}

// Me is GET /v1/me.
type Me struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	Name          string    `json:"name"`
	TradeName     string    `json:"trade_name"`
	Country       string    `json:"country"`
	City          string    `json:"city"`
	BirthDate     string    `json:"birth_date"` // YYYY-MM-DD
	Phone         string    `json:"phone"`
	CreatedAt     time.Time `json:"created_at"`
	Security      Security  `json:"security"`
}

// Security is the security summary of an account.
type Security struct {
	MFAEnabled           bool       `json:"mfa_enabled"`
	Methods              []string   `json:"methods"`
	BackupCodesRemaining int        `json:"backup_codes_remaining"`
	PasswordChangedAt    time.Time  `json:"password_changed_at"`
	PasswordExpiresAt    *time.Time `json:"password_expires_at,omitempty"`
	SMSPhone             string     `json:"sms_phone,omitempty"`
}

// UpdateMeRequest is PATCH /v1/me; fields left nil are unchanged.
type UpdateMeRequest struct {
	Name      *string `json:"name,omitempty"`
	TradeName *string `json:"trade_name,omitempty"`
	Country   *string `json:"country,omitempty"`
	City      *string `json:"city,omitempty"`
	BirthDate *string `json:"birth_date,omitempty"`
	Phone     *string `json:"phone,omitempty"`
}

// ChangePasswordRequest is POST /v1/me/password.
type ChangePasswordRequest struct {
	OldPassword     string `json:"old_password"`
	NewPassword     string `json:"new_password"`
	ConfirmPassword string `json:"confirm_password"`
}

// ChangePasswordResponse says how many other sessions were signed out.
type ChangePasswordResponse struct {
	RevokedSessions int `json:"revoked_sessions"`
}

// Session is one entry of GET /v1/me/sessions.
type Session struct {
	ID         string    `json:"id"`
	AAL        int       `json:"aal"`
	Current    bool      `json:"current"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
}

// Sessions is GET /v1/me/sessions.
type Sessions struct {
	Sessions []Session `json:"sessions"`
}

// TOTPSetup answers POST /v1/mfa/totp/setup: the key three ways.
type TOTPSetup struct {
	Secret     string `json:"secret"`      // base32, for typing in ("can't scan?")
	OTPAuthURI string `json:"otpauth_uri"` // otpauth://totp/Issuer:email?secret=…&issuer=Issuer
	QRPNG      []byte `json:"qr_png"`      // the URI as a QR code, PNG, base64 in JSON
}

// ConfirmRequest is POST /v1/mfa/{totp,email,sms}/confirm.
type ConfirmRequest struct {
	Code string `json:"code"`
}

// Confirmed answers a factor confirmation. BackupCodes is set when this was
// the first factor: the only time they are shown.
type Confirmed struct {
	Method      string   `json:"method"`
	MFAEnabled  bool     `json:"mfa_enabled"`
	AAL         int      `json:"aal"`
	BackupCodes []string `json:"backup_codes,omitempty"`
}

// SMSSetupRequest is POST /v1/mfa/sms/setup.
type SMSSetupRequest struct {
	Phone string `json:"phone"`
}

// BackupCodesStatus is GET /v1/mfa/backup-codes.
type BackupCodesStatus struct {
	Remaining int `json:"remaining"`
	Total     int `json:"total"`
}

// BackupCodes answers POST /v1/mfa/backup-codes: a new set, shown once.
type BackupCodes struct {
	Codes []string `json:"codes"`
}

// MFAOff answers DELETE /v1/mfa.
type MFAOff struct {
	MFAEnabled     bool `json:"mfa_enabled"` // false
	RemovedFactors int  `json:"removed_factors"`
}

// CloseRequest is POST /v1/me/close.
type CloseRequest struct {
	Password     string `json:"password"`
	Acknowledged bool   `json:"acknowledged"`
}

// CloseResponse says when the account's data will be deleted.
type CloseResponse struct {
	DeletionAt time.Time `json:"deletion_at"`
}

// Outbox is GET /v1/dev/outbox (dev mode only).
type Outbox struct {
	Messages []OutboxMessage `json:"messages"`
}

// OutboxMessage is one e-mail or SMS the dev service "sent".
type OutboxMessage struct {
	Channel string    `json:"channel"` // "email" or "sms"
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	SentAt  time.Time `json:"sent_at"`
}
