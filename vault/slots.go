package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"golang.org/x/crypto/scrypt"

	"github.com/authdesk/authdesk/internal/jsonerr"
)

// Slots, as Aegis defines them (docs/vault.md): the database is sealed with
// AES-256-GCM under a random 32-byte master key, and each slot holds that
// master key sealed (wrapped) under its own 32-byte slot key. Any one slot
// opens the vault. The slot key of a raw slot comes from outside (here: the
// OS keyring); that of a password slot is scrypt(password, salt).

const (
	slotRaw       = 0 // Aegis "raw": here, the keyring slot
	slotPassword  = 1 // Aegis "password": scrypt
	slotBiometric = 2 // Aegis "biometric": Android KeyStore, kept but unusable here

	keySize   = 32 // AES-256: master keys and slot keys
	nonceSize = 12 // GCM's standard nonce
	tagSize   = 16 // GCM's full tag

	// scrypt cost of new password slots: Aegis's (and Android's disk
	// encryption's) N=2^15, r=8, p=1, which is 32 MiB and about 0.1 s.
	scryptN = 1 << 15
	scryptR = 8
	scryptP = 1

	// maxScryptMemory refuses the slots of a hostile file that would have
	// scrypt take gigabytes: 8 times what Aegis uses.
	maxScryptMemory = 256 << 20
)

// slot is one header slot: the master key, wrapped.
type slot struct {
	typ        int
	uuid       string
	key        []byte // the wrapped master key (ciphertext, tag apart)
	nonce, tag []byte

	// Password slots only.
	n, r, p  int
	salt     []byte
	repaired *bool // Aegis's flag for slots free of its issue #95
	isBackup *bool // Aegis's backup-password flag

	raw json.RawMessage // a slot of another type, kept as it was
}

// slotJSON is a slot as the file stores it.
type slotJSON struct {
	Type      *int        `json:"type"`
	UUID      string      `json:"uuid"`
	Key       string      `json:"key"`
	KeyParams *paramsJSON `json:"key_params"`
	N         int         `json:"n,omitempty"`
	R         int         `json:"r,omitempty"`
	P         int         `json:"p,omitempty"`
	Salt      string      `json:"salt,omitempty"`
	Repaired  *bool       `json:"repaired,omitempty"`
	IsBackup  *bool       `json:"is_backup,omitempty"`
}

// paramsJSON is the nonce and tag of one AES-GCM sealing.
type paramsJSON struct {
	Nonce string `json:"nonce"`
	Tag   string `json:"tag"`
}

// newMasterKey is the random key a new vault's database is sealed under.
func newMasterKey() []byte {
	k := make([]byte, keySize)
	rand.Read(k)
	return k
}

// newRawSlot wraps master under slotKey.
func newRawSlot(master, slotKey []byte) (slot, error) {
	s := slot{typ: slotRaw, uuid: uuid.NewString()}
	return s, s.wrap(master, slotKey)
}

// newPasswordSlot wraps master under a key derived from password with a
// fresh salt. The derivation is UTF-8 bytes into scrypt, as Aegis does
// since its issue #95 was fixed, hence "repaired": true.
func newPasswordSlot(master, password []byte) (slot, error) {
	if len(password) == 0 {
		return slot{}, errors.New("the password is empty")
	}
	yes, no := true, false
	s := slot{typ: slotPassword, uuid: uuid.NewString(), n: scryptN, r: scryptR, p: scryptP,
		salt: make([]byte, keySize), repaired: &yes, isBackup: &no}
	rand.Read(s.salt)
	key, err := s.derive(password)
	if err != nil {
		return slot{}, err
	}
	defer clear(key)
	return s, s.wrap(master, key)
}

// wrap seals master under slotKey into s.
func (s *slot) wrap(master, slotKey []byte) error {
	ct, nonce, tag, err := seal(slotKey, master)
	if err != nil {
		return err
	}
	s.key, s.nonce, s.tag = ct, nonce, tag
	return nil
}

// unwrap opens the master key with slotKey. A wrong key and a modified slot
// look the same: the GCM tag does not match.
func (s *slot) unwrap(slotKey []byte) ([]byte, error) {
	master, err := unseal(slotKey, s.nonce, s.key, s.tag)
	if err != nil {
		return nil, err
	}
	if len(master) != keySize {
		clear(master)
		return nil, fmt.Errorf("slot %s holds a %d-byte master key, want %d", s.uuid, len(master), keySize)
	}
	return master, nil
}

// derive is the slot key of a password slot: scrypt with the slot's
// parameters, which parseSlot has checked.
func (s *slot) derive(password []byte) ([]byte, error) {
	return scrypt.Key(password, s.salt, s.n, s.r, s.p, keySize)
}

// unlockPassword tries password on every password slot.
func unlockPassword(slots []slot, password []byte) ([]byte, error) {
	if len(password) == 0 {
		return nil, ErrWrongPassword
	}
	for i := range slots {
		s := &slots[i]
		if s.typ != slotPassword {
			continue
		}
		key, err := s.derive(password)
		if err != nil {
			return nil, err
		}
		master, err := s.unwrap(key)
		clear(key)
		if err == nil {
			return master, nil
		}
	}
	return nil, ErrWrongPassword
}

// errTagMismatch is the failure of GCM's authentication.
var errTagMismatch = errors.New("AES-GCM tag mismatch")

// seal encrypts plaintext with AES-256-GCM under key and a random nonce,
// returning the tag apart from the ciphertext, as Aegis stores them.
func seal(key, plaintext []byte) (ct, nonce, tag []byte, err error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, nil, nil, err
	}
	nonce = make([]byte, nonceSize)
	rand.Read(nonce)
	out := gcm.Seal(nil, nonce, plaintext, nil)
	n := len(out) - tagSize
	return out[:n:n], nonce, out[n:], nil
}

