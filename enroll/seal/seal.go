// Package seal seals secrets for accountd's database: AES-256-GCM under
// the service's secret key, the user id as associated data, so that a dump
// or backup of the database, or a query that reads it, gives no one's
// codes, and a sealed secret copied into another user's row does not open.
// A sealed secret is "v1:" + base64(nonce || ciphertext || tag). Base32
// has no ':', so a TOTP key stored before sealing is told apart (Open
// returns it as it is; the service seals those when it starts).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Box seals and opens under one key.
type Box struct {
	aead cipher.AEAD
	// Check identifies the key without revealing it (an HMAC of a fixed
	// text): kept in the database, it tells a wrong key at start-up.
	Check string
}

// Prefix starts every sealed secret.
const Prefix = "v1:"

// New is a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("a key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("accountd secret key check v1"))
	return &Box{aead: aead, Check: base64.RawStdEncoding.EncodeToString(mac.Sum(nil))}, nil
}

// Seal is the stored form of a user's secret.
func (b *Box) Seal(userID, secret string) string {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	return Prefix + base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(secret), []byte(userID)))
}

// ErrUnsealable is a stored secret that does not open: damaged, moved from
// another user's row, or sealed under another key.
var ErrUnsealable = errors.New("a stored secret does not open with this service's secret key")

// Open is Seal's inverse; a secret stored before sealing comes back as it
// is.
func (b *Box) Open(userID, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, Prefix)
	if !ok {
		return stored, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrUnsealable
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(userID))
	if err != nil {
		return "", ErrUnsealable
	}
	return string(plain), nil
}
