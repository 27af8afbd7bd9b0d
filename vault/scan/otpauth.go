package scan

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// OTPAuth keeps the payloads that are otpauth:// URIs (one account) or
// otpauth-migration:// URIs (Google Authenticator's export of several),
// trimmed of surrounding white space, in their original order. If there are
// none it returns an error that says what the codes held instead — "the QR
// code holds a web address (https://example.com/…), not an otpauth URI" — so
// the user knows they scanned the wrong code. The description never repeats
// anything that could be a secret: web addresses are cut to their host, and
// text that looks like a key, or that is an otpauth URI gone wrong, is not
// shown at all.
func OTPAuth(payloads []string) ([]string, error) {
	if len(payloads) == 0 {
		return nil, ErrNotFound
	}
	var keep []string
	for _, p := range payloads {
		p = strings.TrimSpace(p)
		if isOTPAuth(p) {
			keep = append(keep, p)
		}
	}
	if len(keep) > 0 {
		return keep, nil
	}
	var what []string
	for i, p := range payloads {
		if i == 3 {
			what = append(what, fmt.Sprintf("%d more", len(payloads)-3))
			break
		}
		what = append(what, describe(strings.TrimSpace(p)))
	}
	if len(payloads) == 1 {
		return nil, fmt.Errorf("the QR code holds %s, not an otpauth URI", what[0])
	}
	list := strings.Join(what[:len(what)-1], ", ") + " and " + what[len(what)-1]
	return nil, fmt.Errorf("the %d QR codes hold %s, none of them an otpauth URI", len(payloads), list)
}

func isOTPAuth(p string) bool {
	return hasPrefixFold(p, "otpauth://") || hasPrefixFold(p, "otpauth-migration://")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// The patterns are compiled on first use, not at start-up: every authctl
// command links this package, and only failed scans need them.
var (
	schemeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]{0,30}):`) })
	keyRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z2-7]{16,}|[0-9A-Fa-f]{16,}`) })
)

// describe names what a non-otpauth payload is, for an error message, without
// repeating anything secret.
func describe(p string) string {
	upper := strings.ToUpper(p)
	switch {
	case p == "":
		return "nothing (it is empty)"
	case hasPrefixFold(p, "otpauth"):
		return "a malformed otpauth URI (not shown; it must start with otpauth://)"
	case hasPrefixFold(p, "http://"), hasPrefixFold(p, "https://"):
		u, err := url.Parse(p)
		if err != nil || u.Host == "" {
			return "a web address"
		}
		// Only the host: paths and queries carry tokens.
		s := strings.ToLower(u.Scheme) + "://" + truncate(u.Host, 40)
		if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			s += "/…"
		}
		return "a web address (" + s + ")"
	case strings.HasPrefix(upper, "WIFI:"):
		return "Wi-Fi network settings"
	case strings.HasPrefix(upper, "BEGIN:VCARD"), strings.HasPrefix(upper, "MECARD:"):
		return "a contact card"
	case strings.HasPrefix(upper, "BEGIN:VCALENDAR"), strings.HasPrefix(upper, "BEGIN:VEVENT"):
		return "a calendar event"
	case strings.HasPrefix(upper, "MAILTO:"), strings.HasPrefix(upper, "MATMSG:"):
		return "an e-mail address"
	case strings.HasPrefix(upper, "TEL:"):
		return "a phone number"
	case strings.HasPrefix(upper, "SMS:"), strings.HasPrefix(upper, "SMSTO:"):
		return "a text message"
	case strings.HasPrefix(upper, "GEO:"):
		return "a map location"
	}
	if looksLikeKey(p) {
		return "what looks like a bare secret key (not shown; type it in as a key instead)"
	}
	if m := schemeRE().FindStringSubmatch(p); m != nil && strings.Contains(p, ":/") {
		return "a " + strings.ToLower(m[1]) + ": link"
	}
	return fmt.Sprintf("text (%q)", truncate(printable(p), 24))
}

// looksLikeKey reports whether p holds a run of 16 or more base32 or hex
// characters (spaces and dashes ignored, as keys are often grouped) that is
// not just a long word: it has a digit or is all capitals.
func looksLikeKey(p string) bool {
	p = strings.NewReplacer(" ", "", "-", "", "=", "").Replace(p)
	for _, run := range keyRE().FindAllString(p, -1) {
		if strings.ContainsAny(run, "0123456789") || run == strings.ToUpper(run) {
			return true
		}
	}
	return false
}

// printable replaces control and invisible characters with spaces, so the
// description cannot mess up a terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
}

// truncate cuts s to n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
