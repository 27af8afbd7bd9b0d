package service

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/authdesk/authdesk/enroll"
	"github.com/authdesk/authdesk/enroll/store"
)

// passwordPolicy is one of the two password policies:
//   - nist (NIST SP 800-63B): 8–64 characters, not a common password, never
//     expires, no composition rules;
//   - strict (ConnectProf's page): 8–20 characters with an upper-case and a
//     lower-case letter, a digit and a symbol, renewed every 90 days.
type passwordPolicy struct {
	name                        string
	min, max                    int
	upper, lower, digit, symbol bool
	blocklist                   bool
	maxAge                      time.Duration
}

func policyNamed(name string) (passwordPolicy, error) {
	switch name {
	case "", "nist":
		return passwordPolicy{name: "nist", min: 8, max: 64, blocklist: true}, nil
	case "strict":
		return passwordPolicy{name: "strict", min: 8, max: 20, upper: true, lower: true, digit: true, symbol: true,
			blocklist: true, maxAge: 90 * 24 * time.Hour}, nil
	}
	return passwordPolicy{}, fmt.Errorf("unknown password policy %q: use nist or strict", name)
}

func (p passwordPolicy) describe() enroll.PasswordPolicy {
	d := enroll.PasswordPolicy{
		MinLength: p.min, MaxLength: p.max, RequireUpper: p.upper, RequireLower: p.lower,
		RequireDigit: p.digit, RequireSymbol: p.symbol, Blocklist: p.blocklist,
		MaxAgeDays: int(p.maxAge / (24 * time.Hour)),
	}
	add := func(id, format string, args ...any) {
		d.Rules = append(d.Rules, enroll.PolicyRule{ID: id, Description: fmt.Sprintf(format, args...)})
	}
	add("min_length", "at least %d characters", p.min)
	add("max_length", "at most %d characters", p.max)
	if p.upper {
		add("upper", "an upper-case letter")
	}
	if p.lower {
		add("lower", "a lower-case letter")
	}
	if p.digit {
		add("digit", "a digit")
	}
	if p.symbol {
		add("symbol", "a symbol (anything but a letter or digit)")
	}
	if p.blocklist {
		add("not_common", "not a common password, nor your e-mail address")
	}
	if p.maxAge > 0 {
		add("max_age", "renewed every %d days", d.MaxAgeDays)
	}
	return d
}

// check refuses a password that breaks the policy, naming the rule.
func (p passwordPolicy) check(field, password, email string) error {
	n := utf8.RuneCountInString(password)
	weak := func(format string, args ...any) error {
		return badRequest("weak_password", field, format, args...)
	}
	if !utf8.ValidString(password) {
		return weak("password is not valid UTF-8")
	}
	if n < p.min {
		return weak("password must have at least %d characters", p.min)
	}
	if n > p.max {
		return weak("password must have at most %d characters", p.max)
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r):
		default:
			symbol = true
		}
	}
	switch {
	case p.upper && !upper:
		return weak("password must have an upper-case letter")
	case p.lower && !lower:
		return weak("password must have a lower-case letter")
	case p.digit && !digit:
		return weak("password must have a digit")
	case p.symbol && !symbol:
		return weak("password must have a symbol")
	}
	if p.blocklist {
		lp := strings.ToLower(password)
		local, _, _ := strings.Cut(strings.ToLower(email), "@")
		if commonPasswords[lp] || lp == strings.ToLower(email) || lp == local {
			return weak("password is too common or too easy to guess; choose another")
		}
	}
	return nil
}

func (s *Service) passwordExpired(u store.User, now time.Time) bool {
	return s.policy.maxAge > 0 && now.Sub(u.PasswordChangedAt) >= s.policy.maxAge
}

func (s *Service) passwordExpiresAt(u store.User) *time.Time {
	if s.policy.maxAge == 0 {
		return nil
	}
	t := u.PasswordChangedAt.Add(s.policy.maxAge)
	return &t
}

// offeredFactors are the second factors this service can run.
func (s *Service) offeredFactors() []string {
	out := []string{enroll.MethodTOTP, enroll.MethodEmail}
	if s.sms != nil {
		out = append(out, enroll.MethodSMS)
	}
	return append(out, enroll.MethodBackupCode)
}

func (s *Service) getPolicy(c *call) error {
	writeJSON(c.w, http.StatusOK, enroll.Policy{
		Name: s.policy.name, Password: s.policy.describe(), Require2FA: s.require2FA, Factors: s.offeredFactors(),
	})
	return nil
}

// commonPasswords is a short blocklist of the passwords seen most in
// breaches that would otherwise pass the length rule (NIST SP 800-63B
// §5.1.1.2 asks for such a check).
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Fields(`
		password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword
		12345678 123456789 1234567890 12345678910 87654321 11111111 00000000 88888888 11223344
		12341234 123123123 1q2w3e4r 1q2w3e4r5t 1qaz2wsx qwertyui qwerty123 qwerty1234 qwertyuiop
		asdfghjk asdfghjkl zxcvbnm1 iloveyou iloveyou1 sunshine princess football baseball
		superman batman123 trustno1 welcome1 welcome123 letmein1 letmein123 abc12345 abcd1234
		abcdefgh monkey123 dragon123 master123 michael1 jennifer shadow12 starwars whatever
		computer internet changeme changeme1 administrator admin123 admin1234 secret123
		qazwsxedc zaq12wsx 1234qwer q1w2e3r4 q1w2e3r4t5 aa123456 a1234567 passport
		mustang1 charlie1 jordan23 liverpool chelsea1 arsenal1 football1 basketball
		hello123 freedom1 whatever1 summer2024 winter2024 spring2024 autumn2024 summer2025
		lösenord lösenord1 lösenord123 sommar2024 hejsan123 qwerty12 123qweasd authdesk
		authdesk1 authdesk123 accountd`) {
		m[p] = true
	}
	return m
}()
