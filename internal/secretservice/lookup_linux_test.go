package secretservice

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// needSecretService skips a test outside scripts/testenv, and fails it
// inside, where the real gnome-keyring must answer.
func needSecretService(t testing.TB) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("AUTHDESK_TESTENV_INNER") != "" || os.Getenv("CI") != "" {
			t.Fatal("scripts/testenv gave no D-Bus session")
		}
		t.Skip("needs the Secret Service: run under scripts/testenv")
	}
	keyringUp.Do(func() { keyringErr = waitForKeyring() })
	if keyringErr != nil {
		t.Fatal(keyringErr)
	}
}

var (
	keyringUp  sync.Once
	keyringErr error
)

// waitForKeyring waits for the gnome-keyring that scripts/testenv started
// to own its bus name. A call made before then would make the bus start
// another gnome-keyring, whose login keyring is locked.
func waitForKeyring() error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&has)
		if err != nil || has {
			return err
		}
		if i == 500 {
			return errors.New("no keyring took " + secretsName + " on the session bus in 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// setItem stores an item as vault/keyring.go does, through go-keyring, and
// deletes it when the test ends.
func setItem(t testing.TB, service, user, secret string) {
	t.Helper()
	if err := keyring.Set(service, user, secret); err != nil {
		t.Fatalf("go-keyring Set: %v", err)
	}
	t.Cleanup(func() { keyring.Delete(service, user) })
}

// unique makes names that no other test (nor a parallel package's test on
// the same keyring) uses.
func unique(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func TestLookup(t *testing.T) {
	needSecretService(t)
	svc, other := unique("svc-x"), unique("svc-w")
	secret := strings.Repeat("0123456789abcdef", 4)
	setItem(t, svc, "user-y", secret)
	setItem(t, svc, "user-z", "zz")
	setItem(t, other, "user-y", "ww")

	for _, c := range []struct{ service, user, want string }{
		{svc, "user-y", secret},
		{svc, "user-z", "zz"},
		{other, "user-y", "ww"},
	} {
		got, err := Lookup(c.service, c.user)
		if err != nil || string(got) != c.want {
			t.Errorf("Lookup(%s, %s) = %q, %v; want %q", c.service, c.user, got, err, c.want)
		}
	}
	for _, c := range [][2]string{{svc, "nobody"}, {other, "user-z"}, {unique("svc-none"), "user-y"}, {svc, ""}} {
		if got, err := Lookup(c[0], c[1]); !errors.Is(err, ErrNotFound) || got != nil {
			t.Errorf("Lookup(%s, %q) = %q, %v; want ErrNotFound", c[0], c[1], got, err)
		}
	}
}

// Lookup reads what go-keyring's Get reads, byte for byte.
func TestLookupMatchesGoKeyring(t *testing.T) {
	needSecretService(t)
	svc := unique("svc-cmp")
	random := make([]byte, 32)
	rand.Read(random)
	values := []string{
		"x",
		hex.EncodeToString(random), // a slot key, as the vault stores it
		strings.Repeat("ß", 32),    // 64 bytes of UTF-8
		"pässwörd ✓ 鍵 🔑",
		" spaces and\ttabs\n",
		strings.Repeat("long", 5000), // more than the 4 KiB read buffer
	}
	for i, v := range values {
		user := "user-" + string(rune('a'+i))
		setItem(t, svc, user, v)
		want, err := keyring.Get(svc, user)
		if err != nil {
			t.Fatalf("go-keyring Get: %v", err)
		}
		got, err := Lookup(svc, user)
		if err != nil || string(got) != want || want != v {
			t.Errorf("value %d: Lookup %q, %v; go-keyring %q; stored %q", i, got, err, want, v)
		}
	}
}

// recorder counts the writes of an exchange (each write is a round trip)
// and keeps what was read.
type recorder struct {
	*busConn
	writes int
	read   bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	r.writes++
	return r.busConn.Write(p)
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.busConn.Read(p)
	r.read.Write(p[:n])
	return n, err
}

func dialSessionBus(t *testing.T) *recorder {
	t.Helper()
	socks, err := sessionBus()
	if err != nil {
		t.Fatal(err)
	}
	c, err := dial(socks[0], time.Now().Add(timeout))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c.fd >= 0 {
			syscall.Close(c.fd)
		}
	})
	return &recorder{busConn: c}
}

// A found item takes three round trips, a missing one one (and one more
// when SearchItems lost gnome-keyring's client race). The session that
// Lookup opens lives as long as its connection: gnome-keyring drops it when
// the connection closes, so Lookup needs no Session.Close.
func TestRoundTripsAndSession(t *testing.T) {
	needSecretService(t)
	svc := unique("svc-rt")
	setItem(t, svc, "u", "v")

	c := dialSessionBus(t)
	_, err := lookup(c, os.Getuid(), svc, "nobody")
	msgs := splitStream(t, c.read.Bytes())
	if want := 1 + retries(msgs); !errors.Is(err, ErrNotFound) || c.writes != want {
		t.Errorf("missing item: %v after %d writes; want ErrNotFound after %d", err, c.writes, want)
	}

	c = dialSessionBus(t)
	got, err := lookup(c, os.Getuid(), svc, "u")
	msgs = splitStream(t, c.read.Bytes())
	if want := 3 + retries(msgs); err != nil || string(got) != "v" || c.writes != want {
		t.Fatalf("found item: %q, %v after %d writes; want \"v\" after %d", got, err, c.writes, want)
	}
	// The session is the one path in the OpenSession reply.
	session := ""
	for _, m := range msgs {
		if m.replySerial == serialOpen {
			if session, err = parseSession(m); err != nil {
				t.Fatal(err)
			}
		}
	}
	name := session[strings.LastIndexByte(session, '/')+1:]
	if !hasSession(t, name) {
		t.Fatalf("session %s is not open while its connection is", session)
	}
	syscall.Close(c.fd)
	c.fd = -1
	for i := 0; hasSession(t, name); i++ {
		if i == 200 {
			t.Fatalf("session %s still open 2 s after its connection closed", session)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// retries counts the second SearchItems in an exchange.
func retries(msgs []*message) int {
	for _, m := range msgs {
		if m.replySerial == serialSearchAgain {
			return 1
		}
	}
	return 0
}

// hasSession reports whether gnome-keyring lists the session named name.
func hasSession(t *testing.T, name string) bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	var xml string
	err = conn.Object(secretsName, "/org/freedesktop/secrets/session").
		Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(xml, `<node name="`+name+`"`)
}

// An item in a locked collection is left to go-keyring, which can unlock.
func TestLockedItem(t *testing.T) {
	needSecretService(t)
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	svc := unique("svc-locked")
	item := lockedItem(t, conn, svc, "u", "locked secret")
	got, err := Lookup(svc, "u")
	if !errors.Is(err, ErrUnsupported) || got != nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("locked item: %q, %v; want ErrUnsupported (locked)", got, err)
	}
	// What go-keyring would then meet in GetSecret: an error reply.
	if _, err := getSecret(t, dialSessionBus(t), item, svc, "u"); err == nil || !strings.Contains(err.Error(), "org.freedesktop.Secret.Error.") {
		t.Errorf("GetSecret of a locked item: %v", err)
	}
}

// lockedItem creates a collection "authdesk-test" (through gnome-keyring's
// internal interface, which takes the password without a prompt) with one
// item, locks it and returns the item's path. The login collection, which
// other packages' tests use at the same time, stays unlocked.
func lockedItem(t *testing.T, conn *dbus.Conn, service, user, secret string) string {
	t.Helper()
	svc := conn.Object(secretsName, secretsPath)
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call(secretsService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatal(err)
	}
	type sec struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}
	var coll dbus.ObjectPath
	err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.CreateWithMasterPassword", 0,
		map[string]dbus.Variant{"org.freedesktop.Secret.Collection.Label": dbus.MakeVariant("authdesk-test")},
		sec{session, nil, []byte("pw"), "text/plain"}).Store(&coll)
	if err != nil {
		t.Fatalf("create collection: %v", err)
	}
	t.Cleanup(func() {
		var prompt dbus.ObjectPath
		conn.Object(secretsName, coll).Call("org.freedesktop.Secret.Collection.Delete", 0).Store(&prompt)
	})
	props := map[string]dbus.Variant{
		secretsItem + ".Label":      dbus.MakeVariant("test"),
		secretsItem + ".Attributes": dbus.MakeVariant(map[string]string{"service": service, "username": user}),
	}
	var item, prompt dbus.ObjectPath
	err = conn.Object(secretsName, coll).Call("org.freedesktop.Secret.Collection.CreateItem", 0,
		props, sec{session, nil, []byte(secret), "text/plain"}, true).Store(&item, &prompt)
	if err != nil {
		t.Fatalf("create item: %v", err)
	}
	var locked []dbus.ObjectPath
	if err := svc.Call(secretsService+".Lock", 0, []dbus.ObjectPath{coll}).Store(&locked, &prompt); err != nil || len(locked) != 1 {
		t.Fatalf("lock %s: %v, %v", coll, locked, err)
	}
	return string(item)
}

