package formats

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/authdesk/authdesk/vault"
)

func mustSecret(t *testing.T, s string) []byte {
	t.Helper()
	b, err := vault.DecodeSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Links published by other projects with what they decode to: dim13/otpauth's
// README, johncallahan/otpauth_migration's encoder output (raw, padded) and
// a Raspberry Pi example (percent-encoded, a negative batch id).
func TestGoogleMigrationPublishedLinks(t *testing.T) {
	hello := []byte("Hello!\xde\xad\xbe\xef")
	alice := vault.Account{Type: vault.TOTP, Issuer: "Example", Name: "alice@google.com", Secret: hello,
		Algorithm: vault.SHA1, Digits: 6, Period: 30}
	acme := vault.Account{Type: vault.TOTP, Issuer: "ACME Co", Name: "john.doe@example.com",
		Secret: mustSecret(t, "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"), Algorithm: vault.SHA1, Digits: 6, Period: 30}
	pi := vault.Account{Type: vault.TOTP, Issuer: "raspberrypi", Name: "pi@raspberrypi",
		Secret: mustSecret(t, "7KSQL2JTUDIS5EF65KLMRQIIGY"), Algorithm: vault.SHA1, Digits: 6, Period: 30}
	piBare := pi
	piBare.Issuer = ""
	for _, c := range []struct {
		uri  string
		want []vault.Account
	}{
		{"otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
			[]vault.Account{alice}},
		{"otpauth-migration://offline?data=CkMKFD3GyqSCSm0oh2eyMx4gtDFmy4XZEhxBQ01FIENvOmpvaG4uZG9lQGV4YW1wbGUuY29tGgdBQ01FIENvIAEoATACCjUKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZSABKAEwAhABGAEgACjn4Pv4Ag==",
			[]vault.Account{acme, alice}},
		{"otpauth-migration://offline?data=CjUKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpGgtyYXNwYmVycnlwaSABKAEwAhABGAEgACjr4JKK%2B%2F%2F%2F%2F%2F8B",
			[]vault.Account{pi}},
		{"otpauth-migration://offline?data=CigKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpIAEoATACEAEYASAAKLzjp5n4%2F%2F%2F%2F%2FwE%3D",
			[]vault.Account{piBare}},
	} {
		got, err := DecodeMigration(c.uri)
		if err != nil {
			t.Errorf("%s: %v", c.uri, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", c.uri, got, c.want)
		}
	}
}

// handPayload is a MigrationPayload assembled byte by byte from the message
// definition, with fields the decoder must skip.
const handPayload = "" +
	"0a35" + // otp_parameters, 53 bytes
	/**/ "0a14" + "3132333435363738393031323334353637383930" + // secret "12345678901234567890"
	/**/ "1208" + "42616e6b3a626f62" + // name "Bank:bob"
	/**/ "1a04" + "42616e6b" + // issuer "Bank"
	/**/ "2003" + // algorithm SHA512
	/**/ "2802" + // digits eight
	/**/ "3001" + // type HOTP
	/**/ "38ac02" + // counter 300
	/**/ "4807" + // unknown field 9, varint
	/**/ "52026869" + // unknown field 10, bytes "hi"
	"0a11" + // otp_parameters, 17 bytes
	/**/ "0a02" + "ffee" + // secret
	/**/ "1205" + "6361726f6c" + // name "carol"
	/**/ "2002" + // SHA256
	/**/ "2801" + // six
	/**/ "3002" + // TOTP
	"1001" + "1801" + "2000" + "282a" + // version 1, batch size 1, index 0, id 42
	"3005" // unknown field 6

func TestGoogleMigrationHandAssembled(t *testing.T) {
	payload, err := hex.DecodeString(handPayload)
	if err != nil {
		t.Fatal(err)
	}
	want := []vault.Account{
		{Type: vault.HOTP, Issuer: "Bank", Name: "bob", Secret: []byte("12345678901234567890"),
			Algorithm: vault.SHA512, Digits: 8, Counter: 300},
		{Type: vault.TOTP, Name: "carol", Secret: []byte{0xff, 0xee}, Algorithm: vault.SHA256, Digits: 6, Period: 30},
	}
	std := base64.StdEncoding.EncodeToString(payload)
	for _, data := range []string{
		std,
		url.QueryEscape(std),
		strings.ReplaceAll(std, "+", " "), // a form decoder turned + into spaces
		base64.RawStdEncoding.EncodeToString(payload),
		base64.URLEncoding.EncodeToString(payload),
		base64.RawURLEncoding.EncodeToString(payload),
	} {
		uri := "otpauth-migration://offline?data=" + data
		got, err := DecodeMigration(uri)
		if err != nil {
			t.Errorf("%s: %v", uri, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", uri, got, want)
		}
	}
	if !strings.ContainsAny(std, "+/") {
		t.Fatal("the payload does not exercise the base64 alphabets: change a byte")
	}
}

func TestGoogleMigrationErrors(t *testing.T) {
	otp := func(fields string) string {
		b, _ := hex.DecodeString(fields)
		return hex.EncodeToString(protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), b))
	}
	link := func(hexPayload string) string {
		b, err := hex.DecodeString(hexPayload)
		if err != nil {
			t.Fatal(err)
		}
		return "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(b))
	}
	const secret = "0a0548656c6c6f"
	for _, c := range []struct{ uri, want string }{
		{"otpauth://totp/x?secret=AAAA", "not an otpauth-migration uri"},
		{"otpauth-migration://offline", "no data parameter"},
		{"otpauth-migration://offline?data=%zz", "data: invalid URL escape"},
		{"otpauth-migration://offline?data=AB$C", "data is not base64"},
		{link(""), "holds no accounts"},
		{link("1001"), "holds no accounts"},
		{link("0a"), "payload: account 1: unexpected EOF"},
		{link("0a05" + "0a03"), "account 1: unexpected EOF"},
		{link("0a0312"), "account 1: unexpected EOF"},
		{link(otp(secret + "1203426f62" + "2004")), `account "Bob" uses MD5`},
		{link(otp(secret+"1203426f62") + otp(secret+"1a034163651203426f62"+"2004")), `account "Ace: Bob" uses MD5`},
		{link(otp(secret + "2009")), "account 1: unknown algorithm 9"},
		{link(otp(secret + "2803")), "account 1: unknown digit count 3"},
		{link(otp(secret + "3003")), "account 1: unknown type 3"},
		{link(otp("1203426f62")), `account "Bob": secret is empty`},
		{link(otp(secret + "1501000000")), "field 2 has wire type 5, want 2"},
		{link("0801"), "field 1 has wire type 0, want 2"},
	} {
		_, err := DecodeMigration(c.uri)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.uri, err, c.want)
		}
	}
}

