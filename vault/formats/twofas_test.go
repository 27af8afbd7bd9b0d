package formats

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/authdesk/authdesk/internal/fixtures"
	"github.com/authdesk/authdesk/vault"
)

// plainTxtAccounts are the accounts of the fixtures' plain.txt, read with
// vault.ParseURI: what every other export of the same accounts must give.
func plainTxtAccounts(t *testing.T) []vault.Account {
	t.Helper()
	var accounts []vault.Account
	for line := range strings.Lines(string(fixtures.Read(t, "plain.txt"))) {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		a, err := vault.ParseURI(line)
		if err != nil {
			t.Fatalf("plain.txt: %v", err)
		}
		accounts = append(accounts, a)
	}
	if len(accounts) != 7 {
		t.Fatalf("plain.txt holds %d accounts, want 7", len(accounts))
	}
	return accounts
}

// without drops the accounts of the given issuers, failing if one is absent.
func without(t *testing.T, accounts []vault.Account, issuers ...string) []vault.Account {
	t.Helper()
	out := slices.DeleteFunc(slices.Clone(accounts), func(a vault.Account) bool { return slices.Contains(issuers, a.Issuer) })
	if len(out) != len(accounts)-len(issuers) {
		t.Fatalf("not all of %q are among the accounts", issuers)
	}
	return out
}

// The 2FAS fixtures hold five of the seven accounts: 2FAS's export of the
// test vectors has no SPDX (TOTP SHA256, 7 digits, 20 s) and no Airbnb
// (TOTP SHA512, 8 digits, 50 s). The five must match plain.txt exactly.
func TestTwoFASFixtures(t *testing.T) {
	want := without(t, plainTxtAccounts(t), "SPDX", "Airbnb")
	for _, c := range []struct{ file, password string }{
		{"2fas_authenticator_plain_v4.2fas", ""},
		{"2fas_authenticator_encrypted_v4.2fas", "test"},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := fixtures.Read(t, c.file)
			if f, err := Detect(data); err != nil || f != TwoFAS {
				t.Fatalf("Detect: %q, %v; want %q", f, err, TwoFAS)
			}
			got, err := Import(data, "", []byte(c.password))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 5 {
				t.Errorf("%d accounts, want 5", len(got))
			}
			sameAccounts(t, got, want)
		})
	}
}

func TestTwoFASPasswords(t *testing.T) {
	enc := fixtures.Read(t, "2fas_authenticator_encrypted_v4.2fas")
	_, err := Decode2FAS(enc, nil)
	if !errors.Is(err, vault.ErrLocked) || errors.Is(err, vault.ErrWrongPassword) {
		t.Errorf("no password: got %v, want ErrLocked", err)
	}
	for _, pw := range []string{"nope", "", "test "} {
		_, err := Decode2FAS(enc, []byte(pw))
		if !errors.Is(err, vault.ErrWrongPassword) {
			t.Errorf("password %q: got %v, want ErrWrongPassword", pw, err)
		}
		if err != nil && pw != "" && strings.Contains(err.Error(), pw) {
			t.Errorf("the error quotes the password: %v", err)
		}
	}
	// A plain backup ignores a password.
	if got, err := Decode2FAS(fixtures.Read(t, "2fas_authenticator_plain_v4.2fas"), []byte("x")); err != nil || len(got) != 5 {
		t.Errorf("plain with a password: %d accounts, %v", len(got), err)
	}
}

