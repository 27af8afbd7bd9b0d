package secretservice

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
)

// The D-Bus wire format, as far as Lookup needs it:
// https://dbus.freedesktop.org/doc/dbus-specification.html#message-protocol

const (
	typeCall   = 1
	typeReturn = 2
	typeError  = 3

	fieldPath        = 1
	fieldInterface   = 2
	fieldMember      = 3
	fieldErrorName   = 4
	fieldReplySerial = 5
	fieldDestination = 6
	fieldSignature   = 8

	// maxMessage caps a message read from the bus; the replies Lookup
	// waits for are a few hundred bytes.
	maxMessage = 1 << 20
)

// The serials of Lookup's calls, in the order it sends them.
const (
	serialHello = 1 + iota
	serialSearch
	serialSearchAgain
	serialOpen
	serialGetSecret
)

const (
	busName        = "org.freedesktop.DBus"
	busPath        = "/org/freedesktop/DBus"
	secretsName    = "org.freedesktop.secrets"
	secretsPath    = "/org/freedesktop/secrets"
	secretsService = "org.freedesktop.Secret.Service"
	secretsItem    = "org.freedesktop.Secret.Item"
)

var le = binary.LittleEndian

// errTimeout is what a read or write past the deadline returns.
var errTimeout = errors.New("secretservice: the session bus did not answer in time")

// lookup runs the whole exchange on a connected stream: rw is a socket in
// Lookup, a canned byte stream in the tests. It takes three round trips:
// the authentication, Hello and SearchItems in one write; then
// OpenSession; then GetSecret.
//
// OpenSession waits for SearchItems' answer because gnome-keyring
// registers a new caller as a client in a main-loop callback that can lose
// the race with the caller's first method calls; a SearchItems that comes
// too early fails ("not implemented"), but an OpenSession that comes too
// early crashes gnome-keyring (42 here; later versions too, per bug
// reports of "gkd_secret_service_publish_dispatch: assertion 'client'
// failed" followed by an abort). With OpenSession pipelined too, back-to-back
// lookups here crashed it about once in 4,000. A successful SearchItems
// proves the client is registered; one that lost the race is tried once
// more.
//
// It never sends Session.Close: gnome-keyring drops every session of a
// client when the bus reports that the client's unique name is gone
// (service_name_owner_changed in daemon/dbus/gkd-secret-service.c), which
// is when this connection closes.
func lookup(rw io.ReadWriter, uid int, service, user string) ([]byte, error) {
	attrs := appendAttributes(nil, service, user)
	out := make([]byte, 0, 512)
	out = append(out, "\x00AUTH EXTERNAL "...)
	out = hex.AppendEncode(out, strconv.AppendInt(nil, int64(uid), 10))
	out = append(out, "\r\nBEGIN\r\n"...)
	out = appendCall(out, serialHello, busPath, busName, "Hello", busName, "", nil)
	out = appendCall(out, serialSearch, secretsPath, secretsService, "SearchItems", secretsName, "a{ss}", attrs)
	if err := writeAll(rw, out); err != nil {
		return nil, err
	}

	rd := &reader{rw: rw, buf: make([]byte, 4096)}
	defer func() { clear(rd.buf) }()
	line, err := rd.line()
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(line, []byte("OK ")) {
		return nil, unsupported("the session bus refused EXTERNAL authentication: %q", line)
	}
	m, err := rd.reply(serialSearch)
	if err == nil && m.errName == "org.freedesktop.DBus.Error.UnknownMethod" {
		m, err = rd.call(appendCall(out[:0], serialSearchAgain, secretsPath, secretsService, "SearchItems", secretsName, "a{ss}", attrs))
	}
	if err != nil {
		return nil, err
	}
	if m.typ == typeError {
		return nil, callError("SearchItems", m)
	}
	item, locked, err := parseSearch(m)
	switch {
	case err != nil:
		return nil, err
	case item == "" && locked:
		return nil, unsupported("the keyring item is locked")
	case item == "":
		return nil, ErrNotFound
	}

	m, err = rd.call(appendCall(out[:0], serialOpen, secretsPath, secretsService, "OpenSession", secretsName, "sv", appendOpenSession(nil)))
	if err != nil {
		return nil, err
	}
	if m.typ == typeError {
		return nil, callError("OpenSession", m)
	}
	session, err := parseSession(m)
	if err != nil {
		return nil, err
	}

	m, err = rd.call(appendCall(out[:0], serialGetSecret, item, secretsItem, "GetSecret", secretsName, "o", appendString(nil, session)))
	if err != nil {
		return nil, err
	}
	if m.typ == typeError {
		return nil, callError("GetSecret", m)
	}
	return parseSecret(m)
}

