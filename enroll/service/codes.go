package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/notify"
	"github.com/authdesk/authdesk/enroll/store"
)

// codeKind describes one use of a 6-digit code sent by e-mail or SMS.
type codeKind struct {
	purpose string        // the key of the pending code in the store
	channel string        // "email" or "sms"
	factor  string        // the guess-limit counter it shares
	ttl     time.Duration // e-mail 10 min, SMS 60 s
	subject string        // e-mail subject; %s is the issuer
	text    string        // %[1]s issuer, %[2]s code, %[3]s lifetime
}

var (
	verifyEmailCode = codeKind{"verify_email", "email", "verify_email", emailCodeTTL,
		"Your %s verification code",
		"Your %[1]s verification code is %[2]s.\n\nIt expires in %[3]s. If you did not sign up for %[1]s, ignore this message."}
	loginEmailCode = codeKind{"login_email", "email", "email", emailCodeTTL,
		"Your %s sign-in code",
		"Your %[1]s sign-in code is %[2]s.\n\nIt expires in %[3]s. If you are not signing in, change your password."}
	setupEmailCode = codeKind{"setup_email", "email", "email", emailCodeTTL,
		"Turn on e-mail codes for %s",
		"Enter %[2]s to turn on sign-in codes by e-mail for %[1]s.\n\nThe code expires in %[3]s."}
	loginSMSCode = codeKind{"login_sms", "sms", "sms", smsCodeTTL, "",
		"%[1]s sign-in code: %[2]s (valid %[3]s)"}
	setupSMSCode = codeKind{"setup_sms", "sms", "sms", smsCodeTTL, "",
		"%[1]s code to turn on SMS sign-in: %[2]s (valid %[3]s)"}
)

func lifetime(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	}
	if d == time.Minute {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

// codeResendGap is the least time between two codes of one kind to one
// user: asking again sooner gets 429. It caps what a script can make us
// send (mail bombing someone's inbox, or SMS pumping on our bill) and is
// short enough that a person who lost the first message waits little.
const codeResendGap = 30 * time.Second

// sendCode makes a new code of the given kind, replacing any pending one,
// and sends it to to (an address or a number, which is kept with the code).
func (s *Service) sendCode(c *call, userID string, k codeKind, to string) (enroll.CodeSent, error) {
	sender := s.email
	if k.channel == "sms" {
		sender = s.sms
	}
	if sender == nil {
		return enroll.CodeSent{}, apiError(http.StatusConflict, "sms_unavailable", "", "this service cannot send SMS")
	}
	code := newDigits(6)
	salt := newSalt()
	expires := c.now.Add(k.ttl)
	ok, err := s.store.PutCode(c.ctx, store.Code{
		UserID: userID, Purpose: k.purpose, Salt: salt, Hash: hashCode(salt, code), Phone: to,
		CreatedAt: c.now, ExpiresAt: expires,
	}, codeResendGap)
	if err != nil {
		return enroll.CodeSent{}, err
	}
	if !ok {
		retry := codeResendGap
		if prev, err := s.store.GetCode(c.ctx, userID, k.purpose); err == nil {
			retry = max(prev.CreatedAt.Add(codeResendGap).Sub(c.now), time.Second)
		}
		s.log.Warn("code asked for again too soon", "channel", k.channel, "purpose", k.purpose, "user", userID)
		return enroll.CodeSent{}, sentRecently(retry)
	}
	m := notify.Message{Channel: k.channel, To: to, Body: fmt.Sprintf(k.text, s.issuer, code, lifetime(k.ttl))}
	if k.subject != "" {
		m.Subject = fmt.Sprintf(k.subject, s.issuer)
	}
	if err := sender.Send(c.ctx, m); err != nil {
		s.log.Error("delivery failed", "channel", k.channel, "purpose", k.purpose, "user", userID, "err", err)
		return enroll.CodeSent{}, apiError(http.StatusServiceUnavailable, "delivery_failed", "",
			"the %s could not be sent; try again later", map[string]string{"email": "e-mail", "sms": "SMS"}[k.channel])
	}
	s.log.Info("code sent", "channel", k.channel, "purpose", k.purpose, "user", userID)
	return enroll.CodeSent{Channel: k.channel, SentTo: mask(k.channel, to), ExpiresAt: expires}, nil
}

// normalizeDigits drops spaces and dashes from a typed code.
func normalizeDigits(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
}

func sixDigits(code string) bool {
	if len(code) != 6 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// checkCode checks a code of the given kind under both limits: 5 tries per
// code and the user's guess limit for the factor. A right code is
// consumed, in one transaction with the count and then (which may be nil);
// the pending code (with the number it went to) is returned.
func (s *Service) checkCode(c *call, userID string, k codeKind, code string, then func(tx *store.Tx) error) (store.Code, error) {
	code = normalizeDigits(code)
	if !sixDigits(code) {
		return store.Code{}, badRequest("invalid_code", "code", "the code is 6 digits")
	}
	pending, err := s.store.GetCode(c.ctx, userID, k.purpose)
	if errors.Is(err, store.ErrNotFound) {
		return store.Code{}, badRequest("no_code", "code", "no code is waiting; ask for a new one")
	}
	if err != nil {
		return store.Code{}, err
	}
	if !pending.ExpiresAt.After(c.now) {
		return store.Code{}, badRequest("code_expired", "code", "the code has expired; ask for a new one")
	}
	if pending.Attempts >= codeTries {
		return store.Code{}, badRequest("code_expired", "code", "the code had %d wrong tries; ask for a new one", codeTries)
	}
	var used store.Code
	ok, err := s.guardedTx(c, userID, k.factor, func(tx *store.Tx) (bool, error) {
		got, ok, err := tx.ReserveCodeAttempt(userID, k.purpose, c.now, codeTries)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, badRequest("code_expired", "code", "the code has expired or had too many tries; ask for a new one")
		}
		if !sameHash(hashCode(got.Salt, code), got.Hash) {
			return false, nil
		}
		// Of two requests with the right code, one consumes it.
		consumed, err := tx.ConsumeCode(userID, k.purpose, got.Hash)
		used = got
		return consumed, err
	}, then)
	if err != nil {
		return store.Code{}, err
	}
	if !ok {
		return store.Code{}, badRequest("invalid_code", "code", "wrong code")
	}
	return used, nil
}

// mask hides most of an address or number: "a•••@example.com", "•••••••6789".
func mask(channel, to string) string {
	if channel == "sms" {
		if len(to) <= 4 {
			return to
		}
		return strings.Repeat("•", len(to)-4) + to[len(to)-4:]
	}
	local, domain, ok := strings.Cut(to, "@")
	if !ok || local == "" {
		return "•••"
	}
	first := []rune(local)[0]
	return string(first) + "•••@" + domain
}

// notifyChange sends the e-mail every change of two-factor settings gets.
// The change is made already, so a delivery failure is logged, not returned.
func (s *Service) notifyChange(c *call, user store.User, what string) {
	body := fmt.Sprintf("%s on your %s account (%s) at %s.\n\nIf this wasn't you, change your password now and turn two-factor authentication back on.",
		what, s.issuer, user.Email, c.now.UTC().Format("2006-01-02 15:04 MST"))
	err := s.email.Send(context.WithoutCancel(c.ctx), notify.Message{
		Channel: "email", To: user.Email, Subject: fmt.Sprintf("%s: two-factor authentication changed", s.issuer), Body: body,
	})
	if err != nil {
		s.log.Error("notification e-mail failed", "user", user.ID, "err", err)
	}
}
