package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// jscan is a strict, allocation-light JSON reader for the vault's fast
// paths. It reads only the shapes Aegis and Authdesk write and gives up
// (bad) on anything else: escapes in keys, null where a string is wanted,
// fractions, duplicate keys. The caller then hands the whole input to
// encoding/json, so jscan never decides what a file means, only how fast
// the common file is read. Whatever it accepts, it must read exactly as
// encoding/json does (FuzzParseDBFast checks that).
type jscan struct {
	b   []byte
	i   int
	bad bool
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (s *jscan) peek() byte {
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return c
		}
	}
	return 0
}

// eat consumes c if it is the next byte.
func (s *jscan) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *jscan) end() bool { return s.peek() == 0 && s.i == len(s.b) }

// word consumes true, false or null.
func (s *jscan) word(w string) bool {
	if s.peek() == w[0] && bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		s.i += len(w)
		return s.delim()
	}
	return false
}

// delim reports whether a literal or number ends at s.i, as the JSON
// grammar requires (encoding/json rejects "truex" and "12a").
func (s *jscan) delim() bool {
	if s.i == len(s.b) {
		return true
	}
	switch s.b[s.i] {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// rawString returns the next string token, quotes included, and whether it
// is plain: no escapes, and valid UTF-8, so that its bytes are its value.
func (s *jscan) rawString() (tok []byte, plain bool) {
	if s.peek() != '"' {
		s.bad = true
		return nil, false
	}
	start := s.i
	plain = true
	ascii := true
	for i := start + 1; i < len(s.b); i++ {
		for i+8 <= len(s.b) && plainWord(binary.LittleEndian.Uint64(s.b[i:])) {
			i += 8 // the db string of a vault file is 340 KB of these
		}
		if i == len(s.b) {
			break
		}
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			tok = s.b[start:s.i]
			if !ascii && plain {
				plain = utf8.Valid(tok)
			}
			return tok, plain
		case c == '\\':
			plain = false
			i++ // the escaped byte; \uXXXX digits are ordinary bytes
		case c < 0x20:
			s.bad = true // a raw control character: invalid JSON
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	s.bad = true
	return nil, false
}

// plainWord reports whether 8 bytes of a string are all ASCII from space up,
// other than '"' and '\\', testing them at once (the "has zero byte" trick:
// no false positives unless a byte before is special).
func plainWord(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	ctl := (w - lo*0x20) &^ w
	q := w ^ (lo * '"')
	q = (q - lo) &^ q
	b := w ^ (lo * '\\')
	b = (b - lo) &^ b
	return (ctl|q|b|w)&hi == 0
}

// str reads a string. Plain strings are copied; the rest (escapes, invalid
// UTF-8, which encoding/json turns into U+FFFD) go through encoding/json.
func (s *jscan) str() string {
	tok, plain := s.rawString()
	if s.bad {
		return ""
	}
	if plain {
		return string(tok[1 : len(tok)-1])
	}
	var v string
	if json.Unmarshal(tok, &v) != nil {
		s.bad = true
	}
	return v
}

// key reads an object key followed by its colon. Keys with escapes are
// refused: encoding/json would match them after unescaping.
func (s *jscan) key() []byte {
	tok, plain := s.rawString()
	if s.bad || !plain || !s.eat(':') {
		s.bad = true
		return nil
	}
	return tok[1 : len(tok)-1]
}

// uint reads a non-negative integer of at most 18 digits, written without
// fraction or exponent.
func (s *jscan) uint() uint64 {
	if s.peek() < '0' || s.b[s.i] > '9' {
		s.bad = true
		return 0
	}
	start := s.i
	var v uint64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + uint64(s.b[s.i]-'0')
		s.i++
	}
	n := s.i - start
	if n > 18 || (n > 1 && s.b[start] == '0') || !s.delim() {
		s.bad = true // leading zero, too long, or a fraction/exponent follows
	}
	return v
}

// int reads an integer that fits an int32 (digits, periods): larger or
// negative values go the slow way, which reports them.
func (s *jscan) int() int {
	v := s.uint()
	if v > 1<<31-1 {
		s.bad = true
	}
	return int(v)
}

// bool reads true or false.
func (s *jscan) bool() bool {
	switch {
	case s.word("true"):
		return true
	case s.word("false"):
		return false
	}
	s.bad = true
	return false
}

// raw reads any value and returns a copy of its bytes, as json.RawMessage
// holds it.
func (s *jscan) raw() json.RawMessage {
	start, plain := s.skip()
	switch {
	case s.bad:
		return nil
	case !plain && !json.Valid(s.b[start:s.i]):
		s.bad = true // a bad escape, or a bad object or array
		return nil
	}
	if string(s.b[start:s.i]) == "null" {
		return rawNull // most icons: not a copy each
	}
	return bytes.Clone(s.b[start:s.i])
}

// rawNull is JSON null, shared: a json.RawMessage is never written to.
var rawNull = json.RawMessage("null")

// skip passes over one value and returns where it starts. plain is false
// when the value still needs checking by encoding/json: a string with
// escapes, or an object or array, which skip only balances.
func (s *jscan) skip() (start int, plain bool) {
	start = s.i
	switch s.peek() {
	case 'n':
		start = s.i
		if s.word("null") {
			return start, true
		}
	case '"':
		start = s.i
		_, plain = s.rawString()
		return start, plain
	case 't', 'f':
		start = s.i
		s.bool()
		return start, true
	case '{', '[':
		start = s.i
		depth := 0
		for s.i < len(s.b) && !s.bad {
			switch s.b[s.i] {
			case '"':
				s.rawString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return start, false
			}
		}
	}
	// A number, or nothing valid: encoding/json decides.
	s.bad = true
	return start, false
}

// object reads an object, calling field with each key while the scanner
// sits at its value; field reads the value. field returns the key's bit,
// with which duplicate keys are refused; 0 refuses the key, anyKey takes
// it however often it comes.
func (s *jscan) object(field func(key []byte) uint) {
	if !s.eat('{') {
		s.bad = true
		return
	}
	if s.eat('}') {
		return
	}
	var seen uint
	for !s.bad {
		switch bit := field(s.key()); {
		case bit == anyKey:
		case bit == 0 || seen&bit != 0:
			s.bad = true
			return
		default:
			seen |= bit
		}
		if s.eat(',') {
			continue
		}
		if !s.eat('}') {
			s.bad = true
		}
		return
	}
}

// anyKey is a key object takes without checking for duplicates.
const anyKey = ^uint(0)

// array reads an array, calling elem at each element; elem reads it.
func (s *jscan) array(elem func()) {
	if !s.eat('[') {
		s.bad = true
		return
	}
	if s.eat(']') {
		return
	}
	for !s.bad {
		elem()
		if s.eat(',') {
			continue
		}
		if !s.eat(']') {
			s.bad = true
		}
		return
	}
}