// edit2FAS changes one top-level field of a 2FAS backup.
func edit2FAS(t *testing.T, data []byte, edit func(top map[string]any)) []byte {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	edit(top)
	out, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// flipCiphertext changes one byte of the ciphertext of a "CT:SALT:IV" value.
func flipCiphertext(t *testing.T, sealed string) string {
	t.Helper()
	parts := strings.Split(sealed, ":")
	ct, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	ct[len(ct)/2] ^= 1
	parts[0] = base64.StdEncoding.EncodeToString(ct)
	return strings.Join(parts, ":")
}

func TestTwoFASDamaged(t *testing.T) {
	enc := fixtures.Read(t, "2fas_authenticator_encrypted_v4.2fas")
	damaged := edit2FAS(t, enc, func(top map[string]any) {
		top["servicesEncrypted"] = flipCiphertext(t, top["servicesEncrypted"].(string))
	})
	// The reference opens, so the password is right and the file is not.
	_, err := Decode2FAS(damaged, []byte("test"))
	if err == nil || errors.Is(err, vault.ErrWrongPassword) || !strings.Contains(err.Error(), "2fas backup: the password is right but servicesEncrypted does not decrypt: the file is damaged") {
		t.Errorf("damaged services: got %v", err)
	}
	if _, err := Decode2FAS(damaged, []byte("nope")); !errors.Is(err, vault.ErrWrongPassword) {
		t.Errorf("damaged services, wrong password: got %v, want ErrWrongPassword", err)
	}
	// Without a reference nothing tells the two apart.
	noRef := edit2FAS(t, damaged, func(top map[string]any) { delete(top, "reference") })
	if _, err := Decode2FAS(noRef, []byte("test")); !errors.Is(err, vault.ErrWrongPassword) || !strings.Contains(err.Error(), "or the file is damaged") {
		t.Errorf("damaged services, no reference: got %v", err)
	}
	// A damaged reference does not stand in the way of good services.
	badRef := edit2FAS(t, enc, func(top map[string]any) {
		top["reference"] = flipCiphertext(t, top["reference"].(string))
	})
	if got, err := Decode2FAS(badRef, []byte("test")); err != nil || len(got) != 5 {
		t.Errorf("damaged reference: %d accounts, %v", len(got), err)
	}
}

// seal2FAS encrypts services the way 2FAS does, for the cases no real
// backup shows.
func seal2FAS(t testing.TB, services, password string, iterations int) string {
	salt := make([]byte, 256)
	iv := make([]byte, 12)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	ct := gcm.Seal(nil, iv, []byte(services), nil)
	b64 := base64.StdEncoding.EncodeToString
	out, _ := json.Marshal(map[string]any{"services": []any{}, "schemaVersion": 4, "servicesEncrypted": b64(ct) + ":" + b64(salt) + ":" + b64(iv)})
	return string(out)
}

func TestTwoFASServices(t *testing.T) {
	key := mustSecret(t, "JBSWY3DPEHPK3PXP")
	for _, c := range []struct {
		name, data string
		want       vault.Account
	}{
		{"steam defaults", `{"services":[{"name":"Steam","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"me","tokenType":"STEAM"}}]}`,
			vault.Account{Type: vault.Steam, Issuer: "Steam", Name: "me", Secret: key, Algorithm: vault.SHA1, Digits: 5, Period: 30}},
		// Schema 1 had no tokenType; an empty name falls back to the
		// otpauth issuer, an empty account to the label.
		{"schema 1", `{"schemaVersion":1,"services":[{"name":"","secret":"jbsw y3dp ehpk 3pxp","otp":{"label":"Bank:bob","issuer":"Bank","algorithm":"sha256"}}]}`,
			vault.Account{Type: vault.TOTP, Issuer: "Bank", Name: "bob", Secret: key, Algorithm: vault.SHA256, Digits: 6, Period: 30}},
		{"hotp", "\ufeff" + `{"services":[{"name":" Bank ","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"bob","tokenType":"HOTP","digits":8,"counter":7,"period":30}}]}`,
			vault.Account{Type: vault.HOTP, Issuer: "Bank", Name: "bob", Secret: key, Algorithm: vault.SHA1, Digits: 8, Counter: 7}},
	} {
		got, err := Import([]byte(c.data), TwoFAS, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if want := []vault.Account{c.want}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", c.name, got, want)
		}
	}
}

func TestTwoFASErrors(t *testing.T) {
	service := func(otp string) string {
		return `{"services":[{"name":"A","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"bob",` + otp + `}}]}`
	}
	for _, c := range []struct{ data, password, want string }{
		{`{"services": [`, "", "2fas backup: bad file: invalid JSON at byte"},
		{`[]`, "", "bad file: the file is a JSON array, want an object"},
		{`{"groups": []}`, "", "bad file: no services"},
		{`{"services": []}`, "", "the backup holds no accounts"},
		{`{"services": {}}`, "", "bad services: services is a JSON object, want an array"},
		{`{"services": [], "schemaVersion": 5}`, "", "schema version 5 is not supported (authdesk reads 1 to 4)"},
		{`{"services": [7]}`, "", "service 1: the service is a JSON number, want an object"},
		{service(`"tokenType":"YANDEX"`), "", `service 1 ("A: bob"): token type "YANDEX" is not supported (only TOTP, HOTP and STEAM)`},
		{service(`"algorithm":"MD5"`), "", `service 1 ("A: bob"): algorithm "MD5" is not SHA1, SHA256 or SHA512`},
		{service(`"digits":"6"`), "", "service 1: otp.digits is a JSON string, want a whole number"},
		{service(`"digits":0`), "", `service 1 ("A: bob"): digits 0 out of range`},
		{service(`"digits":11`), "", `service 1 ("A: bob"): digits 11 out of range 1–10`},
		{service(`"period":-5`), "", `service 1 ("A: bob"): period -5 out of range`},
		{service(`"counter":-1`), "", "service 1: otp.counter is a JSON number -1, want a whole number of at least 0"},
		{service(`"tokenType":"STEAM","digits":6`), "", "digits 6: steam codes have 5 characters"},
		{`{"services":[{"name":"A","otp":{}}]}`, "", `service 1 ("A"): no secret`},
		{`{"services":[{"name":"A","secret":"JBSWY3DP!EHPK3PXP"}]}`, "", `service 1 ("A"): secret is not base32`},
		{`{"services":[],"servicesEncrypted":"AAAA:AAAA"}`, "pw", "bad servicesEncrypted: 2 parts separated by colons, want 3 (ciphertext:salt:iv)"},
		{`{"services":[],"servicesEncrypted":"A!A:AAAA:AAAA"}`, "pw", "bad servicesEncrypted: the ciphertext is not base64"},
		{`{"services":[],"servicesEncrypted":"AAAA:AAAA:AAAA"}`, "pw", "the ciphertext is 3 bytes, shorter than its 16-byte tag"},
		{`{"services":[],"servicesEncrypted":"AAAAAAAAAAAAAAAAAAAAAA==::AAAAAAAAAAAAAAAA"}`, "pw", "the salt is empty"},
		{`{"services":[],"servicesEncrypted":"AAAAAAAAAAAAAAAAAAAAAA==:AAAA:AAAAAAAAAAA="}`, "pw", "the iv is 8 bytes, want 12"},
		{seal2FAS(t, `{"services": []}`, "pw", 10_000), "pw", "bad services: services is a JSON object, want an array"},
		{seal2FAS(t, `[{"name":"X","secret":"JBSWY3DPEHPK3PXP","otp":{"tokenType":"MOTP"}}]`, "pw", 10_000), "pw", `service 1 ("X"): token type "MOTP" is not supported`},
	} {
		_, err := Decode2FAS([]byte(c.data), []byte(c.password))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.data, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), "JBSWY3DP") || errors.Is(err, vault.ErrWrongPassword)) {
			t.Errorf("%s: %v", c.data, err)
		}
	}
}

