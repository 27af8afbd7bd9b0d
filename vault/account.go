package vault

import (
	"strings"
	"unicode/utf8"
)

// Type is the kind of one-time password an account produces.
type Type string

const (
	TOTP  Type = "totp"  // RFC 6238: time-based
	HOTP  Type = "hotp"  // RFC 4226: counter-based
	Steam Type = "steam" // Steam Guard: TOTP, 5 characters of the Steam alphabet
)

// Algorithm is the HMAC hash an account uses.
type Algorithm string

const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// Account is one entry of the vault: everything needed to produce its codes,
// plus what the user sees and sorts by. The zero Period, Digits and Algorithm
// are not valid; use Normalize (or ParseURI) to fill the defaults.
type Account struct {
	UUID      string    // stable identity (RFC 4122 v4), kept across exports to Aegis
	Type      Type      // TOTP, HOTP or Steam
	Issuer    string    // the service, shown in bold ("GitHub")
	Name      string    // the account at that service ("alice@example.com")
	Note      string    // free text of the user's
	Favorite  bool      // pinned on top in the app and shown in the tray
	Secret    []byte    // the raw shared key (not base32)
	Algorithm Algorithm // SHA1, SHA256 or SHA512
	Digits    int       // 1–10 (Steam: 5 characters)
	Period    int       // seconds per step, TOTP and Steam
	Counter   uint64    // HOTP: the counter of the code shown now (authctl next advances it)
}

// SecretBase32 is the secret as written in otpauth URIs and typed by users:
// upper-case RFC 4648 base32 without padding.
func (a Account) SecretBase32() string {
	return base32NoPad.EncodeToString(a.Secret)
}

// Label is "Issuer: Name", or whichever of the two is set.
func (a Account) Label() string {
	switch {
	case a.Issuer == "":
		return a.Name
	case a.Name == "":
		return a.Issuer
	}
	return a.Issuer + ": " + a.Name
}

// Matches reports whether query is found, case-insensitively, in the issuer
// or the name. An empty query matches everything.
func (a *Account) Matches(query string) bool {
	q := strings.TrimSpace(query)
	return q == "" || containsFold(a.Issuer, q) || containsFold(a.Name, q)
}

// containsFold is strings.Contains of the lower-cased strings, without
// lower-casing (allocating) when both are ASCII: a search runs over every
// account.
func containsFold(s, sub string) bool {
	if !isASCII(s) || !isASCII(sub) {
		return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