// unseal is seal's inverse; errTagMismatch when the key is wrong or a byte
// of the ciphertext, nonce or tag changed.
func unseal(key, nonce, ct, tag []byte) ([]byte, error) {
	buf := make([]byte, len(ct), len(ct)+len(tag))
	copy(buf, ct)
	return unsealInPlace(key, nonce, buf, tag)
}

// unsealInPlace is unseal decrypting ct where it lies; ct must have room
// for the tag after it (cap(ct)-len(ct) >= len(tag)) and is consumed.
func unsealInPlace(key, nonce, ct, tag []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	in := append(ct, tag...)
	out, err := gcm.Open(in[:0], nonce, in, nil)
	if err != nil {
		return nil, errTagMismatch
	}
	return out, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// parseSlot checks one header slot and decodes its hex fields. Slots of a
// type this package cannot use (Aegis's biometric slot, future types) are
// kept as raw JSON so that a save writes them back unchanged.
func parseSlot(i int, raw json.RawMessage) (slot, error) {
	var j slotJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return slot{}, fmt.Errorf("slot %d: %s", i+1, jsonerr.Describe(err, "the slot"))
	}
	if j.Type == nil {
		return slot{}, fmt.Errorf("slot %d: no type", i+1)
	}
	s := slot{typ: *j.Type, uuid: j.UUID}
	if s.typ != slotRaw && s.typ != slotPassword {
		s.raw = append(json.RawMessage(nil), raw...)
		return s, nil
	}
	if s.uuid == "" {
		s.uuid = uuid.NewString() // as Aegis does
	} else if u, err := uuid.Parse(s.uuid); err != nil {
		return slot{}, fmt.Errorf("slot %d: uuid %q is not a UUID", i+1, shortText(s.uuid))
	} else {
		s.uuid = u.String()
	}
	if j.KeyParams == nil {
		return slot{}, fmt.Errorf("slot %d: no key_params", i+1)
	}
	var err error
	if s.key, err = decodeHex("key", j.Key, keySize); err != nil {
		return slot{}, fmt.Errorf("slot %d: %w", i+1, err)
	}
	if s.nonce, s.tag, err = j.KeyParams.decode("key_params."); err != nil {
		return slot{}, fmt.Errorf("slot %d: %w", i+1, err)
	}
	if s.typ == slotPassword {
		s.n, s.r, s.p, s.repaired, s.isBackup = j.N, j.R, j.P, j.Repaired, j.IsBackup
		if s.salt, err = decodeHex("salt", j.Salt, -1); err != nil {
			return slot{}, fmt.Errorf("slot %d: %w", i+1, err)
		}
		if err := checkScrypt(s.n, s.r, s.p); err != nil {
			return slot{}, fmt.Errorf("slot %d: %w", i+1, err)
		}
	}
	return s, nil
}

// checkScrypt refuses parameters scrypt rejects or that would cost more
// memory than any real vault asks for.
func checkScrypt(n, r, p int) error {
	if n < 2 || n&(n-1) != 0 {
		return fmt.Errorf("scrypt n=%d is not a power of 2 above 1", n)
	}
	if r < 1 || p < 1 || uint64(r)*uint64(p) >= 1<<30 {
		return fmt.Errorf("scrypt r=%d p=%d out of range", r, p)
	}
	if mem := 128 * uint64(r) * (uint64(n) + uint64(p)); mem > maxScryptMemory {
		return fmt.Errorf("scrypt n=%d r=%d p=%d needs %d MiB, over the %d MiB limit", n, r, p, mem>>20, maxScryptMemory>>20)
	}
	return nil
}

// json is the slot as the file stores it, in Aegis's key order.
func (s *slot) json() any {
	if s.raw != nil {
		return s.raw
	}
	typ := s.typ
	j := slotJSON{Type: &typ, UUID: s.uuid, Key: hex.EncodeToString(s.key),
		KeyParams: &paramsJSON{Nonce: hex.EncodeToString(s.nonce), Tag: hex.EncodeToString(s.tag)}}
	if s.typ == slotPassword {
		j.N, j.R, j.P, j.Salt = s.n, s.r, s.p, hex.EncodeToString(s.salt)
		j.Repaired, j.IsBackup = s.repaired, s.isBackup
	}
	return j
}

// equal reports whether s and o are the same slot, byte for byte.
func (s *slot) equal(o *slot) bool {
	return s.typ == o.typ && s.uuid == o.uuid && bytes.Equal(s.key, o.key) && bytes.Equal(s.nonce, o.nonce) &&
		bytes.Equal(s.tag, o.tag) && s.n == o.n && s.r == o.r && s.p == o.p && bytes.Equal(s.salt, o.salt) &&
		bytes.Equal(s.raw, o.raw)
}

// decode checks and decodes a nonce and tag; prefix names where they are.
func (p *paramsJSON) decode(prefix string) (nonce, tag []byte, err error) {
	if nonce, err = decodeHex(prefix+"nonce", p.Nonce, nonceSize); err != nil {
		return nil, nil, err
	}
	if tag, err = decodeHex(prefix+"tag", p.Tag, tagSize); err != nil {
		return nil, nil, err
	}
	return nonce, tag, nil
}

// decodeHex decodes the hex field name, of size bytes (any size if -1 but
// not none).
func decodeHex(name, s string, size int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s is not hex: %v", name, err)
	case size >= 0 && len(b) != size:
		return nil, fmt.Errorf("%s has %d bytes, want %d", name, len(b), size)
	case len(b) == 0:
		return nil, fmt.Errorf("%s is empty", name)
	}
	return b, nil
}
