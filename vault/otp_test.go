package vault

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	pqotp "github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// RFC 4226 Appendix D: secret "12345678901234567890", counters 0–9.
func TestHOTPRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489"}
	a := Account{Type: HOTP, Secret: []byte("12345678901234567890")}
	a.Normalize()
	for counter, code := range want {
		got, err := a.CodeAt(uint64(counter))
		if err != nil || got != code {
			t.Errorf("counter %d: got %q, %v; want %q", counter, got, err, code)
		}
		a.Counter = uint64(counter)
		if got, err := a.Code(time.Unix(1234567890, 0)); err != nil || got != code {
			t.Errorf("Code with Counter %d: got %q, %v; want %q", counter, got, err, code)
		}
	}
}

// RFC 6238 Appendix B, every row: 8 digits, 30-second steps, one seed per hash.
func TestTOTPRFC6238(t *testing.T) {
	seeds := map[Algorithm]string{
		SHA1:   "12345678901234567890",
		SHA256: "12345678901234567890123456789012",
		SHA512: "1234567890123456789012345678901234567890123456789012345678901234",
	}
	rows := []struct {
		unix int64
		alg  Algorithm
		code string
	}{
		{59, SHA1, "94287082"}, {59, SHA256, "46119246"}, {59, SHA512, "90693936"},
		{1111111109, SHA1, "07081804"}, {1111111109, SHA256, "68084774"}, {1111111109, SHA512, "25091201"},
		{1111111111, SHA1, "14050471"}, {1111111111, SHA256, "67062674"}, {1111111111, SHA512, "99943326"},
		{1234567890, SHA1, "89005924"}, {1234567890, SHA256, "91819424"}, {1234567890, SHA512, "93441116"},
		{2000000000, SHA1, "69279037"}, {2000000000, SHA256, "90698825"}, {2000000000, SHA512, "38618901"},
		{20000000000, SHA1, "65353130"}, {20000000000, SHA256, "77737706"}, {20000000000, SHA512, "47863826"},
	}
	for _, r := range rows {
		a := Account{Type: TOTP, Secret: []byte(seeds[r.alg]), Algorithm: r.alg, Digits: 8, Period: 30}
		got, err := a.Code(time.Unix(r.unix, 0))
		if err != nil || got != r.code {
			t.Errorf("%s at %d: got %q, %v; want %q", r.alg, r.unix, got, err, r.code)
		}
	}
}

// Steam Guard vectors from two independent sources: KeePassXC's test suite
// (codes taken from the Steam mobile app) and an all-zero key.
func TestSteamPublishedVectors(t *testing.T) {
	keepass, err := DecodeSecret("63BEDWCQZKTQWPESARIERL5DTTQFCJTK")
	if err != nil {
		t.Fatal(err)
	}
	steam := Account{Type: Steam, Secret: keepass}
	steam.Normalize()
	for unix, want := range map[int64]string{1511200518: "FR8RV", 1511200714: "9P3VP"} {
		if got, err := steam.Code(time.Unix(unix, 0)); err != nil || got != want {
			t.Errorf("KeePassXC vector at %d: got %q, %v; want %q", unix, got, err, want)
		}
	}
	zero := Account{Type: Steam, Secret: make([]byte, 20)}
	zero.Normalize()
	for counter, want := range []string{"RYH4D", "DR2DK"} {
		if got, err := zero.CodeAt(uint64(counter)); err != nil || got != want {
			t.Errorf("zero key, step %d: got %q, %v; want %q", counter, got, err, want)
		}
	}
}

// steamPy is an independent Steam Guard implementation, written from the
// description of the algorithm rather than from otp.go.
const steamPy = `
import hmac, hashlib, struct, sys
alphabet = "23456789BCDFGHJKMNPQRTVWXY"
for line in sys.stdin:
    key, t = line.split()
    mac = hmac.new(bytes.fromhex(key), struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    o = mac[19] & 15
    v = struct.unpack(">I", mac[o:o+4])[0] & 0x7fffffff
    code = ""
    for _ in range(5):
        code += alphabet[v % 26]
        v //= 26
    print(code)
`

func TestSteamAgainstPython(t *testing.T) {
	python := otpRequireTool(t, "python3")
	rng := rand.New(rand.NewPCG(1, 2))
	var in bytes.Buffer
	var want []string
	for range 50 {
		a := Account{Type: Steam, Secret: otpRandomBytes(rng, 1+rng.IntN(40))}
		a.Normalize()
		unix := rng.Int64N(1 << 34)
		code, err := a.Code(time.Unix(unix, 0))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&in, "%x %d\n", a.Secret, unix)
		want = append(want, code)
	}
	cmd := exec.Command(python, "-c", steamPy)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	got := strings.Fields(string(out))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("python says %v\nwe say       %v", got, want)
	}
}

