package formats

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/authdesk/authdesk/internal/jsonerr"
	"github.com/authdesk/authdesk/vault"
)

// 2FAS Authenticator's backup file (.2fas), schema 4:
//
//	{
//	  "services": [
//	    {"name": "Deno", "secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ",
//	     "otp": {"account": "Mason", "issuer": "Deno", "label": "Mason", "tokenType": "TOTP",
//	             "algorithm": "SHA1", "digits": 6, "period": 30, "counter": 0, …},
//	     "order": …, "icon": …, "updatedAt": …},
//	    …],
//	  "groups": […], "schemaVersion": 4, "appOrigin": "android", …,
//	  "servicesEncrypted": "CT:SALT:IV",  // when encrypted; services is then []
//	  "reference": "CT:SALT:IV"           // a fixed text sealed under the same key
//	}
//
// CT, SALT and IV are base64: the AES-256-GCM ciphertext with its tag, the
// PBKDF2-HMAC-SHA256 salt (10,000 iterations, a 32-byte key) and the
// 12-byte nonce. The services decrypt to the JSON array services holds in
// a plain backup. 2FAS opens reference to check the password; here it
// tells a wrong password from a damaged file after the services fail.

const (
	twoFASIterations = 10_000 // fixed by the app (BackupKeyGeneratorPbkdf)
	twoFASSchema     = 4      // the newest schemaVersion read
	gcmNonceSize     = 12
	gcmTagSize       = 16
)

type twoFASFile struct {
	Services          json.RawMessage `json:"services"`
	SchemaVersion     *int            `json:"schemaVersion"`
	ServicesEncrypted string          `json:"servicesEncrypted"`
	Reference         string          `json:"reference"`
}

type twoFASService struct {
	Name   string  `json:"name"`
	Secret *string `json:"secret"`
	OTP    struct {
		Account   string  `json:"account"`
		Label     string  `json:"label"`
		Issuer    string  `json:"issuer"`
		TokenType string  `json:"tokenType"`
		Algorithm string  `json:"algorithm"`
		Digits    *int    `json:"digits"`
		Period    *int    `json:"period"`
		Counter   *uint64 `json:"counter"`
	} `json:"otp"`
}

// Decode2FAS reads a 2FAS Authenticator backup (.2fas), plain or
// encrypted with a password. A nil password for an encrypted backup gives
// an error wrapping vault.ErrLocked, a wrong one vault.ErrWrongPassword.
// The accounts come normalized and valid; a service Account cannot hold
// (an unknown token type or hash) is an error naming it.
func Decode2FAS(data, password []byte) ([]vault.Account, error) {
	accounts, err := decode2FAS(data, password, twoFASIterations)
	if err != nil {
		return nil, fmt.Errorf("2fas backup: %w", err)
	}
	return accounts, nil
}

// decode2FAS takes the iteration count, which the format fixes, so that
// the fuzz test can afford the key derivation.
func decode2FAS(data, password []byte, iterations int) ([]vault.Account, error) {
	var f twoFASFile
	if err := json.Unmarshal(trimBOM(data), &f); err != nil {
		return nil, fmt.Errorf("bad file: %s", jsonerr.Describe(err, "the file"))
	}
	if v := f.SchemaVersion; v != nil && (*v < 1 || *v > twoFASSchema) {
		return nil, fmt.Errorf("schema version %d is not supported (authdesk reads 1 to %d): export from 2FAS as otpauth links instead", *v, twoFASSchema)
	}
	services := []byte(f.Services)
	if f.ServicesEncrypted != "" {
		if password == nil {
			return nil, fmt.Errorf("%w: the file is encrypted: its password is needed", vault.ErrLocked)
		}
		plain, err := open2FAS(f.ServicesEncrypted, f.Reference, password, iterations)
		if err != nil {
			return nil, err
		}
		services = plain
	} else if services == nil {
		return nil, errors.New("bad file: no services")
	}

	var list []json.RawMessage
	if err := json.Unmarshal(services, &list); err != nil {
		return nil, fmt.Errorf("bad services: %s", jsonerr.Describe(err, "services"))
	}
	if len(list) == 0 {
		return nil, errors.New("the backup holds no accounts")
	}
	accounts := make([]vault.Account, 0, len(list))
	for i, raw := range list {
		a, err := decode2FASService(raw, i+1)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, a)
	}
	return accounts, nil
}

