package formats

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/authdesk/authdesk/internal/jsonerr"
	"github.com/authdesk/authdesk/vault"
)

// andOTP's backups. Plain (.json), a JSON array of entries:
//
//	[{"secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ======", "issuer": "Deno", "label": "Mason",
//	  "type": "TOTP", "algorithm": "SHA1", "digits": 6, "period": 30, "counter": 1,
//	  "thumbnail": …, "last_used": …, "used_frequency": …, "tags": […]}, …]
//
// Encrypted (.json.aes), that array sealed with a password:
//
//	iterations (4 bytes, big-endian) | salt (12) | nonce (12) | ciphertext | tag (16)
//
// under AES-256-GCM with the key PBKDF2-HMAC-SHA1(password, salt,
// iterations, 32 bytes). andOTP picks 140,000 to 160,000 iterations.

const (
	andOTPSaltSize = 12
	andOTPHeader   = 4 + andOTPSaltSize + gcmNonceSize

	// andOTPMaxIterations bounds the PBKDF2 iteration count an encrypted
	// andOTP backup may ask for. The count is read from the file before
	// the password is known to be right, so a damaged or hostile file
	// could otherwise keep the import busy for hours; 10,000,000 (a few
	// seconds) is what Aegis allows too.
	andOTPMaxIterations = 10_000_000
)

type andOTPEntry struct {
	Secret    *string `json:"secret"`
	Issuer    *string `json:"issuer"`
	Label     string  `json:"label"`
	Type      string  `json:"type"`
	Algorithm string  `json:"algorithm"`
	Digits    *int    `json:"digits"`
	Period    *int    `json:"period"`
	Counter   *uint64 `json:"counter"`
}

// DecodeAndOTP reads an andOTP backup: the plain JSON list, or the
// encrypted file, which password opens. A nil password for an encrypted
// backup gives an error wrapping vault.ErrLocked, a wrong one
// vault.ErrWrongPassword; a header asking for more than 10,000,000 PBKDF2
// iterations is refused before any key derivation. The accounts come
// normalized and valid; an entry Account cannot hold (andOTP's mOTP) is an
// error naming it.
func DecodeAndOTP(data, password []byte) ([]vault.Account, error) {
	accounts, err := decodeAndOTP(data, password, andOTPMaxIterations)
	if err != nil {
		return nil, fmt.Errorf("andotp backup: %w", err)
	}
	return accounts, nil
}

func decodeAndOTP(data, password []byte, maxIterations uint32) ([]vault.Account, error) {
	if text := bytes.TrimSpace(trimBOM(data)); len(text) > 0 {
		switch text[0] {
		case '[':
			return decodeAndOTPList(text)
		case '{':
			return nil, errors.New("the file is a JSON object, not an andOTP list of entries")
		}
	}
	iterations, err := andOTPIterations(data, maxIterations)
	if err != nil {
		return nil, err
	}
	if password == nil {
		return nil, fmt.Errorf("%w: the file is encrypted: its password is needed", vault.ErrLocked)
	}
	salt := data[4 : 4+andOTPSaltSize]
	nonce := data[4+andOTPSaltSize : andOTPHeader]
	key, err := pbkdf2.Key(sha1.New, string(password), salt, int(iterations), 32)
	if err != nil {
		return nil, fmt.Errorf("derive the key: %w", err)
	}
	defer clear(key)
	plain, err := gcmOpen(key, nonce, data[andOTPHeader:])
	if err != nil {
		return nil, fmt.Errorf("%w (or the file is damaged)", vault.ErrWrongPassword)
	}
	return decodeAndOTPList(plain)
}

// andOTPIterations checks the header of an encrypted backup and returns
// its PBKDF2 iteration count.
func andOTPIterations(data []byte, max uint32) (uint32, error) {
	if len(data) < andOTPHeader+gcmTagSize {
		return 0, fmt.Errorf("the file is %d bytes, too short for an encrypted andOTP backup (at least %d)", len(data), andOTPHeader+gcmTagSize)
	}
	n := binary.BigEndian.Uint32(data)
	if n == 0 || n > max {
		return 0, fmt.Errorf("not an encrypted andOTP backup of the current format: its header asks for %d PBKDF2 iterations, out of range 1 to %d (andOTP uses about 150000)", n, max)
	}
	return n, nil
}

func decodeAndOTPList(data []byte) ([]vault.Account, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("bad entry list: %s", jsonerr.Describe(err, "the backup"))
	}
	if len(list) == 0 {
		return nil, errors.New("the backup holds no accounts")
	}
	accounts := make([]vault.Account, 0, len(list))
	for i, raw := range list {
		a, err := decodeAndOTPEntry(raw, i+1)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, a)
	}
	return accounts, nil
}

// decodeAndOTPEntry reads the i-th (from 1) entry. Backups before andOTP
// kept issuers apart have only a label, "Issuer:Name" as in the otpauth
// URI it was scanned from.
func decodeAndOTPEntry(raw json.RawMessage, i int) (vault.Account, error) {
	var e andOTPEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return vault.Account{}, fmt.Errorf("entry %d: %s", i, jsonerr.Describe(err, "the entry"))
	}
	a := vault.Account{Algorithm: vault.Algorithm(strings.ToUpper(e.Algorithm))}
	if e.Issuer != nil {
		a.Issuer, a.Name = strings.TrimSpace(*e.Issuer), strings.TrimSpace(e.Label)
	} else {
		a.Issuer, a.Name = vault.SplitLabel(e.Label, "")
	}
	what := entryName("entry", i, a.Label())

	switch typ := strings.ToUpper(e.Type); typ {
	case "", "TOTP":
		a.Type = vault.TOTP
	case "HOTP":
		a.Type = vault.HOTP
		if e.Counter == nil {
			return vault.Account{}, fmt.Errorf("%s: an HOTP entry without a counter", what)
		}
	case "STEAM":
		a.Type = vault.Steam
	case "MOTP":
		return vault.Account{}, fmt.Errorf("%s: type MOTP (mobile OTP) is not supported (only TOTP, HOTP and STEAM)", what)
	default:
		return vault.Account{}, fmt.Errorf("%s: type %q is not supported (only TOTP, HOTP and STEAM)", what, clip(e.Type))
	}
	if e.Secret == nil {
		return vault.Account{}, fmt.Errorf("%s: no secret", what)
	}
	secret, err := vault.DecodeSecret(*e.Secret)
	if err != nil {
		return vault.Account{}, fmt.Errorf("%s: %w", what, err)
	}
	a.Secret = secret
	if err := setNumbers(&a, e.Digits, e.Period, e.Counter); err != nil {
		return vault.Account{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}
