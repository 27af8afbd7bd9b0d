package vault

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// otpauth URIs, Google's Key Uri Format:
//
//	otpauth://TYPE/LABEL?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//
// https://github.com/google/google-authenticator/wiki/Key-Uri-Format
// TYPE is totp, hotp or steam (Aegis's type for Steam Guard); LABEL is
// "Issuer:Name" or just "Name". The parser takes what real exporters write
// (lower-case, padded or spaced secrets, the issuer in the label, the
// parameter or both, "%20" or "+", extra parameters such as Ente's
// codeDisplay) and names the field when it refuses one.

// ParseURI reads one otpauth URI. The account it returns is normalized and
// valid, without a UUID.
func ParseURI(s string) (Account, error) {
	a, err := parseURI(strings.TrimSpace(s))
	if err != nil {
		return Account{}, fmt.Errorf("otpauth uri: %w", err)
	}
	return a, nil
}

func parseURI(s string) (Account, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(scheme, "otpauth") {
		if ok && isScheme(scheme) {
			return Account{}, fmt.Errorf("scheme %q is not otpauth", clipped(scheme))
		}
		return Account{}, errors.New("not a uri: want otpauth://")
	}
	rest, ok = strings.CutPrefix(rest, "//")
	if !ok {
		return Account{}, errors.New("missing // after otpauth:")
	}

	// otpauth://TYPE/LABEL?QUERY, where the label may be missing.
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	typ, rest := rest[:end], rest[end:]
	var label, query string
	if rest, ok := strings.CutPrefix(rest, "/"); ok {
		label, query, _ = strings.Cut(rest, "?")
	} else {
		query = strings.TrimPrefix(rest, "?")
	}

	var a Account
	switch t := Type(strings.ToLower(typ)); t {
	case TOTP, HOTP, Steam:
		a.Type = t
	default:
		return Account{}, fmt.Errorf("type %q is not totp, hotp or steam", clipped(typ))
	}

	label, err := url.PathUnescape(label)
	if err != nil {
		return Account{}, fmt.Errorf("label: %w", err)
	}
	params, err := parseQuery(query)
	if err != nil {
		return Account{}, err
	}

	// KeePassXC and Strongbox mark Steam accounts as TOTP with encoder=steam.
	// An issuer of "Steam" alone does not make one: people add plain TOTP
	// accounts under that name too.
	if a.Type == TOTP && strings.EqualFold(params["encoder"], "steam") {
		a.Type = Steam
	}

	secret, ok := params["secret"]
	if !ok {
		return Account{}, errors.New("secret is missing")
	}
	if a.Secret, err = DecodeSecret(secret); err != nil {
		return Account{}, err
	}
	a.Issuer, a.Name = SplitLabel(label, params["issuer"])

	if v := params["algorithm"]; v != "" {
		if a.Algorithm, err = parseAlgorithm(v); err != nil {
			return Account{}, err
		}
	}
	// Steam codes always have 5 characters, whatever digits says.
	if v, ok := params["digits"]; ok && a.Type != Steam {
		if a.Digits, err = parseIntParam("digits", v); err != nil {
			return Account{}, err
		}
		if a.Digits < 1 || a.Digits > 10 {
			return Account{}, fmt.Errorf("digits %d out of range 1–10", a.Digits)
		}
	}
	if v, ok := params["period"]; ok && a.Type != HOTP {
		if a.Period, err = parseIntParam("period", v); err != nil {
			return Account{}, err
		}
		if a.Period <= 0 {
			return Account{}, fmt.Errorf("period %d must be positive", a.Period)
		}
	}
	if v, ok := params["counter"]; ok && a.Type == HOTP {
		if a.Counter, err = strconv.ParseUint(strings.TrimSpace(v), 10, 64); err != nil {
			return Account{}, fmt.Errorf("counter %q is not a number from 0 to 2^64-1", clipped(v))
		}
	}
	a.Normalize()
	return a, a.Validate()
}

