package vault

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/zalando/go-keyring"

	"github.com/authdesk/authdesk/internal/secretservice"
)

// Keyring is the store of the keyring slot's key. nil in Options means the
// OS keyring (go-keyring, service "authdesk", user "vault-<slot uuid>").
// Get reports a missing entry with keyring.ErrNotFound from
// github.com/zalando/go-keyring, or any other error; the vault only uses
// the difference to word the reason it gives the Prompt.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// keyringService is the service name of every keyring entry Authdesk makes.
const keyringService = "authdesk"

// keyringUser is the keyring user name under which a keyring slot's key
// lives: one entry per slot, so two vaults (or two machines' slots in one
// vault) never share an entry.
func keyringUser(slotUUID string) string { return "vault-" + slotUUID }

// osKeyring is the OS keyring through go-keyring: the Secret Service over
// D-Bus on Linux and the BSDs, the Keychain on macOS, the Credential Manager
// on Windows.
type osKeyring struct{}

// Get reads through internal/secretservice where it can (Linux: one
// connection, three round trips, about 5 ms less than go-keyring in a fresh
// process, which was half of `authctl code`), and through go-keyring for
// everything it leaves (other systems, a locked item, an unusual bus).
func (osKeyring) Get(service, user string) (string, error) {
	if err := sessionBusMissing(); err != nil {
		return "", err
	}
	secret, err := secretservice.Lookup(service, user)
	switch {
	case err == nil:
		s := string(secret)
		clear(secret)
		return s, nil
	case errors.Is(err, secretservice.ErrNotFound):
		return "", keyring.ErrNotFound
	case errors.Is(err, secretservice.ErrUnsupported):
		return keyring.Get(service, user)
	}
	return "", err // the bus is unreachable or did not answer
}

func (osKeyring) Set(service, user, secret string) error {
	if err := sessionBusMissing(); err != nil {
		return err
	}
	return keyring.Set(service, user, secret)
}

func (osKeyring) Delete(service, user string) error {
	if err := sessionBusMissing(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

// errNoSessionBus is what the keyring "says" on a headless Linux machine.
var errNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")

// sessionBusMissing stops a keyring call that would make godbus autolaunch a
// private dbus-daemon (it runs dbus-launch when it finds no session bus):
// such a bus has no unlocked keyring behind it, so the call could only fail
// slowly or pop up a prompt on a machine with no one to answer it. The
// session bus is looked for where godbus looks: the environment, then
// /run/user/UID/bus.
//
// godbus keeps its first session-bus connection for the life of the
// process, so DBUS_SESSION_BUS_ADDRESS only matters before the first
// keyring call.
func sessionBusMissing() error {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android", "plan9", "js", "wasip1":
		return nil
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	run := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(run, name)); err == nil {
			return nil
		}
	}
	return errNoSessionBus
}

// keyringKey decodes the keyring entry of a keyring slot: the 32-byte slot
// key in hex.
func keyringKey(secret string) ([]byte, error) {
	key, err := hex.DecodeString(secret)
	if err != nil || len(key) != keySize {
		return nil, fmt.Errorf("the keyring entry is not a %d-byte hex key", keySize)
	}
	return key, nil
}

// keyringProblem words a failed keyring look-up for the person: why the
// vault is asking for the password instead of opening silently.
func keyringProblem(err error) string {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Sprintf("the keyring has no key for this vault (%v)", err)
	}
	return fmt.Sprintf("no keyring answered (%v)", err)
}