func writeAll(w io.Writer, p []byte) error {
	if _, err := w.Write(p); err != nil {
		return ioError("write to", err)
	}
	return nil
}

// ioError words a failed read or write. Only a timeout is final; anything
// else (the bus hung up, say) is left to go-keyring.
func ioError(what string, err error) error {
	if errors.Is(err, errTimeout) {
		return err
	}
	if err == io.EOF {
		return unsupported("%s the session bus: it closed the connection", what)
	}
	return unsupported("%s the session bus: %v", what, err)
}

// callError words an error reply to call: its D-Bus error name and message.
func callError(call string, m *message) error {
	text := ""
	if len(m.sig) > 0 && m.sig[0] == 's' {
		d := m.decoder()
		text = string(d.str())
		if len(text) > 200 {
			text = text[:200] + "..."
		}
	}
	return unsupported("%s: %s: %q", call, m.errName, text)
}

// --- Encoding (little-endian only) ---

// appendCall appends a method call message. Alignment is counted from the
// start of the message, which need not be aligned in dst.
func appendCall(dst []byte, serial uint32, path, iface, member, dest, sig string, body []byte) []byte {
	base := len(dst)
	dst = append(dst, 'l', typeCall, 0, 1)
	dst = le.AppendUint32(dst, uint32(len(body)))
	dst = le.AppendUint32(dst, serial)
	dst = append(dst, 0, 0, 0, 0) // length of the header fields, set below
	start := len(dst)
	field := func(code, typ byte, v string) {
		dst = pad(dst, base, 8)
		dst = append(dst, code, 1, typ, 0)
		if typ == 'g' {
			dst = append(dst, byte(len(v)))
			dst = append(dst, v...)
			dst = append(dst, 0)
		} else {
			dst = appendStringAt(dst, base, v)
		}
	}
	field(fieldPath, 'o', path)
	field(fieldInterface, 's', iface)
	field(fieldMember, 's', member)
	field(fieldDestination, 's', dest)
	if sig != "" {
		field(fieldSignature, 'g', sig)
	}
	le.PutUint32(dst[start-4:], uint32(len(dst)-start))
	dst = pad(dst, base, 8)
	return append(dst, body...)
}

// appendAttributes appends the a{ss} body of SearchItems. A body starts
// 8-aligned, so alignment is counted from the start of the body.
func appendAttributes(dst []byte, service, user string) []byte {
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0) // array length, padding to 8
	for _, kv := range [...][2]string{{"service", service}, {"username", user}} {
		dst = appendString(pad(dst, 0, 8), kv[0]) // a dict entry is 8-aligned
		dst = appendString(dst, kv[1])
	}
	le.PutUint32(dst, uint32(len(dst)-8))
	return dst
}

// appendOpenSession appends the (s, v) body of OpenSession: the "plain"
// algorithm, with an empty string as its input.
func appendOpenSession(dst []byte) []byte {
	dst = appendString(dst, "plain")
	dst = append(dst, 1, 's', 0)
	return appendString(dst, "")
}

func appendString(dst []byte, s string) []byte { return appendStringAt(dst, 0, s) }

func appendStringAt(dst []byte, base int, s string) []byte {
	dst = pad(dst, base, 4)
	dst = le.AppendUint32(dst, uint32(len(s)))
	dst = append(dst, s...)
	return append(dst, 0)
}

func pad(dst []byte, base, n int) []byte {
	for (len(dst)-base)%n != 0 {
		dst = append(dst, 0)
	}
	return dst
}

// --- Decoding (either byte order) ---

// message is a decoded message: the header fields Lookup needs and the body
// undecoded. Its slices point into the read buffer.
type message struct {
	order       binary.ByteOrder
	typ         byte
	replySerial uint32
	errName     string
	sig         string
	body        []byte
}

func (m *message) decoder() *decoder { return &decoder{b: m.body, order: m.order} }

