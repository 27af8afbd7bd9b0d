package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeAegisFixtures(t *testing.T) {
	want := expectedAccounts(t)
	plain, err := DecodeAegis(readFixture(t, "aegis_plain.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, plain, want)
	if plain[0].UUID != "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d" {
		t.Errorf("uuid %q, want Aegis's", plain[0].UUID)
	}

	enc := readFixture(t, "aegis_encrypted.json")
	got, err := DecodeAegis(enc, []byte("test"))
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, got, want)

	if _, err := DecodeAegis(enc, []byte("tset")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := DecodeAegis(enc, nil); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "password") {
		t.Errorf("no password: %v", err)
	}
	// A password given for a plain file is not needed and does no harm.
	if _, err := DecodeAegis(readFixture(t, "aegis_plain.json"), []byte("x")); err != nil {
		t.Error(err)
	}
}

func TestEncodeAegisRoundTrip(t *testing.T) {
	want := expectedAccounts(t)
	want[0].Note, want[1].Favorite = "a note\nwith \"quotes\" and \u0001 and ünïcode", true
	for _, pw := range [][]byte{nil, []byte("pw")} {
		out, err := EncodeAegis(want, pw)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, []byte("Airbnb")) == (pw != nil) {
			t.Errorf("password %q: plain text visible = %v", pw, pw == nil)
		}
		got, err := DecodeAegis(out, pw)
		if err != nil {
			t.Fatal(err)
		}
		sameAccounts(t, got, want)
		if got[0].Note != want[0].Note || !got[1].Favorite || got[0].UUID == "" {
			t.Errorf("note %q favorite %v uuid %q", got[0].Note, got[1].Favorite, got[0].UUID)
		}
	}
	if _, err := EncodeAegis([]Account{{Type: TOTP, Name: "x", Secret: []byte("k"), Algorithm: "MD5", Digits: 6, Period: 30}}, nil); err == nil || !strings.Contains(err.Error(), "MD5") {
		t.Errorf("invalid account: %v", err)
	}
	if _, err := EncodeAegis(want, []byte{}); err == nil {
		t.Error("empty password accepted")
	}
}

// A database of version 1 with groups as names, icons, Aegis keys this
// package does not model, and an entry of a type it cannot show: after an
// Edit all of it is still there, as version 3.
const richDB = `{
    "version": 1,
    "header": {"slots": null, "params": null},
    "db": {
        "version": 1,
        "entries": [
            {"type": "totp", "uuid": "3AE6F1AD-2E65-4ED2-A953-1EC0DFF2386D", "name": "Mason", "issuer": "Deno",
             "icon": "/9j/4AAQ", "icon_mime": "image/jpeg", "icon_hash": "abcd", "group": "Work", "future_key": {"x": [1, 2]},
             "info": {"secret": "4sjhb4gsd43fzbai7c2hlrjgpq", "algo": "HmacSHA1", "digits": 6, "period": 30, "info_extra": 5}},
            {"type": "yandex", "uuid": "84b55971-a3d2-4173-a5bb-0aea113dbc17", "name": "Y", "issuer": "Yandex", "icon": null,
             "info": {"secret": "5OM4WOOGPLQEF6UGN3CPEOOLWU", "algo": "SHA256", "digits": 8, "period": 30, "pin": "1234"}},
            {"type": "hotp", "name": "no uuid", "issuer": "X", "icon": null, "group": "Work", "note": "n",
             "info": {"secret": "YOOMIXWS5GN6RTBPUFFWKTW5M4", "algo": "SHA1", "digits": 6, "counter": 7}}
        ]
    }
}`

func TestKeepsWhatAegisStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.json")
	os.WriteFile(path, []byte(richDB), 0o600)
	v, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	acc := v.Accounts()
	if len(acc) != 2 || acc[0].UUID != "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d" || acc[0].Algorithm != SHA1 || acc[1].Counter != 7 || acc[1].UUID == "" {
		t.Fatalf("accounts %+v", acc)
	}
	if err := v.Edit(func(db *DB) error {
		db.Accounts[0].Name = "Mason 2"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var f struct {
		DB struct {
			Version int
			Groups  []groupJSON
			Entries []map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	db := f.DB
	if db.Version != 3 || len(db.Groups) != 1 || db.Groups[0].Name != "Work" || len(db.Entries) != 3 {
		t.Fatalf("database %+v", db)
	}
	e := db.Entries[0]
	wantGroups := `["` + db.Groups[0].UUID + `"]`
	for k, want := range map[string]string{"name": `"Mason 2"`, "icon": `"/9j/4AAQ"`, "icon_mime": `"image/jpeg"`,
		"icon_hash": `"abcd"`, "future_key": `{"x":[1,2]}`, "groups": wantGroups} {
		if got := compact(e[k]); got != want {
			t.Errorf("entry 0 %s = %s, want %s", k, got, want)
		}
	}
	if _, ok := e["group"]; ok {
		t.Error("version-1 group key written back")
	}
	var info map[string]json.RawMessage
	json.Unmarshal(e["info"], &info)
	if string(info["info_extra"]) != "5" || string(info["algo"]) != `"SHA1"` || string(info["secret"]) != `"4SJHB4GSD43FZBAI7C2HLRJGPQ"` {
		t.Errorf("info %s", e["info"])
	}
	if got := compact(db.Entries[1]["groups"]); got != wantGroups {
		t.Errorf("second Work entry groups %s, want the same group %s", got, wantGroups)
	}
	// The Yandex entry is hidden but kept, pin and all, after the others.
	if compact(db.Entries[2]["type"]) != `"yandex"` {
		t.Errorf("yandex entry lost: %s", data)
	}
	if !bytes.Contains(data, []byte(`"pin": "1234"`)) {
		t.Errorf("yandex pin lost")
	}
	// Importing such a file names the entry it cannot take.
	if _, err := DecodeAegis([]byte(richDB), nil); err == nil || !strings.Contains(err.Error(), `"yandex"`) || !strings.Contains(err.Error(), "Yandex: Y") {
		t.Errorf("DecodeAegis with a yandex entry: %v", err)
	}
	// And the export carries icons and groups.
	out, err := v.ExportAegis(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"icon_mime": "image/jpeg"`)) || !bytes.Contains(out, []byte(`"name": "Work"`)) {
		t.Errorf("export lost icon or group:\n%s", out)
	}
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

func TestDecodeAegisErrors(t *testing.T) {
	entry := func(s string) string {
		return `{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[` + s + `]}}`
	}
	for _, c := range []struct{ in, want string }{
		{`{"version":1}`, "not a vault file: no header"},
		{`{"version":1,"header":{"slots":null,"params":null}}`, "not a vault file: no db"},
		{`{"version":"1"}`, "not a vault file: version is a JSON string, want a whole number"},
		{`{"version":1,"header":{"slots":[],"params":null},"db":"x"}`, "bad header: slots and params must both be set"},
		{`{"version":1,"header":{"slots":[],"params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"}},"db":""}`, "bad header: no slots"},
		{`{"version":1,"header":{"slots":[{"type":1,"key":"zz"}],"params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"}},"db":""}`, "bad header: slot 1: no key_params"},
		{`{"version":1,"header":{"slots":[{"type":1,"uuid":"a8325752-c1be-458a-9b3e-5e0a8154d9ec","key":"` + strings.Repeat("00", 32) + `","key_params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"},"n":1073741824,"r":8,"p":1,"salt":"00"}],"params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"}},"db":""}`, "over the 256 MiB limit"},
		{`{"version":1,"header":{"slots":null,"params":null},"db":{"version":4,"entries":[]}}`, "unsupported database version 4"},
		{`{"version":1,"header":{"slots":null,"params":null},"db":{"version":3}}`, "bad database: no entries"},
		{entry(`{"type":"totp","name":"a","issuer":"b","info":{"secret":"!!","algo":"SHA1","digits":6,"period":30}}`), `entry 1 ("b: a"): secret is not base32`},
		{entry(`{"type":"totp","name":"a","issuer":"b","info":{"secret":"AAAA","algo":"MD5","digits":6,"period":30}}`), `entry 1 ("b: a"): algorithm "MD5"`},
		{entry(`{"type":"totp","name":"a","issuer":"b","info":{"secret":"AAAA","algo":"SHA1","digits":11,"period":30}}`), `digits 11 out of range`},
		{entry(`{"type":"totp","name":"a","uuid":"nope","info":{"secret":"AAAA","algo":"SHA1","digits":6,"period":30}}`), `uuid "nope" is not a UUID`},
		{entry(`{"type":"totp","name":"a"}`), `entry 1 ("a"): no info`},
		{entry(`{"name":"a"}`), `entry 1 ("a"): no type`},
		{entry(`{"type":"hotp","name":"a","info":{"secret":"AAAA","counter":-1}}`), `entry 1: info.counter is a JSON number -1, want a whole number of at least 0`},
		{entry(`{"type":"totp","uuid":"84b55971-a3d2-4173-a5bb-0aea113dbc17","info":{"secret":"AAAA"}},{"type":"totp","uuid":"84B55971-a3d2-4173-a5bb-0aea113dbc17","info":{"secret":"BBBB"}}`), `entry 2 (""): uuid 84b55971-a3d2-4173-a5bb-0aea113dbc17 is used twice`},
	} {
		_, err := DecodeAegis([]byte(c.in), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s\n  error %v\n  want  %q (ErrCorrupt)", c.in, err, c.want)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x1f\n\r\t", "ünï ✓ 😀", "bad \xff utf8", "<&>", "\u2028"} {
		b := appendString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("%q → %s: %v", s, b, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if back != want {
			t.Errorf("%q → %s → %q", s, b, back)
		}
	}
}

// FuzzDecodeAegis feeds damaged and hostile Aegis files to the parser: it
// must return accounts or an error, never panic, and what it returns must
// survive a round trip through EncodeAegis.
func FuzzDecodeAegis(f *testing.F) {
	f.Add(readFixture(f, "aegis_plain.json"))
	f.Add(readFixture(f, "aegis_encrypted.json"))
	f.Add([]byte(richDB))
	cheap, err := cheapEncrypted()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cheap)
	f.Add([]byte(`{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[],"groups":[{"uuid":"x","name":"y"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The password is tried only when scrypt is cheap: a fuzzer
		// run must not spend 0.1 s per input.
		var pw []byte
		var h struct {
			Header struct{ Slots []struct{ N, R, P int } }
		}
		if json.Unmarshal(data, &h) == nil {
			pw = []byte("test")
			for _, s := range h.Header.Slots {
				if s.N > 1<<10 || s.R > 8 || s.P > 1 {
					pw = nil
				}
			}
		}
		accounts, err := DecodeAegis(data, pw)
		if err != nil {
			if accounts != nil {
				t.Fatal("accounts with an error")
			}
			return
		}
		out, err := EncodeAegis(accounts, nil)
		if err != nil {
			t.Fatalf("decoded accounts do not encode: %v", err)
		}
		again, err := DecodeAegis(out, nil)
		if err != nil || len(again) != len(accounts) {
			t.Fatalf("round trip: %v, %d accounts of %d", err, len(again), len(accounts))
		}
		for i := range again {
			if again[i].URI() != accounts[i].URI() || again[i].UUID != accounts[i].UUID {
				t.Fatalf("round trip changed %s into %s", accounts[i].URI(), again[i].URI())
			}
		}
	})
}

// cheapEncrypted is an encrypted Aegis file whose password slot ("test")
// has scrypt N=16, for the fuzzer.
func cheapEncrypted() ([]byte, error) {
	master := newMasterKey()
	s := slot{typ: slotPassword, uuid: "a8325752-c1be-458a-9b3e-5e0a8154d9ec", n: 16, r: 8, p: 1, salt: bytes.Repeat([]byte{7}, 32)}
	key, err := s.derive([]byte("test"))
	if err != nil {
		return nil, err
	}
	if err := s.wrap(master, key); err != nil {
		return nil, err
	}
	db := &DB{Accounts: []Account{{UUID: "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d", Type: HOTP, Issuer: "I", Name: "N",
		Secret: []byte("12345678901234567890"), Algorithm: SHA256, Digits: 8, Counter: 3}}}
	return sealFile(master, []slot{s}, encodeDB(db))
}
