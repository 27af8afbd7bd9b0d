package secretservice

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// timeout bounds a whole Lookup, so that a hung bus or keyring cannot hang
// the caller. A variable for the tests.
var timeout = 5 * time.Second

// Lookup returns the secret of the item whose attributes are exactly
// {"service": service, "username": user} (what go-keyring's Set writes),
// read through the Secret Service on the D-Bus session bus. The caller owns
// the returned slice and may zero it when done.
func Lookup(service, user string) ([]byte, error) {
	for _, s := range [...]string{service, user} {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return nil, unsupported("service or user name is not a D-Bus string")
		}
	}
	socks, err := sessionBus()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	var c *busConn
	for _, sock := range socks {
		if c, err = dial(sock, deadline); err == nil {
			break
		}
	}
	if err != nil {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" && errors.Is(err, syscall.ENOENT) {
			return nil, unsupported("no session bus: DBUS_SESSION_BUS_ADDRESS is not set and %v", err)
		}
		if err == errTimeout {
			return nil, err
		}
		return nil, fmt.Errorf("secretservice: session bus: %w", err)
	}
	defer syscall.Close(c.fd)
	return lookup(c, os.Getuid(), service, user)
}

// sessionBus returns the sockets of the session bus, in the order to try
// them: the unix:path= and unix:abstract= addresses in
// DBUS_SESSION_BUS_ADDRESS or, if it is unset, /run/user/UID/bus. Other
// transports are left to go-keyring; nothing here starts a bus.
func sessionBus() ([]string, error) {
	env := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if env == "" {
		return []string{"/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"}, nil
	}
	var socks []string
	for _, addr := range strings.Split(env, ";") {
		if sock := unixSocket(addr); sock != "" {
			socks = append(socks, sock)
		}
	}
	if len(socks) == 0 {
		return nil, unsupported("session bus address %q has no unix:path= or unix:abstract=", env)
	}
	return socks, nil
}

// unixSocket returns the socket name of a unix: address, with a leading @
// for an abstract one (as syscall.SockaddrUnix wants), or "".
func unixSocket(addr string) string {
	rest, ok := strings.CutPrefix(addr, "unix:")
	if !ok {
		return ""
	}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(kv, "=")
		v, ok := unescape(v)
		switch {
		case !ok || v == "":
		case k == "path" && v[0] == '@':
			return "./" + v // a file named @..., not an abstract socket
		case k == "path":
			return v
		case k == "abstract":
			return "@" + v
		}
	}
	return ""
}

// unescape undoes the %XX escapes of a D-Bus address value.
func unescape(v string) (string, bool) {
	if strings.IndexByte(v, '%') < 0 {
		return v, true
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b = append(b, v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", false
		}
		n, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b = append(b, byte(n))
		i += 2
	}
	return string(b), true
}

// busConn is a blocking Unix socket whose reads and writes fail with
// errTimeout past the deadline. Plain syscalls keep the runtime's network
// poller out of a one-shot exchange.
type busConn struct {
	fd       int
	deadline time.Time
}

func dial(sock string, deadline time.Time) (*busConn, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &os.SyscallError{Syscall: "socket", Err: err}
	}
	c := &busConn{fd: fd, deadline: deadline}
	for {
		// A Unix socket's connect waits (for a full backlog) at most
		// SO_SNDTIMEO.
		if err = c.setTimeout(syscall.SO_SNDTIMEO); err != nil {
			break
		}
		err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: sock})
		switch err {
		case syscall.EAGAIN:
			err = errTimeout
		case syscall.EISCONN: // an interrupted connect that went through
			err = nil
		}
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		syscall.Close(fd)
		if err == errTimeout {
			return nil, err
		}
		return nil, &os.PathError{Op: "connect", Path: sock, Err: err}
	}
	return c, nil
}

// setTimeout sets the socket timeout opt to what is left until the
// deadline.
func (c *busConn) setTimeout(opt int) error {
	left := time.Until(c.deadline)
	if left <= 0 {
		return errTimeout
	}
	tv := syscall.NsecToTimeval(left.Nanoseconds())
	if tv.Sec == 0 && tv.Usec == 0 {
		tv.Usec = 1 // zero would mean no timeout
	}
	return syscall.SetsockoptTimeval(c.fd, syscall.SOL_SOCKET, opt, &tv)
}

func (c *busConn) Read(p []byte) (int, error) {
	for {
		if err := c.setTimeout(syscall.SO_RCVTIMEO); err != nil {
			return 0, err
		}
		n, err := syscall.Read(c.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, errTimeout
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (c *busConn) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		if err := c.setTimeout(syscall.SO_SNDTIMEO); err != nil {
			return done, err
		}
		n, err := syscall.SendmsgN(c.fd, p[done:], nil, nil, syscall.MSG_NOSIGNAL)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return done, errTimeout
		case err != nil:
			return done, err
		}
		done += n
	}
	return done, nil
}