// getSecret sends GetSecret on item (found by its attributes, whatever
// its state) as lookup would, for the reply that lookup would get.
func getSecret(t *testing.T, c *recorder, item, service, user string) ([]byte, error) {
	out := append([]byte("\x00AUTH EXTERNAL "), hex.EncodeToString([]byte(strconv.Itoa(os.Getuid())))...)
	out = append(out, "\r\nBEGIN\r\n"...)
	out = appendCall(out, serialHello, busPath, busName, "Hello", busName, "", nil)
	out = appendCall(out, serialSearch, secretsPath, secretsService, "SearchItems", secretsName, "a{ss}", appendAttributes(nil, service, user))
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	rd := &reader{rw: c, buf: make([]byte, 4096)}
	if _, err := rd.line(); err != nil {
		t.Fatal(err)
	}
	if m, err := rd.reply(serialSearch); err != nil || m.typ == typeError {
		t.Fatalf("SearchItems: %v", err) // the client race: run again
	}
	m, err := rd.call(appendCall(nil, serialOpen, secretsPath, secretsService, "OpenSession", secretsName, "sv", appendOpenSession(nil)))
	if err != nil {
		t.Fatal(err)
	}
	session, err := parseSession(m)
	if err != nil {
		t.Fatal(err)
	}
	m, err = rd.call(appendCall(nil, serialGetSecret, item, secretsItem, "GetSecret", secretsName, "o", appendString(nil, session)))
	if err != nil {
		t.Fatal(err)
	}
	if m.typ == typeError {
		return nil, callError("GetSecret", m)
	}
	return parseSecret(m)
}

