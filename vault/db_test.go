package vault

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestDBAdd(t *testing.T) {
	var db DB
	a, err := db.Add(Account{Type: TOTP, Issuer: "GitHub", Name: "alice", Secret: []byte("0123456789")})
	if err != nil {
		t.Fatal(err)
	}
	if a.UUID == "" || a.Algorithm != SHA1 || a.Digits != 6 || a.Period != 30 {
		t.Errorf("not normalized: %+v", a)
	}
	if db.Index(a.UUID) != 0 || db.Index("nope") != -1 {
		t.Error("Index")
	}
	// Same type and secret: refused, naming the account already there.
	_, err = db.Add(Account{Type: TOTP, Issuer: "Other", Name: "bob", Secret: []byte("0123456789")})
	if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), `"GitHub: alice"`) {
		t.Errorf("duplicate: %v", err)
	}
	// The same secret as HOTP is another account.
	if _, err := db.Add(Account{Type: HOTP, Name: "h", Secret: []byte("0123456789")}); err != nil {
		t.Error(err)
	}
	// A given UUID is kept, canonical; a taken or malformed one refused.
	b, err := db.Add(Account{UUID: "84B55971-A3D2-4173-A5BB-0AEA113DBC17", Type: Steam, Name: "s", Secret: []byte("x")})
	if err != nil || b.UUID != "84b55971-a3d2-4173-a5bb-0aea113dbc17" || b.Digits != 5 {
		t.Errorf("%+v %v", b, err)
	}
	if _, err := db.Add(Account{UUID: b.UUID, Type: TOTP, Name: "t", Secret: []byte("y")}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("taken uuid: %v", err)
	}
	if _, err := db.Add(Account{UUID: "x", Type: TOTP, Name: "t", Secret: []byte("y")}); err == nil || !strings.Contains(err.Error(), "not a UUID") {
		t.Errorf("bad uuid: %v", err)
	}
	if _, err := db.Add(Account{Type: TOTP, Name: "empty"}); err == nil || !strings.Contains(err.Error(), "secret is empty") {
		t.Errorf("invalid: %v", err)
	}
	// The stored secret is a copy.
	secret := []byte("mutable secret")
	c, _ := db.Add(Account{Type: TOTP, Name: "m", Secret: secret})
	secret[0] = 'X'
	if db.Accounts[db.Index(c.UUID)].Secret[0] != 'm' {
		t.Error("Add kept the caller's slice")
	}
}

func TestDBReplaceRemoveMove(t *testing.T) {
	var db DB
	var ids []string
	for _, n := range []string{"a", "b", "c", "d"} {
		a, err := db.Add(Account{Type: TOTP, Name: n, Secret: []byte(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.UUID)
	}
	names := func() string {
		var s []string
		for _, a := range db.Accounts {
			s = append(s, a.Name)
		}
		return strings.Join(s, "")
	}
	if err := db.Move(ids[3], 0); err != nil || names() != "dabc" {
		t.Errorf("move to top: %v %s", err, names())
	}
	if err := db.Move(ids[3], 3); err != nil || names() != "abcd" {
		t.Errorf("move to bottom: %v %s", err, names())
	}
	if err := db.Move(ids[0], 2); err != nil || names() != "bcad" {
		t.Errorf("move down: %v %s", err, names())
	}
	if err := db.Move(ids[0], 4); err == nil || !strings.Contains(err.Error(), "out of range 0–3") {
		t.Errorf("move out of range: %v", err)
	}
	if err := db.Move("nope", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("move missing: %v", err)
	}

	r := db.Accounts[db.Index(ids[1])]
	r.Name, r.Digits = "B", 8
	if err := db.Replace(r); err != nil || db.Accounts[0].Name != "B" || db.Accounts[0].Digits != 8 {
		t.Errorf("replace: %v %+v", err, db.Accounts[0])
	}
	r.Digits = 0
	r.Secret = nil
	if err := db.Replace(r); err == nil {
		t.Error("replace with an invalid account")
	}
	if err := db.Replace(Account{UUID: "nope", Type: TOTP, Secret: []byte("x")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("replace missing: %v", err)
	}

	if err := db.Remove(ids[2]); err != nil || names() != "Bad" {
		t.Errorf("remove: %v %s", err, names())
	}
	if err := db.Remove(ids[2]); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: %v", err)
	}
	if !slices.Equal([]int{db.Index(ids[1]), db.Index(ids[0]), db.Index(ids[3])}, []int{0, 1, 2}) {
		t.Error("indexes after remove")
	}
}

// TestCanonicalUUID checks the shortcut against uuid.Parse: the same
// string, or the same error, for every form uuid.Parse reads.
func TestCanonicalUUID(t *testing.T) {
	u := uuid.New().String()
	for _, s := range []string{
		u, strings.ToUpper(u), "{" + u + "}", "urn:uuid:" + u, strings.ReplaceAll(u, "-", ""),
		u[:35] + "g", u[:8] + "_" + u[9:], "", "00000000-0000-0000-0000-000000000000",
	} {
		got, err := canonicalUUID(s)
		want, werr := uuid.Parse(s)
		switch {
		case (err != nil) != (werr != nil):
			t.Errorf("%q: error %v, uuid.Parse's %v", s, err, werr)
		case err == nil && got != want.String():
			t.Errorf("%q: %q, uuid.Parse gives %q", s, got, want.String())
		}
	}
}

// TestContainsFold checks the allocation-free search against the
// lower-casing one it replaced, ASCII and not.
func TestContainsFold(t *testing.T) {
	words := []string{"", "a", "GitHub", "github", "HUB", "git hub", "Café", "CAFÉ", "é", "K", "\u212a", "kelvin", "Straße", "STRASSE", "ß", "İstanbul", "i̇"}
	for _, s := range words {
		for _, sub := range words {
			want := strings.Contains(strings.ToLower(s), strings.ToLower(sub))
			if got := containsFold(s, sub); got != want {
				t.Errorf("containsFold(%q, %q) = %v, want %v", s, sub, got, want)
			}
		}
	}
}
