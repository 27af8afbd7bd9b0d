package service

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"net/http"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
	"github.com/authdesk/authdesk/vault"
	"github.com/authdesk/authdesk/vault/scan"
)

// The authenticator-app factor (TOTP, RFC 6238). Set-up hands out a
// 160-bit key as base32 text, an otpauth URI and that URI as a QR code;
// a live code confirms it. Codes of the step before and after the current
// one are accepted (clock drift), and never a step at or before the last
// one accepted for the user (RFC 6238 §5.2), so a code works once.

const totpLabel = "Authenticator app sign-in"

var totpFactor = factor{
	method: enroll.MethodTOTP,
	label:  totpLabel,
	verifyLogin: func(s *Service, c *call, code string, then func(tx *store.Tx) error) error {
		return s.checkTOTP(c, code, false, then)
	},
	routes: func(s *Service) []route {
		return []route{
			{"POST", "/v1/mfa/totp/setup", setup2FA, s.setupTOTP},
			{"POST", "/v1/mfa/totp/confirm", setup2FA, s.confirmTOTP},
			{"DELETE", "/v1/mfa/totp", full, func(c *call) error { return s.removeFactor(c, "totp", totpLabel) }},
		}
	},
}

const (
	totpPeriod = 30
	totpDigits = 6
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func totpAccount(issuer, email string, secret []byte) vault.Account {
	return vault.Account{Type: vault.TOTP, Issuer: issuer, Name: email, Secret: secret,
		Algorithm: vault.SHA1, Digits: totpDigits, Period: totpPeriod}
}

func (s *Service) setupTOTP(c *call) error {
	if err := decodeOptional(c.r, &struct{}{}); err != nil {
		return err
	}
	if err := c.privileged(); err != nil {
		return err
	}
	if f, ok := c.factor("totp"); ok && f.Confirmed() {
		return apiError(http.StatusConflict, "already_enabled", "", "an authenticator app is set up already; remove it first to set up another")
	}
	secret := make([]byte, 20)
	rand.Read(secret)
	if err := s.store.PutPendingFactor(c.ctx, store.Factor{
		UserID: c.user.ID, Kind: "totp", Secret: s.box.Seal(c.user.ID, b32.EncodeToString(secret)), CreatedAt: c.now,
	}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return apiError(http.StatusConflict, "already_enabled", "", "an authenticator app is set up already")
		}
		return err
	}
	acct := totpAccount(s.issuer, c.user.Email, secret)
	uri := acct.URI()
	png, err := renderQR(uri)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, enroll.TOTPSetup{Secret: acct.SecretBase32(), OTPAuthURI: uri, QRPNG: png})
	return nil
}

// renderQR draws the otpauth URI as a QR code PNG of at most 300×300
// pixels with the project's renderer (go-qrcode underneath): whole pixels
// per module and the quiet zone around it, which every scanner reads.
func renderQR(text string) ([]byte, error) {
	return scan.Render(text, 300)
}

func (s *Service) confirmTOTP(c *call) error {
	var req enroll.ConfirmRequest
	if err := decode(c.r, &req); err != nil {
		return err
	}
	if err := required("code", req.Code); err != nil {
		return err
	}
	f, ok := c.factor("totp")
	if !ok || f.Confirmed() {
		return apiError(http.StatusConflict, "no_pending_setup", "", "start with POST /v1/mfa/totp/setup")
	}
	if err := s.checkTOTP(c, req.Code, true, nil); err != nil {
		return err
	}
	return s.confirmFactor(c, "totp", totpLabel)
}

// checkTOTP checks a code against the user's TOTP key (the pending one when
// confirming) and records its step, so that it cannot be used again; a
// pending key is confirmed. All of it, and then, is one transaction with the
// guess count (guardedTx).
func (s *Service) checkTOTP(c *call, code string, pending bool, then func(tx *store.Tx) error) error {
	f, ok := c.factor("totp")
	if !ok || f.Confirmed() == pending {
		return badRequest("method_not_enabled", "method", "no authenticator app is set up")
	}
	code = normalizeDigits(code)
	if !sixDigits(code) {
		return badRequest("invalid_code", "code", "the code is 6 digits")
	}
	key, err := s.box.Open(c.user.ID, f.Secret)
	if err != nil {
		return err
	}
	secret, err := b32.DecodeString(key)
	if err != nil {
		return err
	}
	acct := totpAccount(s.issuer, c.user.Email, secret)
	replay := false
	ok, err = s.guardedTx(c, c.user.ID, "totp", func(tx *store.Tx) (bool, error) {
		now := c.now.Unix() / totpPeriod
		// Compare with all three steps, whatever matches, so the time taken
		// does not say which step (if any) was right. Two steps can have the
		// same code (one chance in a million for each pair): the code counts
		// for the earliest step it is right for that was not used yet, so
		// that a used step with the same code does not turn a good code
		// away as a replay.
		right := false
		var match int64 = -1
		for step := now - 1; step <= now+1; step++ {
			want, err := acct.CodeAt(uint64(step))
			if err != nil {
				return false, err
			}
			if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
				right = true
				if match < 0 && step > f.LastStep {
					match = step
				}
			}
		}
		if !right {
			return false, nil
		}
		if match < 0 {
			replay = true
			return false, nil
		}
		// The step read with the factor was a quick refusal; this update,
		// conditional on the stored step, is the guard.
		used, err := tx.UseTOTPStep(c.user.ID, match, pending)
		if err != nil {
			return false, err
		}
		if !used {
			replay = true // a concurrent request took this code first
			return false, nil
		}
		if pending {
			if _, err := tx.ConfirmFactor(c.user.ID, "totp", c.now, match); err != nil {
				return false, err
			}
		}
		return true, nil
	}, then)
	if err != nil {
		return err
	}
	if replay {
		return badRequest("code_already_used", "code", "this code has been used already; wait for the next one")
	}
	if !ok {
		return badRequest("invalid_code", "code", "wrong code; check your authenticator app's clock")
	}
	return nil
}
