package formats

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/authdesk/authdesk/internal/fixtures"
	"github.com/authdesk/authdesk/vault"
)

func TestAndOTPFixtures(t *testing.T) {
	want := plainTxtAccounts(t)
	for _, c := range []struct{ file, password string }{
		{"andotp_plain.json", ""},
		{"andotp_encrypted.bin", "test"},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := fixtures.Read(t, c.file)
			if f, err := Detect(data); err != nil || f != AndOTP {
				t.Fatalf("Detect: %q, %v; want %q", f, err, AndOTP)
			}
			got, err := Import(data, "", []byte(c.password))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 7 {
				t.Errorf("%d accounts, want 7", len(got))
			}
			sameAccounts(t, got, want)
		})
	}
}

func TestAndOTPPasswords(t *testing.T) {
	enc := fixtures.Read(t, "andotp_encrypted.bin")
	_, err := DecodeAndOTP(enc, nil)
	if !errors.Is(err, vault.ErrLocked) || errors.Is(err, vault.ErrWrongPassword) {
		t.Errorf("no password: got %v, want ErrLocked", err)
	}
	for _, pw := range []string{"nope", "", "Test"} {
		_, err := DecodeAndOTP(enc, []byte(pw))
		if !errors.Is(err, vault.ErrWrongPassword) || !strings.Contains(err.Error(), "andotp backup: wrong password (or the file is damaged)") {
			t.Errorf("password %q: got %v, want ErrWrongPassword", pw, err)
		}
	}
	if got, err := DecodeAndOTP(fixtures.Read(t, "andotp_plain.json"), []byte("x")); err != nil || len(got) != 7 {
		t.Errorf("plain with a password: %d accounts, %v", len(got), err)
	}
}

// withIterations is the encrypted fixture with another iteration count.
func withIterations(t *testing.T, n uint32) []byte {
	data := slices.Clone(fixtures.Read(t, "andotp_encrypted.bin"))
	binary.BigEndian.PutUint32(data, n)
	return data
}

// A header is checked before the password is asked for or the key
// derived: were 4,294,967,295 iterations run, this test would time out.
func TestAndOTPHeader(t *testing.T) {
	enc := fixtures.Read(t, "andotp_encrypted.bin")
	if n := binary.BigEndian.Uint32(enc); n < 140_000 || n > 160_000 {
		t.Fatalf("the fixture has %d iterations, not andOTP's 140,000 to 160,000", n)
	}
	for _, c := range []struct {
		data []byte
		want string
	}{
		{withIterations(t, 1<<32-1), "andotp backup: not an encrypted andOTP backup of the current format: its header asks for 4294967295 PBKDF2 iterations, out of range 1 to 10000000"},
		{withIterations(t, 10_000_001), "asks for 10000001 PBKDF2 iterations"},
		{withIterations(t, 0), "asks for 0 PBKDF2 iterations"},
		{enc[:43], "the file is 43 bytes, too short for an encrypted andOTP backup (at least 44)"},
		{[]byte("\x00\x00"), "the file is 2 bytes, too short"},
		{nil, "the file is 0 bytes"},
	} {
		for _, pw := range [][]byte{nil, []byte("test")} {
			_, err := DecodeAndOTP(c.data, pw)
			if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, vault.ErrLocked) || errors.Is(err, vault.ErrWrongPassword) {
				t.Errorf("%x…, password %q: got %v, want an error containing %q", c.data[:min(len(c.data), 8)], pw, err, c.want)
			}
		}
		if f, err := Detect(c.data); err == nil {
			t.Errorf("Detect %x…: %q", c.data[:min(len(c.data), 8)], f)
		}
	}
}

func TestAndOTPDamaged(t *testing.T) {
	enc := fixtures.Read(t, "andotp_encrypted.bin")
	for _, i := range []int{3, 10, 20, 100, len(enc) - 1} { // iterations, salt, nonce, ciphertext, tag
		damaged := slices.Clone(enc)
		damaged[i] ^= 1
		_, err := DecodeAndOTP(damaged, []byte("test"))
		if !errors.Is(err, vault.ErrWrongPassword) || !strings.Contains(err.Error(), "or the file is damaged") {
			t.Errorf("byte %d changed: got %v", i, err)
		}
	}
}

