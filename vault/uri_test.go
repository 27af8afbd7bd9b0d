package vault

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authdesk/authdesk/internal/fixtures"
)

// otpFixtureAccounts are the seven accounts of the Aegis importer fixtures,
// written out by hand from the fixtures' README and plain.txt.
func otpFixtureAccounts(t *testing.T) []Account {
	t.Helper()
	key := func(s string) []byte {
		b, err := DecodeSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []Account{
		{Type: TOTP, Issuer: "Deno", Name: "Mason", Secret: key("4SJHB4GSD43FZBAI7C2HLRJGPQ"), Algorithm: SHA1, Digits: 6, Period: 30},
		{Type: TOTP, Issuer: "SPDX", Name: "James", Secret: key("5OM4WOOGPLQEF6UGN3CPEOOLWU"), Algorithm: SHA256, Digits: 7, Period: 20},
		{Type: TOTP, Issuer: "Airbnb", Name: "Elijah", Secret: key("7ELGJSGXNCCTV3O6LKJWYFV2RA"), Algorithm: SHA512, Digits: 8, Period: 50},
		{Type: HOTP, Issuer: "Issuu", Name: "James", Secret: key("YOOMIXWS5GN6RTBPUFFWKTW5M4"), Algorithm: SHA1, Digits: 6, Counter: 1},
		{Type: HOTP, Issuer: "Air Canada", Name: "Benjamin", Secret: key("KUVJJOM753IHTNDSZVCNKL7GII"), Algorithm: SHA256, Digits: 7, Counter: 50},
		{Type: HOTP, Issuer: "WWE", Name: "Mason", Secret: key("5VAML3X35THCEBVRLV24CGBKOY"), Algorithm: SHA512, Digits: 8, Counter: 10300},
		{Type: Steam, Issuer: "Boeing", Name: "Sophia", Secret: key("JRZCL47CMXVOQMNPZR2F7J4RGI"), Algorithm: SHA1, Digits: 5, Period: 30},
	}
}

func TestFixtureURILists(t *testing.T) {
	want := otpFixtureAccounts(t)
	for _, name := range []string{"plain.txt", "ente_auth.txt"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(fixtures.Dir(t), name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got []Account
			sc := bufio.NewScanner(f)
			for n := 1; sc.Scan(); n++ {
				if strings.TrimSpace(sc.Text()) == "" {
					continue
				}
				a, err := ParseURI(sc.Text())
				if err != nil {
					t.Fatalf("line %d: %v", n, err)
				}
				got = append(got, a)
			}
			otpSameAccounts(t, got, want)
		})
	}
}

// otpSameAccounts compares in any order (Ente sorts by issuer).
func otpSameAccounts(t *testing.T, got, want []Account) {
	t.Helper()
	byLabel := func(a, b Account) int { return strings.Compare(a.Issuer+a.Name, b.Issuer+b.Name) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byLabel)
	slices.SortFunc(want, byLabel)
	if len(got) != len(want) {
		t.Fatalf("got %d accounts, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("got  %+v\nwant %+v", got[i], want[i])
		}
	}
}

