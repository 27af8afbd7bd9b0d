package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// fixtureDB is the database object of the plain Aegis fixture, as Aegis
// wrote it.
func fixtureDB(t testing.TB) []byte {
	var f struct{ DB json.RawMessage }
	if err := json.Unmarshal(readFixture(t, "aegis_plain.json"), &f); err != nil {
		t.Fatal(err)
	}
	return f.DB
}

// ownDB is a database as encodeDB writes it, with every account type and
// strings that need escaping.
func ownDB() []byte {
	db := &DB{Accounts: []Account{
		{UUID: "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d", Type: TOTP, Issuer: "Deno", Name: "mason@example.com",
			Secret: []byte("12345678901234567890"), Algorithm: SHA1, Digits: 6, Period: 30, Favorite: true},
		{UUID: "84b55971-a3d2-4173-a5bb-0aea113dbc17", Type: HOTP, Issuer: `Quote "q" \ back`, Name: "tab\there é 雪",
			Note: "line\nnext", Secret: []byte("abcdefghij"), Algorithm: SHA512, Digits: 8, Counter: 1<<40 + 3},
		{UUID: "a8325752-c1be-458a-9b3e-5e0a8154d9ec", Type: Steam, Issuer: "Steam", Name: "gaben",
			Secret: []byte("0123456789"), Algorithm: SHA1, Digits: 5, Period: 30},
	}}
	return encodeDB(db)
}

// sameDB parses data with both readers, with the same random UUIDs for
// entries that have none, and fails if the fast reader accepted data but
// read it differently from the full one. It reports whether the fast
// reader took it.
func sameDB(t *testing.T, data []byte) bool {
	t.Helper()
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], rand.Uint64())
	uuid.SetRand(rand.NewChaCha8(seed))
	fast := parseDBFast(data, nil)
	uuid.SetRand(rand.NewChaCha8(seed))
	full, err := parseDBFull(data)
	uuid.SetRand(nil)
	// The reader that keeps some entries only (Find's): on what the full
	// reader reads, exactly its accounts that keep takes.
	keep := func(issuer, name string) bool { return strings.Contains(name+issuer, "a") }
	uuid.SetRand(rand.NewChaCha8(seed))
	some := parseDBFast(data, keep)
	uuid.SetRand(nil)
	if some != nil && err == nil {
		var want []Account
		for _, a := range full.Accounts {
			if keep(a.Issuer, a.Name) {
				want = append(want, a)
			}
		}
		got := slices.Clone(some.Accounts)
		for i := range min(len(got), len(want)) {
			// Entries without a UUID get a random one, drawn in another
			// order when entries are skipped.
			if g, w := uuid.MustParse(got[i].UUID), uuid.MustParse(want[i].UUID); g != w && g.Version() == 4 && w.Version() == 4 {
				got[i].UUID = want[i].UUID
			}
		}
		if len(want) != len(got) || len(want) > 0 && !reflect.DeepEqual(want, got) {
			t.Fatalf("keeping some entries:\ngot  %+v\nwant %+v\ninput %s", some.Accounts, want, data)
		}
	}
	if fast == nil {
		return false
	}
	if err != nil {
		t.Fatalf("fast reader accepted what the full one refuses (%v):\n%s", err, data)
	}
	if !reflect.DeepEqual(fast.Accounts, full.Accounts) {
		t.Fatalf("readers disagree on accounts:\nfast %+v\nfull %+v\ninput %s", fast.Accounts, full.Accounts, data)
	}
	if a, b := encodeDB(fast), encodeDB(full); !bytes.Equal(a, b) {
		t.Fatalf("readers disagree on what is written back:\nfast %s\nfull %s", a, b)
	}
	return true
}

// TestParseDBFastTakesRealFiles guards the speed of every command: the
// databases Aegis and Authdesk write must take the fast path (and read the
// same as through encoding/json), or authctl code slows down by several
// times without any test failing.
func TestParseDBFastTakesRealFiles(t *testing.T) {
	for name, data := range map[string][]byte{"aegis fixture": fixtureDB(t), "our own": ownDB()} {
		if !sameDB(t, data) {
			t.Errorf("%s: the fast reader declined it", name)
		}
	}
}

