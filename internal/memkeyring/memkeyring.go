// Package memkeyring is a keyring in memory that answers as go-keyring
// does (keyring.ErrNotFound for a missing entry), for the tests that are
// not about the OS keyring itself: the vault's and the app's. The tests of
// the real keyring run against gnome-keyring (scripts/testenv).
package memkeyring

import (
	"sync"

	"github.com/zalando/go-keyring"
)

// Keyring holds entries under "service/user". Set Err to make every call
// fail with it, as a keyring that is down or locked does.
type Keyring struct {
	mu      sync.Mutex
	Entries map[string]string
	Err     error
}

// New is an empty Keyring.
func New() *Keyring { return &Keyring{Entries: map[string]string{}} }

func (k *Keyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Err != nil {
		return "", k.Err
	}
	s, ok := k.Entries[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return s, nil
}

func (k *Keyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Err != nil {
		return k.Err
	}
	k.Entries[service+"/"+user] = secret
	return nil
}

func (k *Keyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Err != nil {
		return k.Err
	}
	if _, ok := k.Entries[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.Entries, service+"/"+user)
	return nil
}
