// Package secretservice reads one secret from the Secret Service (the
// freedesktop.org keyring API that gnome-keyring, KWallet and KeePassXC
// serve) over the D-Bus session bus, for authctl's read path: one short
// connection, three round trips, no goroutine.
//
// github.com/zalando/go-keyring does the same read through godbus: a
// connection that starts reader goroutines, then Hello and six calls in
// sequence (Unlock, SearchItems, OpenSession, Unlock, GetSecret, Close),
// each waiting for its reply. In a fresh process that costs about 7 ms more
// than starting the process, more than the rest of `authctl code`. Lookup
// writes the authentication, Hello and SearchItems at once, then
// OpenSession, then GetSecret on the item found; it speaks only that much
// of D-Bus, with its own encoder and decoder, on a blocking socket with a
// 5 s deadline for the whole exchange.
//
// Lookup finds only what go-keyring's Set writes: an item whose attributes
// are exactly {"service": service, "username": user}. It returns
// ErrNotFound when the keyring answered that there is no such item, and an
// error that wraps ErrUnsupported for everything it leaves to go-keyring:
// a bus address other than unix:path= or unix:abstract=, no address and no
// /run/user/UID/bus, an authentication the bus refused, an item that is
// locked (go-keyring asks the keyring to unlock it, which may prompt), a
// D-Bus error reply (such as ServiceUnknown when no keyring runs; its name
// and message are in the error's text), a reply it does not understand, and
// a bus that hung up. Any other error means that the bus could not be
// reached at the address given, or did not answer in time: go-keyring
// would fail the same way, or hang. The real implementation is
// Linux-only; elsewhere Lookup always returns ErrUnsupported.
package secretservice

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound means the Secret Service answered and has no such item.
	ErrNotFound = errors.New("secretservice: no such item in the keyring")
	// ErrUnsupported means Lookup left the read to go-keyring: the caller
	// should fall back to it.
	ErrUnsupported = errors.New("secretservice: unsupported, use go-keyring")
)

// fallback is an error that wraps ErrUnsupported with its own text.
type fallback string

func (e fallback) Error() string { return "secretservice: " + string(e) }
func (fallback) Unwrap() error   { return ErrUnsupported }

func unsupported(format string, a ...any) error { return fallback(fmt.Sprintf(format, a...)) }