// sealAndOTP encrypts an entry list as andOTP's BackupHelper does.
func sealAndOTP(t testing.TB, list, password string, iterations uint32) []byte {
	salt := make([]byte, 12)
	nonce := make([]byte, 12)
	rand.Read(salt)
	rand.Read(nonce)
	key, err := pbkdf2.Key(sha1.New, password, salt, int(iterations), 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	out := binary.BigEndian.AppendUint32(nil, iterations)
	out = append(out, salt...)
	out = append(out, nonce...)
	return gcm.Seal(out, nonce, []byte(list), nil)
}

func TestAndOTPEntries(t *testing.T) {
	key := mustSecret(t, "JBSWY3DPEHPK3PXP")
	for _, c := range []struct {
		name, data string
		want       vault.Account
	}{
		// Backups from before andOTP kept the issuer apart.
		{"no issuer", `[{"secret":"JBSWY3DPEHPK3PXP","label":"Deno:Mason","digits":6,"period":30}]`,
			vault.Account{Type: vault.TOTP, Issuer: "Deno", Name: "Mason", Secret: key, Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"issuer kept apart", ` [{"secret":"jbswy3dpehpk3pxp====","issuer":"Work","label":"a:b","type":"hotp","algorithm":"sha512","counter":3}] `,
			vault.Account{Type: vault.HOTP, Issuer: "Work", Name: "a:b", Secret: key, Algorithm: vault.SHA512, Digits: 6, Counter: 3}},
		{"steam", `[{"secret":"JBSWY3DPEHPK3PXP","issuer":"Steam","label":"me","type":"STEAM","digits":5}]`,
			vault.Account{Type: vault.Steam, Issuer: "Steam", Name: "me", Secret: key, Algorithm: vault.SHA1, Digits: 5, Period: 30}},
	} {
		got, err := Import([]byte(c.data), AndOTP, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if want := []vault.Account{c.want}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", c.name, got, want)
		}
	}

	// A list that is itself fine, sealed with few iterations.
	got, err := DecodeAndOTP(sealAndOTP(t, `[{"secret":"JBSWY3DPEHPK3PXP","issuer":"A","label":"b","type":"TOTP"}]`, "pw", 1000), []byte("pw"))
	if err != nil || len(got) != 1 || got[0].Label() != "A: b" {
		t.Errorf("self-sealed: %+v, %v", got, err)
	}
}

func TestAndOTPErrors(t *testing.T) {
	for _, c := range []struct {
		data []byte
		want string
	}{
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","issuer":"Work","label":"vpn","type":"MOTP","pin":"1234"}]`),
			`andotp backup: entry 1 ("Work: vpn"): type MOTP (mobile OTP) is not supported (only TOTP, HOTP and STEAM)`},
		{sealAndOTP(t, `[{"secret":"JBSWY3DPEHPK3PXP","label":"a"},{"secret":"JBSWY3DPEHPK3PXP","issuer":"Work","label":"vpn","type":"MOTP"}]`, "test", 1000),
			`entry 2 ("Work: vpn"): type MOTP (mobile OTP) is not supported`},
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","label":"x","type":"YANDEX"}]`), `entry 1 ("x"): type "YANDEX" is not supported`},
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","label":"x","type":"HOTP"}]`), `entry 1 ("x"): an HOTP entry without a counter`},
		{[]byte(`[{"label":"x"}]`), `entry 1 ("x"): no secret`},
		{[]byte(`[{"secret":"JBSWY3DP1EHPK3PXP","label":"x"}]`), `entry 1 ("x"): secret is not base32`},
		{[]byte(`[{"secret":12,"label":"x"}]`), "entry 1: secret is a JSON number, want a string"},
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","label":"x","type":"HOTP","counter":-1}]`), "entry 1: counter is a JSON number -1, want a whole number of at least 0"},
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","label":"x","algorithm":"MD5"}]`), `entry 1 ("x"): algorithm "MD5" is not SHA1, SHA256 or SHA512`},
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","label":"x","period":0}]`), `entry 1 ("x"): period 0 out of range`},
		{[]byte(`[{"secret":"JBSWY3DPEHPK3PXP","label":"x","type":"STEAM","digits":6}]`), "digits 6: steam codes have 5 characters"},
		{[]byte(`[1]`), "entry 1: the entry is a JSON number, want an object"},
		{[]byte(`[]`), "the backup holds no accounts"},
		{[]byte(`[{"secret":`), "bad entry list: invalid JSON"},
		{[]byte(`{"services":[]}`), "the file is a JSON object, not an andOTP list of entries"},
		{sealAndOTP(t, `{"a":1}`, "test", 1000), "bad entry list: the backup is a JSON object, want an array"},
		{sealAndOTP(t, `not json`, "test", 1000), "bad entry list: invalid JSON at byte"},
	} {
		_, err := DecodeAndOTP(c.data, []byte("test"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.data, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DP") {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
}

func TestDetectOthers(t *testing.T) {
	for _, c := range []struct {
		data string
		want Format
		err  string
	}{
		{` {"servicesEncrypted": "x"}`, TwoFAS, ""},
		{"\ufeff[]", AndOTP, ""},
		{string(sealAndOTP(t, "[]", "pw", 150_000)), AndOTP, ""},
		{"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\xff\xfe\xfd", "", "the file is binary, not an export authdesk reads"},
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

func FuzzDecodeAndOTP(f *testing.F) {
	f.Add([]byte(`[{"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ======","issuer":"Deno","label":"Mason","digits":6,"type":"TOTP","algorithm":"SHA1","period":30,"tags":[]},` +
		`{"secret":"JRZCL47CMXVOQMNPZR2F7J4RGI======","issuer":"Boeing","label":"Sophia","digits":5,"type":"STEAM","algorithm":"SHA1"}]`))
	f.Add([]byte(`[{"secret":"jbswy3dp","label":"Bank:bob","type":"HOTP","counter":3}]`))
	f.Add(sealAndOTP(f, `[{"secret":"JBSWY3DPEHPK3PXP","issuer":"A","label":"b","type":"TOTP"}]`, "test", 100))
	f.Add(sealAndOTP(f, `[{"secret":"JBSWY3DPEHPK3PXP","label":"b","type":"MOTP"}]`, "test", 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The real bound would let one input run for seconds; the header
		// check is the same at 1,000.
		accounts, err := decodeAndOTP(data, nil, 1000)
		if errors.Is(err, vault.ErrLocked) {
			accounts, err = decodeAndOTP(data, []byte("test"), 1000)
		}
		if err == nil {
			checkImported(t, accounts)
		}
	})
}