// messageLen returns the length of the message whose first 16 bytes are
// hdr.
func messageLen(hdr []byte) (int, error) {
	var order binary.ByteOrder
	switch hdr[0] {
	case 'l':
		order = binary.LittleEndian
	case 'B':
		order = binary.BigEndian
	default:
		return 0, unsupported("bad message from the session bus: byte order %q", hdr[0])
	}
	if hdr[3] != 1 {
		return 0, unsupported("bad message from the session bus: protocol version %d", hdr[3])
	}
	body, fields := uint64(order.Uint32(hdr[4:])), uint64(order.Uint32(hdr[12:]))
	n := (16+fields+7)&^7 + body
	if n > maxMessage {
		return 0, unsupported("message from the session bus too long (%d bytes)", n)
	}
	return int(n), nil
}

// decodeMessage decodes a whole message of the length messageLen gave.
func decodeMessage(b []byte) (*message, error) {
	if len(b) < 16 {
		return nil, errBadReply
	}
	n, err := messageLen(b)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, errBadReply
	}
	m := &message{order: binary.LittleEndian, typ: b[1]}
	if b[0] == 'B' {
		m.order = binary.BigEndian
	}
	d := &decoder{b: b, off: 12, order: m.order}
	end := 16 + int(d.u32())
	for !d.bad && d.off < end {
		d.align(8)
		code := d.byte()
		sig := d.sig()
		switch {
		case d.bad:
		case code == fieldReplySerial && string(sig) == "u":
			m.replySerial = d.u32()
		case code == fieldErrorName && string(sig) == "s":
			m.errName = string(d.str())
		case code == fieldSignature && string(sig) == "g":
			m.sig = string(d.sig())
		case code == fieldReplySerial || code == fieldErrorName || code == fieldSignature || len(sig) != 1:
			d.fail() // a known field of the wrong type, or not a basic type
		default:
			d.skipBasic(sig[0])
		}
	}
	if d.bad || d.off != end {
		return nil, errBadReply
	}
	m.body = b[(end+7)&^7:]
	return m, nil
}

var errBadReply error = fallback("malformed message from the session bus")

// parseSearch decodes SearchItems' (ao unlocked, ao locked): the first
// unlocked item, or "", and whether any item is locked.
func parseSearch(m *message) (item string, locked bool, err error) {
	if m.sig != "aoao" {
		return "", false, unsupported("SearchItems replied with signature %q", m.sig)
	}
	d := m.decoder()
	end := d.arrayEnd(4)
	if !d.bad && d.off < end {
		item = string(d.str())
		if item == "" || item[0] != '/' || d.off > end {
			d.fail()
		}
	}
	d.seek(end)
	locked = d.u32() != 0
	if d.bad {
		return "", false, unsupported("malformed SearchItems reply")
	}
	return item, locked, nil
}

// parseSession decodes OpenSession's (v output, o session).
func parseSession(m *message) (string, error) {
	if m.sig != "vo" {
		return "", unsupported("OpenSession replied with signature %q", m.sig)
	}
	d := m.decoder()
	if v := d.sig(); len(v) == 1 {
		d.skipBasic(v[0]) // "plain" answers with an empty string
	} else {
		d.fail()
	}
	session := string(d.str())
	if d.bad || session == "" || session[0] != '/' {
		return "", unsupported("malformed OpenSession reply")
	}
	return session, nil
}

// parseSecret decodes GetSecret's (oayays) — session, parameters, value,
// content type — and returns a copy of the value.
func parseSecret(m *message) ([]byte, error) {
	if m.sig != "(oayays)" {
		return nil, unsupported("GetSecret replied with signature %q", m.sig)
	}
	d := m.decoder()
	d.align(8)
	d.str()
	d.bytes()
	value := d.bytes()
	d.str()
	if d.bad {
		return nil, unsupported("malformed GetSecret reply")
	}
	return bytes.Clone(value), nil
}

// reader buffers a stream of the authentication reply and messages.
type reader struct {
	rw   io.ReadWriter
	buf  []byte
	r, w int // unread bytes are buf[r:w]
}

// fill reads until at least n bytes are unread.
func (rd *reader) fill(n int) error {
	if rd.r+n > len(rd.buf) {
		if n > len(rd.buf) {
			buf := make([]byte, max(n, 2*len(rd.buf)))
			copy(buf, rd.buf[rd.r:rd.w])
			clear(rd.buf) // it may hold part of the secret
			rd.buf = buf
		} else {
			copy(rd.buf, rd.buf[rd.r:rd.w])
		}
		rd.w, rd.r = rd.w-rd.r, 0
	}
	for rd.w-rd.r < n {
		k, err := rd.rw.Read(rd.buf[rd.w:])
		rd.w += k
		if err != nil && rd.w-rd.r < n {
			return ioError("read from", err)
		}
	}
	return nil
}