func TestParseDBFastDeclines(t *testing.T) {
	entry := `{"type":"totp","uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","name":"n","issuer":"i","note":"","favorite":false,"icon":null,"info":{"secret":"GEZDGNBV","algo":"SHA1","digits":6,"period":30},"groups":[]}`
	ok := `{"version":3,"entries":[` + entry + `],"groups":[],"icons_optimized":true}`
	if !sameDB(t, []byte(ok)) {
		t.Fatal("the fast reader declined a plain database")
	}
	// Each of these is valid JSON that encoding/json reads differently from
	// a naive reader, or that needs the full reader's care: the fast one
	// must leave them alone.
	for _, c := range []struct{ from, to string }{
		{`"name":"n"`, `"Name":"n"`},                 // encoding/json matches keys case-insensitively
		{`"name":"n"`, `"name":"n","name":"m"`},      // duplicate key: the last wins there
		{`"name":"n"`, `"n\u0061me":"n"`},            // escaped key
		{`"name":"n"`, `"name":null`},                // null leaves the field as it was
		{`"digits":6`, `"digits":6.0`},               // a fraction
		{`"digits":6`, `"digits":-6`},                // negative: the full reader words the error
		{`"digits":6`, `"digits":06`},                // invalid JSON
		{`"type":"totp"`, `"type":"yandex"`},         // kept as a hidden entry
		{`"groups":[]`, `"groups":[],"future":1`},    // an unknown key, to keep
		{`"period":30`, `"period":30,"pin":"1"`},     // an unknown info key
		{`"favorite":false`, `"favorite":falsey`},    // invalid literal
		{`"favorite":false`, `"favorite":0`},         // wrong type
		{`"icon":null`, `"icon":"\x"`},               // bad escape in a kept value
		{`"icon":null`, `"icon":[1,}`},               // invalid JSON in a kept value
		{`"icon":null`, `"icon":12`},                 // numbers: encoding/json decides
		{`"info":{`, `"info":{"secret":"GEZDGNBV",`}, // duplicate info key
		{`"name":"n"`, "\"name\":\"a\x01b\""},        // a raw control character
		{`"uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d"`, `"uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","uuid":"x"`},
	} {
		in := bytes.Replace([]byte(ok), []byte(c.from), []byte(c.to), 1)
		if bytes.Equal(in, []byte(ok)) {
			t.Fatalf("case %q did not change the input", c.to)
		}
		if sameDB(t, in) {
			t.Errorf("the fast reader took %s", c.to)
		}
	}
	for _, tail := range []string{" x", "{}", ","} {
		if sameDB(t, []byte(ok+tail)) {
			t.Errorf("the fast reader took trailing %q", tail)
		}
	}
}

// TestParseDBFastStrings checks strings that need work (escapes, UTF-8,
// invalid UTF-8) are read exactly as encoding/json reads them.
func TestParseDBFastStrings(t *testing.T) {
	for _, s := range []string{`plain`, `caf\u00e9`, `é 雪`, `tab\there`, `q\"q`, `\ud83d\ude00`, "bad \xff utf8", `\/slash`, ``} {
		data := fmt.Sprintf(`{"version":3,"entries":[{"type":"totp","uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","name":"%s","issuer":"i","info":{"secret":"GEZDGNBV","algo":"SHA1","digits":6,"period":30}}]}`, s)
		if !sameDB(t, []byte(data)) {
			t.Errorf("the fast reader declined the name %q", s)
		}
	}
}