// Random accounts against oathtool (OATH Toolkit), a separate C
// implementation: TOTP for every hash with odd periods, and HOTP.
func TestOTPAgainstOathtool(t *testing.T) {
	oathtool := otpRequireTool(t, "oathtool")
	rng := rand.New(rand.NewPCG(3, 4))
	algs := []Algorithm{SHA1, SHA256, SHA512}
	for i := range 30 {
		a := Account{
			Type:      TOTP,
			Secret:    otpRandomBytes(rng, 10+rng.IntN(54)),
			Algorithm: algs[i%3],
			Digits:    6 + rng.IntN(3), // oathtool's range
			Period:    1 + rng.IntN(120),
		}
		unix := rng.Int64N(1 << 33)
		args := []string{"--totp=" + strings.ToLower(string(a.Algorithm)), "--digits=" + strconv.Itoa(a.Digits),
			"--time-step-size=" + strconv.Itoa(a.Period) + "s", "-N", "@" + strconv.FormatInt(unix, 10), "-b", a.SecretBase32()}
		got, err := a.Code(time.Unix(unix, 0))
		otpCompareTool(t, oathtool, args, got, err)
	}
	for range 20 {
		a := Account{Type: HOTP, Secret: otpRandomBytes(rng, 10+rng.IntN(30)), Algorithm: SHA1,
			Digits: 6 + rng.IntN(3), Counter: rng.Uint64N(1 << 40)}
		args := []string{"--hotp", "-c", strconv.FormatUint(a.Counter, 10), "--digits=" + strconv.Itoa(a.Digits), "-b", a.SecretBase32()}
		got, err := a.Code(time.Time{})
		otpCompareTool(t, oathtool, args, got, err)
	}
}

func otpCompareTool(t *testing.T, tool string, args []string, got string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("oathtool %v: %v", args, err)
	}
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("oathtool %v: %s, we say %s", args, want, got)
	}
}

// pquerna/otp is the library most Go services use to check the codes we
// produce; it must agree for every digit count and hash, Steam included.
func TestOTPAgainstPquerna(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	algs := map[Algorithm]pqotp.Algorithm{SHA1: pqotp.AlgorithmSHA1, SHA256: pqotp.AlgorithmSHA256, SHA512: pqotp.AlgorithmSHA512}
	for i := range 300 {
		a := otpRandomAccount(rng)
		a.Type = []Type{TOTP, HOTP, Steam}[i%3]
		a.Normalize()
		if a.Type == Steam {
			a.Digits = 5
		}
		counter := rng.Uint64()
		opts := hotp.ValidateOpts{Digits: pqotp.Digits(a.Digits), Algorithm: algs[a.Algorithm]}
		if a.Type == Steam {
			opts.Encoder = pqotp.EncoderSteam
		}
		want, err := hotp.GenerateCodeCustom(a.SecretBase32(), counter, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.CodeAt(counter)
		if err != nil || got != want {
			t.Errorf("%+v at %d: got %q, %v; pquerna says %q", a, counter, got, err, want)
		}
		if len(got) != a.Digits {
			t.Errorf("%d digits asked, got %q", a.Digits, got)
		}
	}
}

func TestOTPZeroPaddedTenDigits(t *testing.T) {
	// Nearly half the 31-bit values are below 10^9: with ten digits those
	// must still show ten, the first a zero.
	a := Account{Type: HOTP, Secret: []byte("12345678901234567890"), Digits: 10}
	a.Normalize()
	zeros := 0
	for c := range uint64(200) {
		code, err := a.CodeAt(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != 10 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("counter %d: %q is not ten digits", c, code)
		}
		if code[0] == '0' {
			zeros++
		}
	}
	if zeros == 0 {
		t.Error("no ten-digit code among 200 starts with a zero")
	}
	// 07081804 is an RFC 6238 row: the zero is part of the code.
	b := Account{Type: TOTP, Secret: []byte("12345678901234567890"), Digits: 8}
	b.Normalize()
	if got, _ := b.Code(time.Unix(1111111109, 0)); got != "07081804" {
		t.Errorf("got %q, want 07081804", got)
	}
	b.Digits = 1
	if got, _ := b.Code(time.Unix(1111111109, 0)); got != "4" {
		t.Errorf("one digit: got %q, want 4", got)
	}
}

func TestOTPCodeBefore1970(t *testing.T) {
	a := Account{Secret: []byte("12345678901234567890")}
	a.Normalize()
	if _, err := a.Code(time.Unix(-1, 0)); err == nil || !strings.Contains(err.Error(), "1970") {
		t.Errorf("got %v, want an error about 1970", err)
	}
}

func TestOTPRemaining(t *testing.T) {
	a := Account{Type: TOTP, Period: 30}
	for _, c := range []struct {
		t    time.Time
		want time.Duration
	}{
		{time.Unix(0, 0), 30 * time.Second},
		{time.Unix(59, 0), time.Second},
		{time.Unix(60, 0), 30 * time.Second},
		{time.Unix(1111111109, 250_000_000), 750 * time.Millisecond},
		{time.Unix(-1, 0), time.Second},
	} {
		if got := a.Remaining(c.t); got != c.want {
			t.Errorf("Remaining(%d): got %v, want %v", c.t.Unix(), got, c.want)
		}
	}
	a.Period = 45
	if got := a.Remaining(time.Unix(100, 0)); got != 35*time.Second {
		t.Errorf("period 45 at 100: got %v, want 35s", got)
	}
	if got := (Account{Type: HOTP}).Remaining(time.Unix(100, 0)); got != 0 {
		t.Errorf("HOTP: got %v, want 0", got)
	}
}

func TestOTPNormalize(t *testing.T) {
	a := Account{Secret: []byte{1}}
	a.Normalize()
	if a.Type != TOTP || a.Algorithm != SHA1 || a.Digits != 6 || a.Period != 30 {
		t.Errorf("defaults: %+v", a)
	}
	s := Account{Type: Steam}
	s.Normalize()
	if s.Digits != 5 || s.Period != 30 || s.Algorithm != SHA1 {
		t.Errorf("steam defaults: %+v", s)
	}
	h := Account{Type: HOTP, Period: 30, Digits: 8, Algorithm: SHA512, Counter: 9}
	h.Normalize()
	if h.Period != 0 || h.Digits != 8 || h.Algorithm != SHA512 || h.Counter != 9 {
		t.Errorf("hotp: %+v", h)
	}
}

func TestOTPValidateNamesField(t *testing.T) {
	good := Account{Type: TOTP, Secret: []byte("x"), Algorithm: SHA1, Digits: 6, Period: 30}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid account: %v", err)
	}
	for _, c := range []struct {
		edit func(*Account)
		want string
	}{
		{func(a *Account) { a.Type = "motp" }, `type "motp"`},
		{func(a *Account) { a.Secret = nil }, "secret is empty"},
		{func(a *Account) { a.Algorithm = "MD5" }, `algorithm "MD5"`},
		{func(a *Account) { a.Digits = 12 }, "digits 12 out of range 1–10"},
		{func(a *Account) { a.Digits = 0 }, "digits 0 out of range"},
		{func(a *Account) { a.Period = 0 }, "period 0"},
		{func(a *Account) { a.Period = -30 }, "period -30"},
		{func(a *Account) { a.Type = Steam }, "digits 6: steam"},
	} {
		a := good
		c.edit(&a)
		err := a.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
		if _, err := a.CodeAt(1); err == nil {
			t.Errorf("CodeAt accepted an account failing with %q", c.want)
		}
	}
	h := good
	h.Type, h.Period = HOTP, 0
	if err := h.Validate(); err != nil {
		t.Errorf("HOTP needs no period: %v", err)
	}
}

