//go:build !linux

package secretservice

import "runtime"

// Lookup would return the secret of the item whose attributes are exactly
// {"service": service, "username": user}; on this system it always returns
// an error that wraps ErrUnsupported.
func Lookup(service, user string) ([]byte, error) {
	return nil, unsupported("no Secret Service fast path on %s", runtime.GOOS)
}
