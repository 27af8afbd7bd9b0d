package vault

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

var (
	// ErrDuplicate is Add refusing an account whose type and secret are
	// already in the vault.
	ErrDuplicate = errors.New("already in the vault")
	// ErrNotFound is an account UUID that is not in the vault.
	ErrNotFound = errors.New("no such account")
)

// DB is the vault's content as Edit hands it over: the accounts in the
// user's order. Change Accounts directly or through the methods; Edit
// validates every account before it saves. DB also carries, unexported,
// what the Aegis format holds beyond Account (icons, groups, entries of
// other types), keyed by account UUID, so that it survives the edit.
type DB struct {
	Accounts []Account

	extra          map[string]*entryExtra // by account UUID; never mutated once made
	hidden         []hiddenEntry
	groups         []groupJSON
	iconsOptimized bool
}

// Add appends a, normalized, with a new UUID if it has none, and returns
// it as stored. An account with the same type and secret as one already
// there is refused with ErrDuplicate, naming that account.
func (db *DB) Add(a Account) (Account, error) {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return Account{}, fmt.Errorf("add %q: %w", a.Label(), err)
	}
	if a.UUID == "" {
		a.UUID = uuid.NewString()
	} else {
		u, err := uuid.Parse(a.UUID)
		if err != nil {
			return Account{}, fmt.Errorf("add %q: uuid %q is not a UUID", a.Label(), shortText(a.UUID))
		}
		a.UUID = u.String()
		if i := db.Index(a.UUID); i >= 0 {
			return Account{}, fmt.Errorf("add %q: %w: uuid %s is %q", a.Label(), ErrDuplicate, a.UUID, db.Accounts[i].Label())
		}
	}
	for _, b := range db.Accounts {
		if b.Type == a.Type && bytes.Equal(b.Secret, a.Secret) {
			return Account{}, fmt.Errorf("add %q: %w as %q", a.Label(), ErrDuplicate, b.Label())
		}
	}
	a.Secret = bytes.Clone(a.Secret)
	db.Accounts = append(db.Accounts, a)
	return a, nil
}

// Index is the position of the account with this UUID, or -1.
func (db *DB) Index(uuid string) int {
	return slices.IndexFunc(db.Accounts, func(a Account) bool { return a.UUID == uuid })
}

// Replace puts a in place of the account with the same UUID, normalized.
func (db *DB) Replace(a Account) error {
	i := db.Index(a.UUID)
	if i < 0 {
		return fmt.Errorf("replace %q: %w (uuid %q)", a.Label(), ErrNotFound, a.UUID)
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return fmt.Errorf("replace %q: %w", a.Label(), err)
	}
	a.Secret = bytes.Clone(a.Secret)
	db.Accounts[i] = a
	return nil
}

// Remove deletes the account with this UUID.
func (db *DB) Remove(uuid string) error {
	i := db.Index(uuid)
	if i < 0 {
		return fmt.Errorf("remove %q: %w", uuid, ErrNotFound)
	}
	db.Accounts = slices.Delete(db.Accounts, i, i+1)
	return nil
}

// Move puts the account with this UUID at position to (0 is the top),
// shifting the ones between.
func (db *DB) Move(uuid string, to int) error {
	i := db.Index(uuid)
	if i < 0 {
		return fmt.Errorf("move %q: %w", uuid, ErrNotFound)
	}
	if to < 0 || to >= len(db.Accounts) {
		return fmt.Errorf("move %q: position %d out of range 0–%d", db.Accounts[i].Label(), to, len(db.Accounts)-1)
	}
	a := db.Accounts[i]
	db.Accounts = slices.Insert(slices.Delete(db.Accounts, i, i+1), to, a)
	return nil
}

// check makes the accounts fit to save: each valid, each with a UUID of its
// own. It fills missing UUIDs (an account appended to Accounts directly).
func (db *DB) check() error {
	seen := make(map[string]bool, len(db.Accounts))
	for i := range db.Accounts {
		a := &db.Accounts[i]
		if a.UUID == "" {
			a.UUID = uuid.NewString()
		} else if u, err := uuid.Parse(a.UUID); err != nil {
			return fmt.Errorf("account %q: uuid %q is not a UUID", a.Label(), shortText(a.UUID))
		} else {
			a.UUID = u.String()
		}
		if seen[a.UUID] {
			return fmt.Errorf("account %q: uuid %s is used twice", a.Label(), a.UUID)
		}
		seen[a.UUID] = true
		if err := a.Validate(); err != nil {
			return fmt.Errorf("account %q: %w", a.Label(), err)
		}
	}
	return nil
}

// clone is a copy whose accounts can be changed without touching db.
func (db *DB) clone() *DB {
	c := *db
	c.Accounts = cloneAccounts(db.Accounts)
	return &c
}

// cloneAccounts copies accounts, secrets included.
func cloneAccounts(accounts []Account) []Account {
	c := make([]Account, len(accounts))
	copy(c, accounts)
	for i := range c {
		c[i].Secret = bytes.Clone(c[i].Secret)
	}
	return c
}

// wipe zeroes the secrets: the vault is closed.
func (db *DB) wipe() {
	for i := range db.Accounts {
		clear(db.Accounts[i].Secret)
	}
	db.Accounts = nil
}

// canonicalUUID returns s as uuid.Parse(s).String() would, without
// allocating when s is already in that form (lower-case, dashed).
func canonicalUUID(s string) (string, error) {
	if len(s) == 36 && isCanonicalUUID(s) {
		return s, nil
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func isCanonicalUUID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}