// decode2FASService reads the i-th (from 1) service. The issuer is the
// service's name, which is what 2FAS shows, or else the otpauth issuer.
func decode2FASService(raw json.RawMessage, i int) (vault.Account, error) {
	var s twoFASService
	if err := json.Unmarshal(raw, &s); err != nil {
		return vault.Account{}, fmt.Errorf("service %d: %s", i, jsonerr.Describe(err, "the service"))
	}
	o := s.OTP
	issuer := strings.TrimSpace(s.Name)
	if issuer == "" {
		issuer = strings.TrimSpace(o.Issuer)
	}
	name := strings.TrimSpace(o.Account)
	if name == "" && o.Label != "" {
		_, name = vault.SplitLabel(o.Label, issuer)
	}
	a := vault.Account{Issuer: issuer, Name: name, Algorithm: vault.Algorithm(strings.ToUpper(o.Algorithm))}
	what := entryName("service", i, a.Label())

	switch strings.ToUpper(o.TokenType) {
	case "", "TOTP":
		a.Type = vault.TOTP
	case "HOTP":
		a.Type = vault.HOTP
	case "STEAM":
		a.Type = vault.Steam
	default:
		return vault.Account{}, fmt.Errorf("%s: token type %q is not supported (only TOTP, HOTP and STEAM)", what, clip(o.TokenType))
	}
	if s.Secret == nil {
		return vault.Account{}, fmt.Errorf("%s: no secret", what)
	}
	secret, err := vault.DecodeSecret(*s.Secret)
	if err != nil {
		return vault.Account{}, fmt.Errorf("%s: %w", what, err)
	}
	a.Secret = secret
	if err := setNumbers(&a, o.Digits, o.Period, o.Counter); err != nil {
		return vault.Account{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

// open2FAS decrypts servicesEncrypted. GCM cannot tell a wrong key from a
// damaged ciphertext; the reference, sealed under the same key, can.
func open2FAS(sealed, reference string, password []byte, iterations int) ([]byte, error) {
	ct, salt, iv, err := split2FAS(sealed)
	if err != nil {
		return nil, fmt.Errorf("bad servicesEncrypted: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, string(password), salt, iterations, 32)
	if err != nil {
		return nil, fmt.Errorf("derive the key: %w", err)
	}
	defer clear(key)
	plain, err := gcmOpen(key, iv, ct)
	if err == nil {
		return plain, nil
	}
	if rct, rsalt, riv, err := split2FAS(reference); err == nil && string(rsalt) == string(salt) {
		if _, err := gcmOpen(key, riv, rct); err == nil {
			return nil, errors.New("the password is right but servicesEncrypted does not decrypt: the file is damaged")
		}
	}
	return nil, fmt.Errorf("%w (or the file is damaged)", vault.ErrWrongPassword)
}

// split2FAS reads "CT:SALT:IV", each part base64, padded or not.
func split2FAS(s string) (ct, salt, iv []byte, err error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, nil, nil, fmt.Errorf("%d parts separated by colons, want 3 (ciphertext:salt:iv)", len(parts))
	}
	var out [3][]byte
	for i, what := range []string{"ciphertext", "salt", "iv"} {
		p := strings.TrimRight(strings.Join(strings.Fields(parts[i]), ""), "=")
		if out[i], err = base64.RawStdEncoding.DecodeString(p); err != nil {
			return nil, nil, nil, fmt.Errorf("the %s is not base64", what)
		}
	}
	ct, salt, iv = out[0], out[1], out[2]
	switch {
	case len(ct) < gcmTagSize:
		return nil, nil, nil, fmt.Errorf("the ciphertext is %d bytes, shorter than its %d-byte tag", len(ct), gcmTagSize)
	case len(salt) == 0:
		return nil, nil, nil, errors.New("the salt is empty")
	case len(iv) != gcmNonceSize:
		return nil, nil, nil, fmt.Errorf("the iv is %d bytes, want %d", len(iv), gcmNonceSize)
	}
	return ct, salt, iv, nil
}

// The helpers below are shared with andotp.go.

// gcmOpen decrypts AES-GCM ciphertext+tag under a 32-byte key.
func gcmOpen(key, nonce, ct []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return gcm.Open(nil, nonce, ct, nil)
}

// setNumbers fills digits, period and counter as a file gave them (nil:
// absent), then the defaults, and checks the account. A number written
// out as 0 is reported rather than replaced by the default.
func setNumbers(a *vault.Account, digits, period *int, counter *uint64) error {
	if digits != nil {
		if *digits == 0 {
			return errors.New("digits 0 out of range 1–10")
		}
		a.Digits = *digits
	}
	if period != nil && a.Type != vault.HOTP {
		if *period == 0 {
			return errors.New("period 0 out of range")
		}
		a.Period = *period
	}
	if counter != nil {
		a.Counter = *counter
	}
	a.Normalize()
	return a.Validate()
}

// entryName names the i-th (from 1) entry of an export in an error, with
// its label when it has one: `service 3 ("WWE: Mason")`.
func entryName(kind string, i int, label string) string {
	if label == "" {
		return fmt.Sprintf("%s %d", kind, i)
	}
	return fmt.Sprintf("%s %d (%s)", kind, i, strconv.Quote(clip(label)))
}

// clip keeps text from a damaged file short in an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func trimBOM(data []byte) []byte {
	if len(data) >= 3 && string(data[:3]) == "\ufeff" {
		return data[3:]
	}
	return data
}