// The bytes EncodeMigration writes for one account, checked against the
// message definition by hand.
func TestGoogleMigrationEncodeBytes(t *testing.T) {
	a := vault.Account{Type: vault.TOTP, Issuer: "Example", Name: "alice@google.com",
		Secret: []byte("Hello!\xde\xad\xbe\xef"), Algorithm: vault.SHA1, Digits: 6, Period: 30}
	uris, err := EncodeMigration([]vault.Account{a})
	if err != nil || len(uris) != 1 {
		t.Fatalf("got %q, %v", uris, err)
	}
	data, ok := strings.CutPrefix(uris[0], "otpauth-migration://offline?data=")
	if !ok {
		t.Fatalf("not a migration link: %s", uris[0])
	}
	data, err = url.QueryUnescape(data)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatalf("%s: %v", uris[0], err)
	}
	want, _ := hex.DecodeString("" +
		"0a2d" +
		"0a0a" + "48656c6c6f21deadbeef" +
		"1210" + hex.EncodeToString([]byte("alice@google.com")) +
		"1a07" + hex.EncodeToString([]byte("Example")) +
		"2001" + "2801" + "3002" +
		"1001" + "1801" + "2000" + "28")
	if !bytes.HasPrefix(payload, want) {
		t.Fatalf("got  %x\nwant %x…", payload, want)
	}
	if _, n := protowire.ConsumeVarint(payload[len(want):]); n != len(payload)-len(want) {
		t.Errorf("the batch id is not the last field: %x", payload)
	}
}

// googleCompatible is a random account Google Authenticator can hold.
func googleCompatible(rng *rand.Rand) vault.Account {
	const chars = "aZ9 :@+%&é😀/"
	text := func() string {
		r := []rune(chars)
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteRune(r[rng.IntN(len(r))])
		}
		return strings.TrimSpace(b.String())
	}
	secret := make([]byte, 1+rng.IntN(64))
	for i := range secret {
		secret[i] = byte(rng.Uint32())
	}
	a := vault.Account{
		Type:      []vault.Type{vault.TOTP, vault.HOTP}[rng.IntN(2)],
		Issuer:    text(),
		Name:      text(),
		Secret:    secret,
		Algorithm: []vault.Algorithm{vault.SHA1, vault.SHA256, vault.SHA512}[rng.IntN(3)],
		Digits:    []int{6, 8}[rng.IntN(2)],
		Counter:   rng.Uint64(),
	}
	a.Normalize()
	return a
}

func TestGoogleMigrationRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	accounts := make([]vault.Account, 25)
	for i := range accounts {
		accounts[i] = googleCompatible(rng)
	}
	uris, err := EncodeMigration(accounts)
	if err != nil {
		t.Fatal(err)
	}
	if len(uris) < 3 {
		t.Fatalf("25 accounts in %d codes: at most 10 a code", len(uris))
	}
	var got []vault.Account
	var batchID uint64
	for i, uri := range uris {
		part, err := DecodeMigration(uri)
		if err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
		if len(part) > 10 {
			t.Errorf("code %d holds %d accounts", i, len(part))
		}
		got = append(got, part...)

		// The batch fields tie the codes together, as the app expects.
		fields := batchFields(t, uri)
		if fields[2] != 1 || fields[3] != uint64(len(uris)) || fields[4] != uint64(i) {
			t.Errorf("code %d: version, batch size, index = %d, %d, %d", i, fields[2], fields[3], fields[4])
		}
		if i == 0 {
			batchID = fields[5]
		} else if fields[5] != batchID {
			t.Errorf("code %d: batch id %d, code 0 had %d", i, fields[5], batchID)
		}
	}
	if !reflect.DeepEqual(got, accounts) {
		for i := range got {
			if i < len(accounts) && !reflect.DeepEqual(got[i], accounts[i]) {
				t.Errorf("account %d:\ngot  %+v\nwant %+v", i, got[i], accounts[i])
			}
		}
		t.Fatalf("got %d accounts, want %d", len(got), len(accounts))
	}
}

// batchFields reads the top-level varint fields of a migration link.
func batchFields(t *testing.T, uri string) map[protowire.Number]uint64 {
	t.Helper()
	data, _ := url.QueryUnescape(strings.TrimPrefix(uri, "otpauth-migration://offline?data="))
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[protowire.Number]uint64{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		b = b[n:]
		if typ == protowire.VarintType {
			fields[num], n = protowire.ConsumeVarint(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			t.Fatal(protowire.ParseError(n))
		}
		b = b[n:]
	}
	return fields
}

func TestGoogleMigrationEncodeRefuses(t *testing.T) {
	ok := vault.Account{Type: vault.TOTP, Issuer: "Fine", Name: "a", Secret: []byte{1}, Algorithm: vault.SHA1, Digits: 6, Period: 30}
	for _, c := range []struct {
		edit func(*vault.Account)
		want string
	}{
		{func(a *vault.Account) { a.Digits = 7 }, "only 6 or 8 digits, not 7"},
		{func(a *vault.Account) { a.Period = 20 }, "only 30-second periods, not 20"},
		{func(a *vault.Account) { a.Type, a.Digits = vault.Steam, 5 }, "no steam codes"},
		{func(a *vault.Account) { a.Secret = nil }, "secret is empty"},
	} {
		bad := ok
		bad.Issuer, bad.Name = "Bad", "b"
		c.edit(&bad)
		uris, err := EncodeMigration([]vault.Account{ok, bad})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `"Bad: b"`) {
			t.Errorf("got %v, want an error naming \"Bad: b\" and containing %q", err, c.want)
		}
		if uris != nil {
			t.Errorf("wrote %d codes despite the error", len(uris))
		}
	}
	if _, err := EncodeMigration(nil); err == nil {
		t.Error("no error for no accounts")
	}
}

// The fixture accounts Google Authenticator can hold survive the trip.
func TestGoogleMigrationFixtures(t *testing.T) {
	var fit []vault.Account
	for _, a := range fixtureAccounts(t) {
		if _, err := EncodeMigration([]vault.Account{a}); err == nil {
			fit = append(fit, a)
		}
	}
	if len(fit) != 3 { // Deno (SHA1, 6, 30 s), Issuu and WWE (HOTP, 6 and 8)
		t.Fatalf("%d of the fixture accounts fit Google Authenticator, want 3", len(fit))
	}
	uris, err := EncodeMigration(fit)
	if err != nil || len(uris) != 1 {
		t.Fatalf("got %d codes, %v", len(uris), err)
	}
	got, err := ParseAny(uris[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, fit) {
		t.Errorf("got  %+v\nwant %+v", got, fit)
	}
}

func FuzzDecodeMigration(f *testing.F) {
	payload, _ := hex.DecodeString(handPayload)
	f.Add("otpauth-migration://offline?data=" + base64.StdEncoding.EncodeToString(payload))
	f.Add("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")
	f.Add("otpauth-migration://offline?data=CigKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpIAEoATACEAEYASAAKLzjp5n4%2F%2F%2F%2F%2FwE%3D")
	f.Fuzz(func(t *testing.T, uri string) {
		accounts, err := DecodeMigration(uri)
		if err != nil {
			return
		}
		for _, a := range accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("invalid account %+v: %v", a, err)
			}
		}
		// What was read is what Google Authenticator holds, so it can be
		// written back and read again unchanged.
		uris, err := EncodeMigration(accounts)
		if err != nil {
			t.Fatalf("cannot write back %+v: %v", accounts, err)
		}
		var again []vault.Account
		for _, u := range uris {
			part, err := DecodeMigration(u)
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			again = append(again, part...)
		}
		if !reflect.DeepEqual(accounts, again) {
			t.Fatalf("first  %+v\nsecond %+v", accounts, again)
		}
	})
}