// parseQuery splits the query by hand rather than with url.ParseQuery so
// that a stray ";" or a malformed parameter we do not use does not lose
// the account; the first of repeated parameters wins, names are case-blind.
var knownParams = map[string]bool{
	"secret": true, "issuer": true, "algorithm": true, "digits": true,
	"period": true, "counter": true, "encoder": true,
}

func parseQuery(query string) (map[string]string, error) {
	params := make(map[string]string)
	for kv := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || key == "" {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if _, seen := params[key]; seen {
			continue
		}
		val, err := url.QueryUnescape(v)
		switch {
		case err == nil:
			params[key] = val
		case knownParams[key]:
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	return params, nil
}

// SplitLabel splits an otpauth label ("Issuer:Name") into issuer and name,
// given the issuer parameter (empty when absent). The parameter wins over
// the label's prefix when both are present and differ; the name is always
// the label's. Google Authenticator migration names use the same form.
func SplitLabel(label, issuer string) (string, string) {
	issuer = strings.TrimSpace(issuer)
	if issuer != "" {
		// An issuer may itself hold a colon; match it whole first.
		if rest, ok := strings.CutPrefix(label, issuer+":"); ok {
			return issuer, strings.TrimSpace(rest)
		}
	}
	prefix, name, ok := strings.Cut(label, ":")
	if !ok {
		return issuer, strings.TrimSpace(label)
	}
	if issuer == "" {
		issuer = strings.TrimSpace(prefix)
	}
	return issuer, strings.TrimSpace(name)
}

// JoinLabel is the inverse of SplitLabel: "Issuer:Name", or the name alone,
// with a leading ":" when the name holds a colon and there is no issuer.
func JoinLabel(issuer, name string) string {
	return joinLabel(issuer, name, func(s string) string { return s })
}

func joinLabel(issuer, name string, uriEscape func(string) string) string {
	switch {
	case issuer != "":
		return uriEscape(issuer) + ":" + uriEscape(name)
	case strings.Contains(name, ":"):
		return ":" + uriEscape(name)
	}
	return uriEscape(name)
}

// URI is the account as an otpauth URI, with every parameter written out
// (apps disagree on the defaults of the ones left out) and spaces as %20.
func (a Account) URI() string {
	var b strings.Builder
	b.WriteString("otpauth://" + string(a.Type) + "/" + joinLabel(a.Issuer, a.Name, uriEscape))
	b.WriteString("?secret=" + a.SecretBase32())
	if a.Issuer != "" {
		b.WriteString("&issuer=" + uriEscape(a.Issuer))
	}
	b.WriteString("&algorithm=" + uriEscape(string(a.Algorithm)))
	b.WriteString("&digits=" + strconv.Itoa(a.Digits))
	if a.Type == HOTP {
		b.WriteString("&counter=" + strconv.FormatUint(a.Counter, 10))
	} else {
		b.WriteString("&period=" + strconv.Itoa(a.Period))
	}
	return b.String()
}

// uriEscape percent-encodes all but RFC 3986's unreserved characters and "@"
// (kept so that e-mail addresses stay readable); a space becomes %20, which
// every reader takes, in paths and queries alike.
func uriEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func parseAlgorithm(s string) (Algorithm, error) {
	alg := Algorithm(strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(s)), "-", ""))
	if alg.hash() == nil {
		return "", fmt.Errorf("algorithm %q is not SHA1, SHA256 or SHA512", clipped(s))
	}
	return alg, nil
}

func parseIntParam(field, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number", field, clipped(s))
	}
	return n, nil
}

// isScheme reports whether s could be a URI scheme (RFC 3986 section 3.1),
// so that an error may quote it without quoting a pasted secret.
func isScheme(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, c := range s {
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !alpha && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// clipped keeps error messages one line long when quoting junk input.
func clipped(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