// checkImported holds for every successful import: accounts that are
// normalized and valid, and that survive an export as otpauth URIs.
func checkImported(t *testing.T, accounts []vault.Account) {
	t.Helper()
	if len(accounts) == 0 {
		t.Fatal("no accounts and no error")
	}
	for _, a := range accounts {
		if err := a.Validate(); err != nil {
			t.Fatalf("invalid account %+v: %v", a, err)
		}
		n := a
		n.Normalize()
		if !reflect.DeepEqual(n, a) {
			t.Fatalf("not normalized: %+v", a)
		}
	}
	again, err := DecodeURIList(EncodeURIList(accounts))
	if err != nil {
		t.Fatalf("cannot read back %q: %v", EncodeURIList(accounts), err)
	}
	if !reflect.DeepEqual(accounts, again) {
		t.Fatalf("as URIs and back:\nfirst  %+v\nsecond %+v", accounts, again)
	}
}

func FuzzDecode2FAS(f *testing.F) {
	f.Add([]byte(`{"services":[{"name":"Deno","secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","otp":{"account":"Mason","issuer":"Deno","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP"}},` +
		`{"name":"WWE","secret":"5VAML3X35THCEBVRLV24CGBKOY","otp":{"account":"Mason","digits":8,"algorithm":"SHA512","counter":10300,"tokenType":"HOTP"}}],"schemaVersion":4}`))
	f.Add([]byte(`{"services":[{"name":"","secret":"jbsw y3dp","otp":{"label":"Bank:bob","tokenType":"STEAM"}}]}`))
	f.Add([]byte(seal2FAS(f, `[{"name":"A","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"b"}}]`, "test", 10)))
	f.Fuzz(func(t *testing.T, data []byte) {
		// 10 iterations instead of 2FAS's 10,000 keep the fuzzer fast.
		accounts, err := decode2FAS(data, nil, 10)
		if errors.Is(err, vault.ErrLocked) {
			accounts, err = decode2FAS(data, []byte("test"), 10)
		}
		if err == nil {
			checkImported(t, accounts)
		}
	})
}