func TestOTPDecodeSecret(t *testing.T) {
	want := []byte("12345678901234567890")
	for _, s := range []string{
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
		"gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
		" GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
	} {
		got, err := DecodeSecret(s)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: got %q, %v", s, got, err)
		}
	}
	for s, want := range map[string][]byte{
		"MFRGG===":   []byte("abc"), // padded
		"MFRGG":      []byte("abc"),
		"ME":         []byte("a"),
		"MFR":        []byte("a"), // like Google Authenticator: a partial byte is dropped
		"4SJHB4GSD4": {0xe4, 0x92, 0x70, 0xf0, 0xd2, 0x1f},
	} {
		got, err := DecodeSecret(s)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: got %x, %v; want %x", s, got, err, want)
		}
	}
	for s, msg := range map[string]string{
		"":             "secret is empty",
		" = ":          "secret is empty",
		"M":            "too short",
		"JBSWY3DPEHP1": `'1' at position 12`,
		"JBSWY3DPÉHPK": `'É' at position 9`,
	} {
		_, err := DecodeSecret(s)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: got %v, want %q", s, err, msg)
		} else if len(s) > 4 && strings.Contains(err.Error(), s[:5]) {
			t.Errorf("%q: the error quotes the secret: %v", s, err)
		}
	}
}

// otpRequireTool finds a command the cross-checks need: missing is a failure
// in CI (make test installs it) and a skip elsewhere.
func otpRequireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (make test installs it): %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

func otpRandomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// otpRandomAccount is a valid account with every field drawn at random.
func otpRandomAccount(rng *rand.Rand) Account {
	a := Account{
		Type:      []Type{TOTP, HOTP, Steam}[rng.IntN(3)],
		Issuer:    otpRandomText(rng),
		Name:      otpRandomText(rng),
		Secret:    otpRandomBytes(rng, 1+rng.IntN(64)),
		Algorithm: []Algorithm{SHA1, SHA256, SHA512}[rng.IntN(3)],
		Digits:    1 + rng.IntN(10),
		Period:    1 + rng.IntN(300),
		Counter:   rng.Uint64(),
	}
	if a.Type == Steam {
		a.Digits = 5
	}
	a.Normalize()
	return a
}

// otpRandomText draws from the characters that trip up URI writers: spaces,
// colons, reserved and percent signs, non-ASCII; trimmed, as parsers trim.
func otpRandomText(rng *rand.Rand) string {
	const pieces = "aZ09 :@+%&=?#/;,.-_~é😀ü\"'"
	runes := []rune(pieces)
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteRune(runes[rng.IntN(len(runes))])
	}
	return strings.TrimSpace(b.String())
}
