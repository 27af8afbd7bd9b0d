package vault

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"time"
)

// The one-time password maths: HOTP (RFC 4226), TOTP (RFC 6238) and Steam
// Guard, which is TOTP written in a 26-letter alphabet.
//
// The codes are computed here with crypto/hmac rather than through
// github.com/pquerna/otp's hotp.GenerateCodeCustom: that function takes the
// secret as base32 text and decodes it on every call (it also rejects a
// secret with spaces in it), while an Account already holds the raw bytes.
// Going straight to HMAC keeps the whole path from secret to code on one
// screen and skips that decoding; the tests check it against pquerna/otp,
// oathtool and a Python Steam implementation.

// steamAlphabet is the 26 characters Steam Guard codes are written in.
const steamAlphabet = "23456789BCDFGHJKMNPQRTVWXY"

// maxPeriod keeps Remaining within a time.Duration and the step count sane.
const maxPeriod = math.MaxInt32

// CodeAt is the code for one raw step value: the counter for HOTP, the
// number of periods since the Unix epoch for TOTP and Steam.
func (a Account) CodeAt(counter uint64) (string, error) {
	if err := a.Validate(); err != nil {
		return "", err
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(a.Algorithm.hash(), a.Secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)

	// Dynamic truncation, RFC 4226 section 5.3: 31 bits at an offset given
	// by the low nibble of the last byte.
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff

	if a.Type == Steam {
		code := make([]byte, a.Digits)
		for i := range code {
			code[i] = steamAlphabet[v%26]
			v /= 26
		}
		return string(code), nil
	}
	// With 10 digits the modulus exceeds 2^31 and the code is the whole value,
	// zero-padded like any other.
	code := strconv.FormatUint(uint64(v)%pow10(a.Digits), 10)
	return strings.Repeat("0", a.Digits-len(code)) + code, nil
}

// Code is the code to show at time t: for TOTP and Steam the code of the
// period holding t, for HOTP the code of a.Counter (t is ignored).
func (a Account) Code(t time.Time) (string, error) {
	if a.Type == HOTP {
		return a.CodeAt(a.Counter)
	}
	if a.Period <= 0 {
		return "", a.Validate()
	}
	unix := t.Unix()
	if unix < 0 {
		return "", fmt.Errorf("no code for %s: time-based codes start in 1970", t.UTC().Format(time.RFC3339))
	}
	return a.CodeAt(uint64(unix) / uint64(a.Period))
}

// Remaining is how long the code shown at t stays valid: the time left in
// the current period. It is 0 for HOTP, whose code changes only when used.
func (a Account) Remaining(t time.Time) time.Duration {
	if a.Type == HOTP || a.Period <= 0 || a.Period > maxPeriod {
		return 0
	}
	period := time.Duration(a.Period) * time.Second
	into := time.Duration(floorMod(t.Unix(), int64(a.Period)))*time.Second + time.Duration(t.Nanosecond())
	return period - into
}

// Normalize fills the defaults a URI or an import may leave out: SHA1,
// 6 digits (5 for Steam), a 30-second period, and TOTP for an empty type.
// HOTP has no period and TOTP no counter; Normalize clears the one that
// does not apply, so that the same account compares equal whichever format
// it came from.
func (a *Account) Normalize() {
	if a.Type == "" {
		a.Type = TOTP
	}
	if a.Algorithm == "" {
		a.Algorithm = SHA1
	}
	if a.Digits == 0 {
		a.Digits = 6
		if a.Type == Steam {
			a.Digits = 5
		}
	}
	switch a.Type {
	case HOTP:
		a.Period = 0
	default:
		a.Counter = 0
		if a.Period == 0 {
			a.Period = 30
		}
	}
}

// Validate reports the first field that keeps the account from producing
// codes, naming it: "secret is empty", "digits 12 out of range 1–10".
func (a Account) Validate() error {
	switch a.Type {
	case TOTP, HOTP, Steam:
	default:
		return fmt.Errorf("type %q is not totp, hotp or steam", a.Type)
	}
	if len(a.Secret) == 0 {
		return errors.New("secret is empty")
	}
	if a.Algorithm.hash() == nil {
		return fmt.Errorf("algorithm %q is not SHA1, SHA256 or SHA512", a.Algorithm)
	}
	if a.Type == Steam && a.Digits != 5 {
		return fmt.Errorf("digits %d: steam codes have 5 characters", a.Digits)
	}
	if a.Digits < 1 || a.Digits > 10 {
		return fmt.Errorf("digits %d out of range 1–10", a.Digits)
	}
	if a.Type != HOTP && (a.Period < 1 || a.Period > maxPeriod) {
		return fmt.Errorf("period %d out of range 1–%d seconds", a.Period, maxPeriod)
	}
	return nil
}

// hash is the HMAC hash of the algorithm, or nil for an unknown one.
func (alg Algorithm) hash() func() hash.Hash {
	switch alg {
	case SHA1:
		return sha1.New
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	}
	return nil
}

// base32NoPad is the encoding of secrets (made once: WithPadding allocates).
var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// DecodeSecret reads a base32 secret the way people and exporters write it:
// any case, with spaces or dashes between groups, with or without "="
// padding. Like Google Authenticator it accepts any length, dropping the
// bits of a trailing partial byte. The error never contains the secret.
func DecodeSecret(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\n' || r == '\r' || r == '=':
			return -1
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
	if clean == "" {
		return nil, errors.New("secret is empty")
	}
	for i, r := range clean {
		if !('A' <= r && r <= 'Z' || '2' <= r && r <= '7') {
			return nil, fmt.Errorf("secret is not base32: %q at position %d (only A–Z and 2–7)", r, i+1)
		}
	}
	// A trailing 1, 3 or 6 characters carry no full byte beyond the one before.
	switch len(clean) % 8 {
	case 1, 3, 6:
		clean = clean[:len(clean)-1]
	}
	key, err := base32NoPad.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("secret is not base32: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("secret is too short: under one byte")
	}
	return key, nil
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// floorMod is the non-negative remainder, for times before 1970.
func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