// TestAddresses checks which session bus addresses Lookup tries.
func TestAddresses(t *testing.T) {
	for _, c := range []struct {
		env  string
		want []string // nil: ErrUnsupported
	}{
		{"unix:path=/tmp/dbus-Bq1A5tfG9i,guid=4d3781c977739a82687321d76b03c007", []string{"/tmp/dbus-Bq1A5tfG9i"}},
		{"unix:guid=00,abstract=/tmp/dbus-abc", []string{"@/tmp/dbus-abc"}},
		{"unix:path=/run/user/1000/my%20bus%2cx", []string{"/run/user/1000/my bus,x"}},
		{"tcp:host=localhost,port=1;unix:path=/a;unix:abstract=b", []string{"/a", "@b"}},
		{"unix:path=@odd", []string{"./@odd"}},
		{"tcp:host=localhost,port=12345", nil},
		{"autolaunch:", nil},
		{"launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET", nil},
		{"unixexec:path=/bin/dbus", nil},
		{"nonce-tcp:host=localhost,port=1", nil},
		{"unix:tmpdir=/tmp", nil},
		{"unix:path=/bad%zz", nil},
		{"unix:runtime=yes", nil},
	} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", c.env)
		got, err := sessionBus()
		if c.want == nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: %q, %v; want ErrUnsupported", c.env, got, err)
			}
			if got, err := Lookup("s", "u"); !errors.Is(err, ErrUnsupported) || got != nil {
				t.Errorf("%s: Lookup: %q, %v; want ErrUnsupported", c.env, got, err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: %q, %v; want %q", c.env, got, err, c.want)
		}
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if got, err := sessionBus(); err != nil || len(got) != 1 || got[0] != "/run/user/"+strconv.Itoa(os.Getuid())+"/bus" {
		t.Errorf("no address: %q, %v", got, err)
	}
}

