package formats

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/authdesk/authdesk/internal/fixtures"
	"github.com/authdesk/authdesk/vault"
)

// fixtureAccounts are the seven accounts every fixture holds, written out
// by hand from the fixtures' README and plain.txt.
func fixtureAccounts(t *testing.T) []vault.Account {
	key := func(s string) []byte { return mustSecret(t, s) }
	return []vault.Account{
		{Type: vault.TOTP, Issuer: "Deno", Name: "Mason", Secret: key("4SJHB4GSD43FZBAI7C2HLRJGPQ"), Algorithm: vault.SHA1, Digits: 6, Period: 30},
		{Type: vault.TOTP, Issuer: "SPDX", Name: "James", Secret: key("5OM4WOOGPLQEF6UGN3CPEOOLWU"), Algorithm: vault.SHA256, Digits: 7, Period: 20},
		{Type: vault.TOTP, Issuer: "Airbnb", Name: "Elijah", Secret: key("7ELGJSGXNCCTV3O6LKJWYFV2RA"), Algorithm: vault.SHA512, Digits: 8, Period: 50},
		{Type: vault.HOTP, Issuer: "Issuu", Name: "James", Secret: key("YOOMIXWS5GN6RTBPUFFWKTW5M4"), Algorithm: vault.SHA1, Digits: 6, Counter: 1},
		{Type: vault.HOTP, Issuer: "Air Canada", Name: "Benjamin", Secret: key("KUVJJOM753IHTNDSZVCNKL7GII"), Algorithm: vault.SHA256, Digits: 7, Counter: 50},
		{Type: vault.HOTP, Issuer: "WWE", Name: "Mason", Secret: key("5VAML3X35THCEBVRLV24CGBKOY"), Algorithm: vault.SHA512, Digits: 8, Counter: 10300},
		{Type: vault.Steam, Issuer: "Boeing", Name: "Sophia", Secret: key("JRZCL47CMXVOQMNPZR2F7J4RGI"), Algorithm: vault.SHA1, Digits: 5, Period: 30},
	}
}

// sameAccounts compares in any order, ignoring UUIDs (Aegis files carry
// theirs; URIs have none).
func sameAccounts(t *testing.T, got, want []vault.Account) {
	t.Helper()
	key := func(a, b vault.Account) int { return strings.Compare(a.Issuer+"\x00"+a.Name, b.Issuer+"\x00"+b.Name) }
	got, want = slices.Clone(got), slices.Clone(want)
	for i := range got {
		got[i].UUID = ""
	}
	slices.SortFunc(got, key)
	slices.SortFunc(want, key)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestFixtureImport(t *testing.T) {
	want := fixtureAccounts(t)
	for _, c := range []struct {
		file     string
		format   Format
		password string
	}{
		{"plain.txt", URIList, ""},
		{"ente_auth.txt", URIList, ""},
		{"aegis_plain.json", Aegis, ""},
		{"aegis_encrypted.json", Aegis, "test"},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := fixtures.Read(t, c.file)
			format, err := Detect(data)
			if err != nil || format != c.format {
				t.Fatalf("Detect: %q, %v; want %q", format, err, c.format)
			}
			got, err := Import(data, "", []byte(c.password))
			if err != nil {
				t.Fatal(err)
			}
			sameAccounts(t, got, want)
		})
	}
}

func TestFixtureImportWrongPassword(t *testing.T) {
	_, err := Import(fixtures.Read(t, "aegis_encrypted.json"), Aegis, []byte("nope"))
	if !errors.Is(err, vault.ErrWrongPassword) {
		t.Errorf("got %v, want ErrWrongPassword", err)
	}
}

func TestDetect(t *testing.T) {
	migration := "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC"
	for _, c := range []struct {
		data string
		want Format
		err  string
	}{
		{"\ufeff# exported\n\n" + migration + "\n" + migration + "\n", Google, ""},
		{migration + "\notpauth://totp/x?secret=AAAA\n", URIList, ""},
		{"\r\n  OTPAUTH://totp/x?secret=AAAA\r\n", URIList, ""},
		{"", "", "the file is empty"},
		{"# nothing\n", "", "only comments"},
		{"https://example.com/x\notpauth://totp/x?secret=AAAA", "", "the first line holds a web address (https://example.com/…)"},
		{`{"version": 1}`, "", "JSON but not an Aegis export"},
		{`{"header": `, "", "starts like JSON but is not"},
	} {
		got, err := Detect([]byte(c.data))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: got %q, %v; want an error containing %q", c.data, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.data, got, err, c.want)
		}
	}
}

