package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	sealed := b.Seal("u1", secret)
	if !strings.HasPrefix(sealed, Prefix) || strings.Contains(sealed, secret) || sealed == b.Seal("u1", secret) {
		t.Fatalf("sealed %q: not prefixed, not hidden, or not randomised", sealed)
	}
	if got, err := b.Open("u1", sealed); err != nil || got != secret {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if got, err := b.Open("u1", secret); err != nil || got != secret {
		t.Fatalf("a secret stored before sealing: %q, %v", got, err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if other.Check == b.Check {
		t.Fatal("two keys have one check value")
	}
	flipped := []byte(sealed)
	flipped[len(flipped)-2] ^= 1
	for name, open := range map[string]func() (string, error){
		"another user": func() (string, error) { return b.Open("u2", sealed) },
		"another key":  func() (string, error) { return other.Open("u1", sealed) },
		"changed":      func() (string, error) { return b.Open("u1", string(flipped)) },
		"truncated":    func() (string, error) { return b.Open("u1", sealed[:10]) },
		"not base64":   func() (string, error) { return b.Open("u1", Prefix+"!!!") },
	} {
		if got, err := open(); !errors.Is(err, ErrUnsealable) || got != "" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := New(key[:16]); err == nil {
		t.Error("a 16-byte key was taken")
	}
}

// FuzzOpen: whatever a database row holds, Open answers without panicking.
func FuzzOpen(f *testing.F) {
	b, _ := New(bytes.Repeat([]byte{7}, 32))
	f.Add(b.Seal("u1", "JBSWY3DPEHPK3PXP"))
	f.Add("JBSWY3DPEHPK3PXP")
	f.Add(Prefix)
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := b.Open("u1", s); err == nil && strings.HasPrefix(s, Prefix) && b.Seal("u1", got) == s {
			t.Fatal("a sealed value repeated: the nonce is not random")
		}
	})
}
