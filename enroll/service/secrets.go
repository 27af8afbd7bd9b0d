package service

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Password hashing: argon2id with OWASP's first recommended setting
// (m=19 MiB, t=2, p=1), stored in the PHC string format so that the
// parameters travel with the hash and can be raised later.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// argonSlots bounds the argon2id runs in flight to the number of CPUs:
// each takes 19 MiB and a core for tens of milliseconds, and 32 at once
// only thrash memory and make every one of them slow.
var argonSlots = make(chan struct{}, runtime.NumCPU())

func idKey(password, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	return argon2.IDKey(password, salt, t, m, p, n)
}

func hashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// checkPassword compares password with a PHC argon2id hash in constant time.
func checkPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("check password: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("check password: unsupported argon2 version")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || p == 0 || t == 0 {
		return false, errors.New("check password: bad argon2 parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errors.New("check password: bad salt")
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errors.New("check password: bad key")
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// newToken is a session bearer token: 32 random bytes, base64url. Only its
// SHA-256 hash is stored: the token is already uniformly random, so a fast
// hash is enough to make a database dump useless for signing in.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newID is a random public identifier (128 bits, base32).
func newID() string { return strings.ToLower(rand.Text()) }

// newDigits is a uniformly random n-digit code.
func newDigits(n int) string {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	v, err := rand.Int(rand.Reader, max)
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%0*d", n, v)
}

// hashCode is the stored form of an e-mail or SMS code: SHA-256 of a
// random salt and the code. The codes live minutes and allow 5 tries, so
// the hash only keeps them out of database dumps and logs.
func hashCode(salt, code string) string {
	sum := sha256.Sum256([]byte(salt + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

func newSalt() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sameHash compares two hex hashes in constant time.
func sameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Backup codes are 10 characters from a 32-letter alphabet without look-
// alikes (50 bits), shown as "xxxxx-xxxxx". They are stored as
// HMAC-SHA256(per-code random salt, code) rather than with argon2id: a
// sign-in may compare against all ten, ten argon2id runs would cost half a
// second of CPU, and a slow hash only matters for secrets people choose. At
// 50 random bits a stolen hash cannot be searched, and online guessing is
// held to 5 tries per lock-out.
const backupAlphabet = "abcdefghjkmnpqrstuvwxyz123456789" // 32: byte%32 is uniform

func newBackupCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, backupAlphabet[int(c)%len(backupAlphabet)])
	}
	return string(out)
}

// normalizeBackupCode drops spaces and dashes and lower-cases, so that
// "ABCDE-FGHJK", "abcde fghjk" and "abcdefghjk" are the same code.
func normalizeBackupCode(s string) string {
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

func hashBackupCode(salt, code string) string {
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(normalizeBackupCode(code)))
	return hex.EncodeToString(m.Sum(nil))
}