// Our URI for an account is exactly the Key Uri Format line Aegis wrote,
// except that a space is %20 in the issuer parameter too.
func TestFixtureURIFormatMatchesAegis(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtures.Dir(t), "plain.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		a, err := ParseURI(line)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(line, "issuer=Air+Canada", "issuer=Air%20Canada", 1)
		if got := a.URI(); got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

func TestURIParse(t *testing.T) {
	const key = "JBSWY3DPEHPK3PXP" // "Hello!\xde\xad\xbe\xef"
	secret, _ := DecodeSecret(key)
	base := Account{Type: TOTP, Secret: secret, Algorithm: SHA1, Digits: 6, Period: 30}
	for _, c := range []struct {
		uri  string
		edit func(*Account)
	}{
		// Google's own example.
		{"otpauth://totp/ACME%20Co:john.doe@email.com?secret=" + key + "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
			func(a *Account) { a.Issuer, a.Name = "ACME Co", "john.doe@email.com" }},
		{"otpauth://totp/Example:alice@google.com?secret=jbswy3dpehpk3pxp&issuer=Example",
			func(a *Account) { a.Issuer, a.Name = "Example", "alice@google.com" }},
		// Secrets: padded, spaced with %20, + or a raw space, dashed.
		{"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP====", func(a *Account) { a.Name = "a" }},
		{"otpauth://totp/a?secret=jbsw%20y3dp%20ehpk%203pxp", func(a *Account) { a.Name = "a" }},
		{"otpauth://totp/a?secret=JBSW+Y3DP+EHPK+3PXP", func(a *Account) { a.Name = "a" }},
		{"otpauth://totp/a?secret=JBSW Y3DP EHPK 3PXP", func(a *Account) { a.Name = "a" }},
		{"otpauth://totp/a?secret=JBSW-Y3DP-EHPK-3PXP", func(a *Account) { a.Name = "a" }},
		// The issuer in the label only, the parameter only, both differing.
		{"otpauth://totp/GitHub:alice?secret=" + key, func(a *Account) { a.Issuer, a.Name = "GitHub", "alice" }},
		{"otpauth://totp/alice?secret=" + key + "&issuer=GitHub", func(a *Account) { a.Issuer, a.Name = "GitHub", "alice" }},
		{"otpauth://totp/Old%20Name:alice?issuer=New+Name&secret=" + key, func(a *Account) { a.Issuer, a.Name = "New Name", "alice" }},
		{"otpauth://totp/ACME%3A%20john?secret=" + key, func(a *Account) { a.Issuer, a.Name = "ACME", "john" }},
		{"otpauth://totp/ACME: john?secret=" + key, func(a *Account) { a.Issuer, a.Name = "ACME", "john" }},
		{"otpauth://totp/a:b:c?secret=" + key + "&issuer=a:b", func(a *Account) { a.Issuer, a.Name = "a:b", "c" }},
		{"otpauth://totp/:x:y?secret=" + key, func(a *Account) { a.Name = "x:y" }},
		// A + in the path is a plus (e-mail tags), in the query a space.
		{"otpauth://totp/Mail:alice+2fa@example.com?secret=" + key + "&issuer=My+Mail",
			func(a *Account) { a.Issuer, a.Name = "My Mail", "alice+2fa@example.com" }},
		{"otpauth://totp?secret=" + key + "&issuer=Bare", func(a *Account) { a.Issuer = "Bare" }},
		{"otpauth://totp/?secret=" + key, func(*Account) {}},
		{"OTPAUTH://TOTP/x?SECRET=" + key + "&Digits=8&PERIOD=60&Algorithm=sha256",
			func(a *Account) { a.Name, a.Digits, a.Period, a.Algorithm = "x", 8, 60, SHA256 }},
		{"otpauth://totp/x?secret=" + key + "&algorithm=SHA-512&digits=10&period=1",
			func(a *Account) { a.Name, a.Digits, a.Period, a.Algorithm = "x", 10, 1, SHA512 }},
		{"otpauth://totp/x?secret=" + key + "&digits=1", func(a *Account) { a.Name, a.Digits = "x", 1 }},
		// Unknown parameters, broken ones we do not use, and repeats.
		{"otpauth://totp/x?secret=" + key + "&codeDisplay=%7B%22pinned%22%3Afalse%7D&image=https%3A%2F%2Fx&foo=%zz;bar&&",
			func(a *Account) { a.Name = "x" }},
		{"otpauth://totp/x?secret=" + key + "&digits=8&digits=7", func(a *Account) { a.Name, a.Digits = "x", 8 }},
		// HOTP: the counter, none (0), a period that means nothing.
		{"otpauth://hotp/x?secret=" + key + "&counter=18446744073709551615",
			func(a *Account) { a.Type, a.Name, a.Period, a.Counter = HOTP, "x", 0, 1<<64-1 }},
		{"otpauth://hotp/x?secret=" + key + "&period=60",
			func(a *Account) { a.Type, a.Name, a.Period = HOTP, "x", 0 }},
		// Steam: its own type, or KeePassXC's encoder=steam; an issuer of
		// Steam on its own is a plain TOTP account.
		{"otpauth://steam/Steam:gaben?secret=" + key + "&digits=6",
			func(a *Account) { a.Type, a.Issuer, a.Name, a.Digits = Steam, "Steam", "gaben", 5 }},
		{"otpauth://totp/Steam:gaben?secret=" + key + "&issuer=Steam&encoder=steam",
			func(a *Account) { a.Type, a.Issuer, a.Name, a.Digits = Steam, "Steam", "gaben", 5 }},
		{"otpauth://totp/Steam:gaben?secret=" + key + "&issuer=Steam",
			func(a *Account) { a.Issuer, a.Name = "Steam", "gaben" }},
		{"  otpauth://totp/x?secret=" + key + "\r\n", func(a *Account) { a.Name = "x" }},
	} {
		want := base
		c.edit(&want)
		got, err := ParseURI(c.uri)
		if err != nil {
			t.Errorf("%s: %v", c.uri, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", c.uri, got, want)
		}
	}
}

func TestURIErrorsNameTheField(t *testing.T) {
	const ok = "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"
	for _, c := range []struct{ uri, want string }{
		{"https://example.com/login", `scheme "https" is not otpauth`},
		{"JBSWY3DPEHPK3PXP", "not a uri"},
		{"otpauth:totp/x?secret=JBSWY3DPEHPK3PXP", "missing //"},
		{"otpauth://motp/x?secret=JBSWY3DPEHPK3PXP", `type "motp"`},
		{"otpauth://totp/x", "secret is missing"},
		{"otpauth://totp/x?issuer=a", "secret is missing"},
		{"otpauth://totp/x?secret=", "secret is empty"},
		{"otpauth://totp/x?secret=%20", "secret is empty"},
		{"otpauth://totp/x?secret=JBSWY3DP1HPK3PXP", "secret is not base32"},
		{"otpauth://totp/x?secret=JBSW%zz", "secret: invalid URL escape"},
		{"otpauth://totp/x%zz?secret=JBSWY3DPEHPK3PXP", "label: invalid URL escape"},
		{ok + "&digits=0", "digits 0 out of range 1–10"},
		{ok + "&digits=11", "digits 11 out of range 1–10"},
		{ok + "&digits=six", `digits "six" is not a number`},
		{ok + "&digits=", `digits "" is not a number`},
		{ok + "&period=0", "period 0 must be positive"},
		{ok + "&period=-30", "period -30 must be positive"},
		{ok + "&period=30s", `period "30s" is not a number`},
		{ok + "&period=99999999999", "period 99999999999 out of range"},
		{ok + "&period=4294967296", "period 4294967296 out of range"},
		{ok + "&algorithm=MD5", `algorithm "MD5" is not SHA1, SHA256 or SHA512`},
		{"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=ten", `counter "ten" is not a number`},
		{"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=-1", `counter "-1" is not a number`},
	} {
		_, err := ParseURI(c.uri)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.uri, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DP") {
			t.Errorf("%s: the error quotes the secret: %v", c.uri, err)
		}
	}
}

func TestURIFormat(t *testing.T) {
	a := Account{Type: TOTP, Issuer: "ACME Co", Name: "john doe+x@example.com", Secret: []byte("Hello!\xde\xad\xbe\xef"),
		Algorithm: SHA256, Digits: 8, Period: 45}
	want := "otpauth://totp/ACME%20Co:john%20doe%2Bx@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=45"
	if got := a.URI(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	h := Account{Type: HOTP, Name: "a:b & c", Secret: []byte{0xff}, Algorithm: SHA1, Digits: 6, Counter: 7}
	want = "otpauth://hotp/:a%3Ab%20%26%20c?secret=74&algorithm=SHA1&digits=6&counter=7"
	if got := h.URI(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Property: any valid account survives URI and ParseURI unchanged, and the
// URI of what was parsed is the URI that was parsed.
func TestURIRoundTripRandomAccounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		a := otpRandomAccount(rng)
		if err := a.Validate(); err != nil {
			t.Fatalf("generator made an invalid account %+v: %v", a, err)
		}
		uri := a.URI()
		b, err := ParseURI(uri)
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s:\nwrote %+v\nread  %+v", uri, a, b)
		}
		if again := b.URI(); again != uri {
			t.Fatalf("URI not stable:\n%s\n%s", uri, again)
		}
	}
}

func TestURISplitJoinLabel(t *testing.T) {
	for _, c := range []struct{ issuer, name string }{
		{"", ""}, {"", "a"}, {"i", ""}, {"i", "a"}, {"", "a:b"}, {"i:j", "a:b"}, {"i", "i:a"},
	} {
		label := JoinLabel(c.issuer, c.name)
		if iss, name := SplitLabel(label, c.issuer); iss != c.issuer || name != c.name {
			t.Errorf("%q %q → %q → %q %q", c.issuer, c.name, label, iss, name)
		}
	}
	if iss, name := SplitLabel("Label Co: bob", ""); iss != "Label Co" || name != "bob" {
		t.Errorf("got %q %q", iss, name)
	}
	if iss, name := SplitLabel("Label Co:bob", "Param Co"); iss != "Param Co" || name != "bob" {
		t.Errorf("got %q %q", iss, name)
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
		"otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada&algorithm=SHA256&digits=7&counter=50",
		"otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing&algorithm=SHA1&digits=5&period=30",
		"otpauth://totp/Steam:x?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&issuer=Steam&encoder=steam",
		"otpauth://totp/:a:b?secret=mfrgg===&issuer=+",
		"otpauth://totp?secret=ME&codeDisplay=%7B%7D",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseURI(s)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("ParseURI(%q) returned an invalid account: %v", s, err)
		}
		if _, err := a.Code(time.Unix(1700000000, 0)); err != nil {
			t.Fatalf("no code for %q: %v", s, err)
		}
		b, err := ParseURI(a.URI())
		if err != nil {
			t.Fatalf("%q → %q: %v", s, a.URI(), err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%q → %q:\nfirst  %+v\nsecond %+v", s, a.URI(), a, b)
		}
	})
}
