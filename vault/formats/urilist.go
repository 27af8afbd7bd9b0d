package formats

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/authdesk/authdesk/vault"
)

// ParseAny reads what one scanned QR code holds: an otpauth URI (one
// account) or an otpauth-migration URI (the accounts of one Google
// Authenticator export code). For anything else the error says what the
// code holds instead: "QR code holds a web address (https://example.com/…),
// not an otpauth URI".
func ParseAny(s string) ([]vault.Account, error) {
	accounts, err := parseOne(s)
	var other notOTP
	if errors.As(err, &other) {
		return nil, fmt.Errorf("QR code holds %s", other.what)
	}
	return accounts, err
}

// notOTP is the error for text that is no otpauth URI of either kind;
// what describes it without quoting it, as it may be a secret.
type notOTP struct{ what string }

func (e notOTP) Error() string { return e.what }

func parseOne(s string) ([]vault.Account, error) {
	s = strings.TrimSpace(s)
	scheme, _, _ := strings.Cut(s, ":")
	switch strings.ToLower(scheme) {
	case "otpauth":
		a, err := vault.ParseURI(s)
		if err != nil {
			return nil, err
		}
		return []vault.Account{a}, nil
	case "otpauth-migration":
		return DecodeMigration(s)
	}
	return nil, notOTP{describe(s) + ", not an otpauth URI"}
}

// describe names the kind of text a QR code or a line holds.
func describe(s string) string {
	lower := strings.ToLower(s)
	scheme, _, hasScheme := strings.Cut(lower, ":")
	switch {
	case s == "":
		return "nothing"
	case scheme == "http" || scheme == "https":
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			return fmt.Sprintf("a web address (%s://%s/…)", scheme, u.Host)
		}
		return fmt.Sprintf("a web address (%s://…)", scheme)
	case scheme == "wifi":
		return "Wi-Fi network settings"
	case scheme == "mailto" || scheme == "matmsg":
		return "an e-mail address"
	case scheme == "tel":
		return "a phone number"
	case scheme == "sms" || scheme == "smsto":
		return "a text message"
	case scheme == "mecard" || strings.HasPrefix(lower, "begin:vcard"):
		return "a contact card"
	case scheme == "geo":
		return "a map location"
	case hasScheme && isScheme(scheme):
		return fmt.Sprintf("a %s: link", scheme)
	case !utf8.ValidString(s):
		return fmt.Sprintf("%d bytes of binary data", len(s))
	}
	if looksLikeKey(s) {
		return "a bare secret key (type it in as a key instead)"
	}
	return fmt.Sprintf("text of %d characters", utf8.RuneCountInString(s))
}

// looksLikeKey reports whether s is a base32 key of 80 bits or more, written
// whole or in groups of four ("JBSW Y3DP EHPK 3PXP"), rather than words.
func looksLikeKey(s string) bool {
	groups := strings.Fields(s)
	for i, g := range groups {
		if len(groups) > 1 && (len(g) > 4 || len(g) < 4 && i < len(groups)-1) {
			return false
		}
	}
	key, err := vault.DecodeSecret(s)
	return err == nil && len(key) >= 10
}

func isScheme(s string) bool {
	if s == "" || len(s) > 32 || !('a' <= s[0] && s[0] <= 'z') {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789+-.") == ""
}

// DecodeURIList reads a text file of otpauth URIs, one a line, such as
// Aegis's and Ente's plain exports; otpauth-migration lines add all their
// accounts. Blank lines and lines starting with # are skipped. An error
// names the line and what is wrong with it.
func DecodeURIList(data []byte) ([]vault.Account, error) {
	return decodeLines(data, false)
}

func decodeLines(data []byte, migrationOnly bool) ([]vault.Account, error) {
	var accounts []vault.Account
	n := 0
	for line := range strings.Lines(strings.TrimPrefix(string(data), "\ufeff")) {
		n++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if migrationOnly && !strings.HasPrefix(strings.ToLower(line), "otpauth-migration:") {
			return nil, fmt.Errorf("line %d: not an otpauth-migration uri", n)
		}
		got, err := parseOne(line)
		var other notOTP
		if errors.As(err, &other) {
			return nil, fmt.Errorf("line %d holds %s", n, other.what)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		accounts = append(accounts, got...)
	}
	if len(accounts) == 0 {
		return nil, errors.New("no otpauth uris found")
	}
	return accounts, nil
}

// EncodeURIList writes accounts as otpauth URIs, one a line.
func EncodeURIList(accounts []vault.Account) []byte {
	var b strings.Builder
	for _, a := range accounts {
		b.WriteString(a.URI())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