// A dead bus address fails at once, and is not left to go-keyring, which
// would meet the same dead address.
func TestDeadBus(t *testing.T) {
	dir := t.TempDir()
	for _, addr := range []string{
		"unix:path=/nonexistent",
		"unix:path=" + dir, // not a socket
		"unix:abstract=/authdesk-test/" + filepath.Base(dir),
		"unix:path=/nonexistent;unix:path=/nonexistent2",
	} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		got, err := Lookup("s", "u")
		if err == nil || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrNotFound) || got != nil {
			t.Errorf("%s: %q, %v; want a connect error", addr, got, err)
		}
	}
	// With no address at all, a missing /run/user/UID/bus is left to
	// go-keyring, which has more places to look.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if _, err := os.Stat("/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"); err == nil {
		t.Skip("this machine has a /run/user/UID/bus")
	}
	if _, err := Lookup("s", "u"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("no address, no /run/user/UID/bus: %v; want ErrUnsupported", err)
	}
}

// privateBus starts a dbus-daemon of its own (no keyring on it) with the
// given <auth> mechanism and returns its address and process.
func privateBus(t *testing.T, auth string) (string, *os.Process) {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		if os.Getenv("AUTHDESK_TESTENV_INNER") != "" || os.Getenv("CI") != "" {
			t.Fatal("dbus-daemon is missing")
		}
		t.Skip("needs dbus-daemon")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:abstract=/authdesk-test/`+filepath.Base(dir)+`</listen>
  <auth>`+auth+`</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--nofork", "--print-address=3", "--config-file="+conf)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	buf := make([]byte, 512)
	n, err := r.Read(buf)
	r.Close()
	if err != nil {
		t.Fatalf("dbus-daemon gave no address: %v", err)
	}
	return strings.TrimSpace(string(buf[:n])), cmd.Process
}

// On a bus where no keyring runs, the bus's error reply is left to
// go-keyring, and named in the error.
func TestNoKeyringOnBus(t *testing.T) {
	addr, _ := privateBus(t, "EXTERNAL")
	if !strings.HasPrefix(addr, "unix:abstract=") {
		t.Fatalf("address %q", addr)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "tcp:host=localhost,port=9;"+addr)
	got, err := Lookup("s", "u")
	if !errors.Is(err, ErrUnsupported) || got != nil ||
		!strings.Contains(err.Error(), "SearchItems: org.freedesktop.DBus.Error.ServiceUnknown: ") ||
		!strings.Contains(err.Error(), "org.freedesktop.secrets") {
		t.Errorf("no keyring: %q, %v; want ServiceUnknown wrapping ErrUnsupported", got, err)
	}
}

func TestAuthRejected(t *testing.T) {
	addr, _ := privateBus(t, "ANONYMOUS")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	if _, err := Lookup("s", "u"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "REJECTED") {
		t.Errorf("EXTERNAL refused: %v; want ErrUnsupported naming REJECTED", err)
	}
}

// A hung bus makes Lookup fail at its deadline, not hang.
func TestHungBus(t *testing.T) {
	addr, proc := privateBus(t, "EXTERNAL")
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	defer func(d time.Duration) { timeout = d }(timeout)
	timeout = 200 * time.Millisecond
	if _, err := Lookup("s", "u"); !errors.Is(err, errTimeout) || errors.Is(err, ErrUnsupported) {
		t.Errorf("hung bus: %v; want the timeout", err)
	}
}

func TestBadNames(t *testing.T) {
	for _, s := range []string{"a\x00b", "\xff"} {
		if _, err := Lookup(s, "u"); !errors.Is(err, ErrUnsupported) {
			t.Errorf("service %q: %v", s, err)
		}
		if _, err := Lookup("s", s); !errors.Is(err, ErrUnsupported) {
			t.Errorf("user %q: %v", s, err)
		}
	}
}

// The benchmarks read the same item; go-keyring keeps its bus connection
// across iterations, Lookup connects every time (as a fresh authctl does).
func BenchmarkLookup(b *testing.B) {
	needSecretService(b)
	svc := unique("svc-bench")
	setItem(b, svc, "u", strings.Repeat("ab", 32))
	for b.Loop() {
		if _, err := Lookup(svc, "u"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoKeyringGet(b *testing.B) {
	needSecretService(b)
	svc := unique("svc-bench")
	setItem(b, svc, "u", strings.Repeat("ab", 32))
	for b.Loop() {
		if _, err := keyring.Get(svc, "u"); err != nil {
			b.Fatal(err)
		}
	}
}