// FuzzParseDBFast checks, on any input, that the fast reader either
// declines it or reads it exactly as the full reader does.
func FuzzParseDBFast(f *testing.F) {
	f.Add(fixtureDB(f))
	f.Add(ownDB())
	var rich struct{ DB json.RawMessage }
	json.Unmarshal([]byte(richDB), &rich)
	f.Add([]byte(rich.DB))
	f.Add([]byte(`{"version":3,"entries":[{"type":"hotp","uuid":"","name":"x","issuer":"","info":{"secret":"gezd gnbv","algo":"HmacSHA256","digits":8,"counter":18446744073709551615}}],"groups":null,"icons_optimized":null}`))
	f.Add([]byte(`{"version":2,"entries":[{"type":"totp","name":"a","group":"Work","icon":{"a":[1,"]"]},"info":{"secret":"GEZDGNBV","algo":"SHA1","digits":6,"period":30}}],"groups":[{"uuid":"84b55971-a3d2-4173-a5bb-0aea113dbc17","name":"Home"}]}`))
	f.Add([]byte(`{"groups":[{"uuid":"84b55971-a3d2-4173-a5bb-0aea113dbc17","name":"Home"}],"version":3,"entries":[{"type":"totp","uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","name":"a","groups":["84B55971-A3D2-4173-A5BB-0AEA113DBC17","x"],"info":{"secret":"GEZDGNBV","algo":"SHA1","digits":6,"period":30}}]}`))
	f.Add([]byte(`{"version":3,"entries":[{"type":"totp","uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","name":"a","info":{"secret":"GEZDGNBV","algo":"SHA1","digits":6,"period":30}},{"type":"totp","name":"b","groups":["84b55971-a3d2-4173-a5bb-0aea113dbc17"],"info":{"secret":"GEZDGNBW","algo":"SHA1","digits":6,"period":30}}],"icons_optimized":false,"groups":[{"uuid":"84b55971-a3d2-4173-a5bb-0aea113dbc17","name":"Home"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDB(t, data)
	})
}

// FuzzScanFile checks that the fast reader of the outer file object either
// declines or reads exactly what encoding/json reads.
func FuzzScanFile(f *testing.F) {
	f.Add(readFixture(f, "aegis_plain.json"))
	f.Add(readFixture(f, "aegis_encrypted.json"))
	f.Add([]byte(richDB))
	f.Add([]byte(`{"version":1,"header":null,"db":"AAAA"}`))
	f.Add([]byte(`{"version":1,"header":{"slots":[],"params":{"nonce":"00","tag":"00"}},"db":"A\/A="}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := scanFile(data)
		if !ok {
			return
		}
		var full fileJSON
		if err := json.Unmarshal(data, &full); err != nil {
			t.Fatalf("scanFile accepted what encoding/json refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, full) {
			t.Fatalf("readers disagree:\nfast %+v\nfull %+v\ninput %q", fast, full, data)
		}
	})
}

func TestScanFileTakesRealFiles(t *testing.T) {
	for _, name := range []string{"aegis_plain.json", "aegis_encrypted.json"} {
		if _, ok := scanFile(readFixture(t, name)); !ok {
			t.Errorf("%s: the fast reader declined it", name)
		}
	}
	v, err := Create(filepath.Join(t.TempDir(), "v.json"), Options{NoKeyring: true}, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	data, err := os.ReadFile(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := scanFile(data); !ok {
		t.Error("our own file: the fast reader declined it")
	}
}

// TestPlainWord checks the word-at-a-time test against the byte-at-a-time
// one, for every byte value in every position of otherwise plain words.
func TestPlainWord(t *testing.T) {
	plainByte := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	check := func(b [8]byte) {
		want := true
		for _, c := range b {
			want = want && plainByte(c)
		}
		if got := plainWord(binary.LittleEndian.Uint64(b[:])); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", b[:], got, want)
		}
	}
	for pos := range 8 {
		for c := range 256 {
			b := [8]byte{'a', 'B', '9', '+', '/', '=', '~', 0x7f}
			b[pos] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var b [8]byte
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = byte(r.IntN(256)) // now and then anything
			} else {
				b[i] = byte(0x20 + r.IntN(0x60))
			}
		}
		check(b)
	}
}