// line returns the authentication reply, without its CRLF.
func (rd *reader) line() ([]byte, error) {
	for {
		if i := bytes.Index(rd.buf[rd.r:rd.w], []byte("\r\n")); i >= 0 {
			line := rd.buf[rd.r : rd.r+i]
			rd.r += i + 2
			return line, nil
		}
		if rd.w-rd.r >= 256 {
			return nil, unsupported("the session bus sent no authentication reply")
		}
		if err := rd.fill(rd.w - rd.r + 1); err != nil {
			return nil, err
		}
	}
}

// call sends the method call msg and returns its reply.
func (rd *reader) call(msg []byte) (*message, error) {
	if err := writeAll(rd.rw, msg); err != nil {
		return nil, err
	}
	return rd.reply(le.Uint32(msg[8:]))
}

// reply returns the reply (or error) to the call with this serial, valid
// until the next read. It skips signals (NameAcquired) and other replies,
// but not an error reply to Hello, after which the bus hangs up.
func (rd *reader) reply(serial uint32) (*message, error) {
	for {
		m, err := rd.next()
		if err != nil {
			return nil, err
		}
		switch {
		case m.typ != typeReturn && m.typ != typeError:
		case m.replySerial == serial:
			return m, nil
		case m.replySerial == serialHello && m.typ == typeError:
			return nil, callError("Hello", m)
		}
	}
}

// next returns the next message, valid until the next read.
func (rd *reader) next() (*message, error) {
	if err := rd.fill(16); err != nil {
		return nil, err
	}
	n, err := messageLen(rd.buf[rd.r : rd.r+16])
	if err != nil {
		return nil, err
	}
	if err := rd.fill(n); err != nil {
		return nil, err
	}
	m, err := decodeMessage(rd.buf[rd.r : rd.r+n])
	rd.r += n
	return m, err
}

// decoder reads values from b, which starts 8-aligned. The first error
// makes it bad and every later read return zero values.
type decoder struct {
	b     []byte
	off   int
	order binary.ByteOrder
	bad   bool
}

func (d *decoder) fail() { d.bad, d.off = true, len(d.b) }

func (d *decoder) seek(off int) {
	if off < d.off || off > len(d.b) {
		d.fail()
		return
	}
	d.off = off
}

func (d *decoder) align(n int) { d.seek((d.off + n - 1) &^ (n - 1)) }

func (d *decoder) take(n int) []byte {
	if d.bad || n < 0 || n > len(d.b)-d.off {
		d.fail()
		return nil
	}
	d.off += n
	return d.b[d.off-n : d.off]
}

func (d *decoder) byte() byte {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u32() uint32 {
	d.align(4)
	if p := d.take(4); p != nil {
		return d.order.Uint32(p)
	}
	return 0
}

// str reads a string or object path.
func (d *decoder) str() []byte {
	n := int(d.u32())
	if n < 0 || n >= len(d.b) {
		d.fail()
		return nil
	}
	return d.nul(d.take(n + 1))
}

// bytes reads an array of bytes.
func (d *decoder) bytes() []byte { return d.take(int(d.u32())) }

// sig reads a signature.
func (d *decoder) sig() []byte { return d.nul(d.take(int(d.byte()) + 1)) }

func (d *decoder) nul(p []byte) []byte {
	if len(p) == 0 || p[len(p)-1] != 0 {
		d.fail()
		return nil
	}
	return p[:len(p)-1]
}

// arrayEnd reads an array's length and the padding to its elements'
// alignment, and returns where the array ends.
func (d *decoder) arrayEnd(align int) int {
	n := d.u32()
	d.align(align)
	if uint64(n) > uint64(len(d.b)-d.off) {
		d.fail()
	}
	return d.off + int(n)
}

// skipBasic skips a value of the basic type c. Lookup meets no container
// where it skips: not in a header field, nor in OpenSession's variant.
func (d *decoder) skipBasic(c byte) {
	switch c {
	case 's', 'o':
		d.str()
	case 'g':
		d.sig()
	case 'y':
		d.take(1)
	case 'n', 'q':
		d.align(2)
		d.take(2)
	case 'b', 'i', 'u', 'h':
		d.align(4)
		d.take(4)
	case 'x', 't', 'd':
		d.align(8)
		d.take(8)
	default:
		d.fail()
	}
}