func TestImportGoogleOnlyMigrationLines(t *testing.T) {
	data := "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC\notpauth://totp/x?secret=AAAA\n"
	if _, err := Import([]byte(data), Google, nil); err == nil || !strings.Contains(err.Error(), "line 2: not an otpauth-migration uri") {
		t.Errorf("got %v", err)
	}
	got, err := Import([]byte(data), URIList, nil)
	if err != nil || len(got) != 2 {
		t.Errorf("as a uri list: %d accounts, %v", len(got), err)
	}
	if _, err := Import([]byte(data), "lastpass", nil); err == nil || !strings.Contains(err.Error(), `unknown format "lastpass"`) {
		t.Errorf("got %v", err)
	}
}

func TestDecodeURIList(t *testing.T) {
	data := "\ufeff# my accounts\r\n\r\n" +
		"otpauth://totp/A:a?secret=AAAA\r\n" +
		"   # indented comment\n" +
		"otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC\n" +
		"\totpauth://hotp/B:b?secret=BBBB&counter=3" // no final newline
	got, err := DecodeURIList([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, a := range got {
		labels = append(labels, a.Label())
	}
	if want := []string{"A: a", "Example: alice@google.com", "B: b"}; !slices.Equal(labels, want) {
		t.Errorf("got %q, want %q", labels, want)
	}

	for _, c := range []struct{ data, want string }{
		{"otpauth://totp/x?secret=AAAA\n\notpauth://totp/y?digits=6", "line 3: otpauth uri: secret is missing"},
		{"otpauth://totp/x?secret=AAAA\nhttps://example.com/enroll?t=1", "line 2 holds a web address (https://example.com/…), not an otpauth URI"},
		{"JBSWY3DPEHPK3PXPJBSWY3DP", "line 1 holds a bare secret key"},
		{"otpauth-migration://offline?data=", "line 1: google authenticator export: the payload holds no accounts"},
		{"\n# only a comment\n", "no otpauth uris found"},
		{"", "no otpauth uris found"},
	} {
		_, err := DecodeURIList([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.data, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DP") {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
}

func TestEncodeURIListRoundTrip(t *testing.T) {
	want := fixtureAccounts(t)
	data := EncodeURIList(want)
	if n := strings.Count(string(data), "\n"); n != len(want) {
		t.Errorf("%d lines for %d accounts", n, len(want))
	}
	got, err := DecodeURIList(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(EncodeURIList(nil)) != 0 {
		t.Error("no accounts should be no bytes")
	}
}

func TestParseAny(t *testing.T) {
	got, err := ParseAny(" otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP\n")
	if err != nil || len(got) != 1 || got[0].Label() != "GitHub: alice" {
		t.Errorf("otpauth: %+v, %v", got, err)
	}
	got, err = ParseAny("otpauth-migration://offline?data=CkMKFD3GyqSCSm0oh2eyMx4gtDFmy4XZEhxBQ01FIENvOmpvaG4uZG9lQGV4YW1wbGUuY29tGgdBQ01FIENvIAEoATACCjUKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZSABKAEwAhABGAEgACjn4Pv4Ag==")
	if err != nil || len(got) != 2 {
		t.Errorf("migration: %+v, %v", got, err)
	}
	for s, want := range map[string]string{
		"https://example.com/2fa?token=abc":     "QR code holds a web address (https://example.com/…), not an otpauth URI",
		"http://":                               "QR code holds a web address (http://…), not an otpauth URI",
		"WIFI:T:WPA;S:home;P:hunter2;;":         "QR code holds Wi-Fi network settings, not an otpauth URI",
		"mailto:a@example.com":                  "QR code holds an e-mail address",
		"tel:+4412345":                          "QR code holds a phone number",
		"BEGIN:VCARD\nVERSION:3.0\nEND:VCARD":   "QR code holds a contact card",
		"bitcoin:1abc?amount=1":                 "QR code holds a bitcoin: link",
		"JBSW Y3DP EHPK 3PXP":                   "QR code holds a bare secret key",
		"hello world":                           "QR code holds text of 11 characters, not an otpauth URI",
		"":                                      "QR code holds nothing",
		"\xff\xfe\x00":                          "QR code holds 3 bytes of binary data",
		"otpauth://totp/x?secret=JBSW&digits=0": "otpauth uri: digits 0 out of range",
	} {
		_, err := ParseAny(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", s, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "JBSW")) {
			t.Errorf("%q: the error quotes the content: %v", s, err)
		}
	}
}

func FuzzDecodeURIList(f *testing.F) {
	f.Add([]byte("# list\notpauth://totp/A:a?secret=AAAA&issuer=A\n\notpauth://hotp/B?secret=BB&counter=9\r\n"))
	f.Add([]byte("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC"))
	f.Fuzz(func(t *testing.T, data []byte) {
		accounts, err := DecodeURIList(data)
		if err != nil {
			return
		}
		again, err := DecodeURIList(EncodeURIList(accounts))
		if err != nil {
			t.Fatalf("cannot read back %q: %v", EncodeURIList(accounts), err)
		}
		if !reflect.DeepEqual(accounts, again) {
			t.Fatalf("first  %+v\nsecond %+v", accounts, again)
		}
	})
}
