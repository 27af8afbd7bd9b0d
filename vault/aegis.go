package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/authdesk/authdesk/internal/jsonerr"
)

// The Aegis vault format (github.com/beemdevelopment/Aegis, docs/vault.md):
//
//	{
//	    "version": 1,
//	    "header": {
//	        "slots": [ {"type": 1, "uuid": ..., "key": HEX, "key_params": {"nonce": HEX, "tag": HEX},
//	                    "n": 32768, "r": 8, "p": 1, "salt": HEX, "repaired": true}, ... ],
//	        "params": {"nonce": HEX, "tag": HEX}
//	    },
//	    "db": BASE64
//	}
//
// db is the database JSON sealed with AES-256-GCM under the master key, the
// 16-byte tag stored apart in header.params. A plain file has "slots": null,
// "params": null and the database as an object in db. The database:
//
//	{"version": 3, "entries": [ENTRY, ...], "groups": [{"uuid", "name"}, ...], "icons_optimized": true}
//	ENTRY = {"type": "totp"|"hotp"|"steam", "uuid", "name", "issuer", "note", "favorite",
//	         "icon": BASE64|null, "info": {"secret": BASE32, "algo", "digits", "period"|"counter"},
//	         "groups": [GROUP UUID, ...]}
//
// Database versions 1 and 2 give an entry a "group" name instead of
// "groups"; reading them creates the groups as Aegis does. What Account
// does not model (icons, groups, unknown keys, entries of the types Yandex
// and mOTP) is kept and written back, so a round trip through Authdesk
// loses nothing Aegis stored.

const (
	fileVersion = 1 // the only vault file version Aegis has
	dbVersion   = 3 // the database version written; 1 to 3 are read
)

// ErrCorrupt marks every error about a file that is not a well-formed,
// authentic vault: invalid JSON, a bad header, a failed AES-GCM tag.
// Such a file is never overwritten.
var ErrCorrupt = errors.New("the vault file is corrupt")

// corruptError is a problem with the file's content, worded for the person,
// that errors.Is reports as ErrCorrupt.
type corruptError struct{ msg string }

func (e *corruptError) Error() string        { return e.msg }
func (e *corruptError) Is(target error) bool { return target == ErrCorrupt }

func corrupt(format string, args ...any) error {
	return &corruptError{fmt.Sprintf(format, args...)}
}

// errAuthFailed is the database's GCM tag not matching: the master key is
// right (a slot opened it), so the file itself was changed.
var errAuthFailed = corrupt("authentication failed: the file was modified or is corrupt (AES-GCM tag mismatch)")

type fileJSON struct {
	Version *int            `json:"version"`
	Header  *headerJSON     `json:"header"`
	DB      json.RawMessage `json:"db"`
}

type headerJSON struct {
	Slots  *[]json.RawMessage `json:"slots"`
	Params *paramsJSON        `json:"params"`
}

// sealedFile is a vault file read but not yet opened.
type sealedFile struct {
	plain      bool   // slots and params null: db is the database itself
	db         []byte // the database JSON (plain) or its ciphertext
	slots      []slot
	nonce, tag []byte
}

// parseFile reads the outer JSON and the header of a vault file, decoding
// the ciphertext into mem (nil: the heap).
func parseFile(data []byte, mem *scratch) (*sealedFile, error) {
	if len(data) == 0 {
		return nil, corrupt("not a vault file: the file is empty")
	}
	j, ok := scanFile(data)
	if !ok {
		if err := json.Unmarshal(data, &j); err != nil {
			return nil, corrupt("not a vault file: %s", jsonerr.Describe(err, "the file"))
		}
	}
	switch {
	case j.Version == nil:
		return nil, corrupt("not a vault file: no version")
	case *j.Version != fileVersion:
		return nil, corrupt("unsupported vault version %d", *j.Version)
	case j.Header == nil:
		return nil, corrupt("not a vault file: no header")
	case len(j.DB) == 0 || string(j.DB) == "null":
		return nil, corrupt("not a vault file: no db")
	}
	h := j.Header
	if h.Slots == nil && h.Params == nil {
		if j.DB[0] != '{' {
			return nil, corrupt("not a vault file: the header has no slots, but db is not a JSON object")
		}
		return &sealedFile{plain: true, db: j.DB}, nil
	}
	if h.Slots == nil || h.Params == nil {
		return nil, corrupt("bad header: slots and params must both be set, or both null")
	}
	f := &sealedFile{}
	var err error
	if f.nonce, f.tag, err = h.Params.decode("params."); err != nil {
		return nil, corrupt("bad header: %v", err)
	}
	for i, raw := range *h.Slots {
		s, err := parseSlot(i, raw)
		if err != nil {
			return nil, corrupt("bad header: %v", err)
		}
		f.slots = append(f.slots, s)
	}
	if len(f.slots) == 0 {
		return nil, corrupt("bad header: no slots, so nothing can open the vault")
	}
	// A base64 string has nothing to unescape, unless it was written with
	// "\/" for "/", as Aegis writes it.
	b64 := j.DB
	if len(b64) < 2 || b64[0] != '"' || bytes.IndexByte(b64, '\\') >= 0 {
		var s string
		if err := json.Unmarshal(j.DB, &s); err != nil {
			return nil, corrupt("bad db: an encrypted vault's db must be a base64 string")
		}
		b64 = []byte(s)
	} else {
		b64 = b64[1 : len(b64)-1]
	}
	// Room for the tag after the ciphertext: open decrypts in place.
	f.db = mem.alloc(base64.StdEncoding.DecodedLen(len(b64)) + tagSize)
	n, err := base64.StdEncoding.Decode(f.db, b64)
	f.db = f.db[:n]
	if err != nil {
		return nil, corrupt("bad db: not base64: %v", err)
	}
	return f, nil
}

// scanFile reads the outer object of a vault file with jscan, for speed:
// the db string (340 KB at 1,000 accounts) is sliced, where encoding/json
// would scan it twice and copy it. ok is false for anything unusual, which
// encoding/json then reads (and words the errors of).
func scanFile(data []byte) (j fileJSON, ok bool) {
	s := jscan{b: data}
	s.object(func(k []byte) uint {
		switch string(k) {
		case "version":
			v := s.int()
			j.Version = &v
			return 1
		case "header": // small: encoding/json reads (and checks) it
			if start, _ := s.skip(); s.bad || json.Unmarshal(s.b[start:s.i], &j.Header) != nil {
				s.bad = true
			}
			return 2
		case "db":
			if s.peek() != '"' {
				j.DB = s.raw()
				return 4
			}
			tok, plain := s.rawString()
			if !plain && !json.Valid(tok) {
				s.bad = true // Aegis writes "\/": parseFile unescapes
			}
			j.DB = tok
			return 4
		}
		return 0
	})
	return j, !s.bad && s.end()
}

// open decrypts the database with the master key, in place: f.db is
// consumed.
func (f *sealedFile) open(master []byte) ([]byte, error) {
	if f.plain {
		return f.db, nil
	}
	ct := f.db // with room for the tag: see parseFile
	f.db = nil
	plain, err := unsealInPlace(master, f.nonce, ct, f.tag)
	if errors.Is(err, errTagMismatch) {
		return nil, errAuthFailed
	}
	return plain, err
}

// hasSlot reports whether the file has a slot of type typ.
func (f *sealedFile) hasSlot(typ int) bool {
	return slices.ContainsFunc(f.slots, func(s slot) bool { return s.typ == typ })
}

type dbJSON struct {
	Version        *int               `json:"version"`
	Entries        *[]json.RawMessage `json:"entries"`
	Groups         []json.RawMessage  `json:"groups"`
	IconsOptimized *bool              `json:"icons_optimized"`
}

// entryJSON is an entry with every key Aegis writes.
type entryJSON struct {
	Type     string          `json:"type"`
	UUID     string          `json:"uuid"`
	Name     string          `json:"name"`
	Issuer   string          `json:"issuer"`
	Note     string          `json:"note"`
	Favorite bool            `json:"favorite"`
	Icon     json.RawMessage `json:"icon"`
	IconMime json.RawMessage `json:"icon_mime"`
	IconHash json.RawMessage `json:"icon_hash"`
	Info     *infoJSON       `json:"info"`
	Group    *string         `json:"group"`  // database versions 1 and 2
	Groups   *[]string       `json:"groups"` // version 3
	Archived json.RawMessage `json:"archived"`
}

type infoJSON struct {
	Secret  string `json:"secret"`
	Algo    string `json:"algo"`
	Digits  int    `json:"digits"`
	Period  int    `json:"period"`
	Counter uint64 `json:"counter"`
}

// groupJSON is an Aegis group (database version 3).
type groupJSON struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// entryExtra is what an Aegis entry holds beyond an Account.
type entryExtra struct {
	fields map[string]json.RawMessage // top-level: icon, icon_mime, icon_hash, groups, archived, and keys unknown here
	info   map[string]json.RawMessage // keys of "info" unknown here
}

// hiddenEntry is an entry of a type Account cannot hold (Aegis's "yandex",
// "motp"): kept as it was and written back, never shown.
type hiddenEntry struct {
	raw   json.RawMessage
	label string
	typ   string
}

var (
	modelledEntryKeys = map[string]bool{"type": true, "uuid": true, "name": true, "issuer": true,
		"note": true, "favorite": true, "icon": true, "icon_mime": true, "icon_hash": true,
		"info": true, "group": true, "groups": true, "archived": true}
	modelledInfoKeys = map[string]bool{"secret": true, "algo": true, "digits": true, "period": true, "counter": true}
	// entryKeyOrder is where Aegis puts the kept keys it knows, after
	// "favorite"; keys unknown here follow sorted.
	entryKeyOrder = []string{"icon", "icon_mime", "icon_hash", "groups", "archived"}
)

// parseDB reads the database JSON, version 1 to 3. Most databases hold only
// keys Aegis writes today and entries of the types Account holds, and are
// read in one pass; any other (and any error) goes through the slower
// reader, which keeps unknown keys and words the errors.
func parseDB(data []byte) (*DB, error) {
	if db := parseDBFast(data, nil); db != nil {
		return db, nil
	}
	return parseDBFull(data)
}

// parseDBFast reads the database with jscan, one pass and no reflection:
// a vault of 1,000 accounts is read by every authctl command, and
// encoding/json took most of `authctl code`'s time. It returns nil for
// anything it does not read exactly as parseDBFull would: unknown keys,
// other entry types, any doubt. It never returns an error of its own.
//
// With keep, it reads only the entries keep reports true for (see Find),
// passing over the others unchecked.
//
// parseDBFull adds the top-level groups before any entry. They usually
// follow the entries, so the first entry that names a group has them read
// ahead; databases without groups never need to look.
func parseDBFast(data []byte, keep func(issuer, name string) bool) *DB {
	s := jscan{b: data}
	// One "uuid" key per entry, at most one entry per 50 bytes.
	n := min(bytes.Count(data, []byte(`"uuid"`)), len(data)/50)
	db := newParsedDB(n, nil)
	var (
		version        = -1
		hasEntries     bool
		iconsOptimized *bool
		groups         []groupJSON // the top-level groups, once read
		groupsAdded    bool
		seenGroups     = map[string]bool{}
		seen           = make(map[string]bool, n)
		e              entryJSON
		info           infoJSON
	)
	addGroups := func() bool {
		groupsAdded = true
		for _, g := range groups {
			if !db.addGroup(g, seenGroups) {
				return false
			}
		}
		return true
	}
	s.object(func(k []byte) uint {
		switch string(k) {
		case "version":
			version = s.int()
			return 1
		case "entries":
			hasEntries = true
			at := s.i
			i := 0
			s.array(func() {
				if keep != nil && s.skipEntry(keep) {
					i++
					return
				}
				e, info = entryJSON{}, infoJSON{}
				s.entry(&e, &info)
				if s.bad || !knownType(e.Type) {
					s.bad = true // other types: the full reader keeps them as they are
					return
				}
				if !groupsAdded && (e.Group != nil && *e.Group != "" || e.Groups != nil && len(*e.Groups) > 0) {
					var ok bool
					if groups, ok = groupsAfter(data, at); !ok || !addGroups() {
						s.bad = true
						return
					}
				}
				if db.addEntry(i, &e, nil, nil, seenGroups, seen) != nil {
					s.bad = true
				}
				i++
			})
			return 2
		case "groups":
			g := s.groups()
			if !groupsAdded { // else read ahead already, from these same bytes
				groups = g
				if !addGroups() {
					s.bad = true
				}
			}
			return 4
		case "icons_optimized":
			if !s.word("null") {
				b := s.bool()
				iconsOptimized = &b
			}
			return 8
		}
		return 0
	})
	if s.bad || !s.end() || version < 1 || version > dbVersion || !hasEntries {
		return nil
	}
	db.iconsOptimized = iconsOptimized != nil && *iconsOptimized
	return db
}

// skipEntry reads the issuer and name of the entry at s and, if keep does
// not want it, passes over it and reports true. An entry it cannot read
// that way is left where it is, for the full reading to decide.
func (s *jscan) skipEntry(keep func(issuer, name string) bool) bool {
	t := *s
	var issuer, name string
	t.object(func(k []byte) uint {
		switch string(k) {
		case "issuer":
			issuer = t.str()
			return 1
		case "name":
			name = t.str()
			return 2
		}
		t.skip()
		return anyKey
	})
	if t.bad || keep(issuer, name) {
		return false
	}
	s.i = t.i
	return true
}

// groupsAfter reads the top-level "groups" that follow the entries array
// at data[at:]; ok is false if they cannot be read (the caller gives up).
func groupsAfter(data []byte, at int) (groups []groupJSON, ok bool) {
	t := jscan{b: data, i: at}
	t.skip()
	for !t.bad && t.eat(',') {
		if k := t.key(); string(k) == "groups" {
			return t.groups(), !t.bad
		}
		t.skip()
	}
	return nil, !t.bad
}

// groups reads the top-level groups: null or [{"uuid", "name"}, ...].
func (s *jscan) groups() []groupJSON {
	if s.word("null") {
		return nil
	}
	groups := []groupJSON{}
	s.array(func() {
		var g groupJSON
		s.object(func(k []byte) uint {
			switch string(k) {
			case "uuid":
				g.UUID = s.str()
				return 1
			case "name":
				g.Name = s.str()
				return 2
			}
			return 0
		})
		groups = append(groups, g)
	})
	return groups
}

// entry reads one entry into e, its info into info.
func (s *jscan) entry(e *entryJSON, info *infoJSON) {
	s.object(func(k []byte) uint {
		switch string(k) {
		case "type":
			e.Type = s.constant("totp", "hotp", "steam")
			return 1 << 0
		case "uuid":
			e.UUID = s.str()
			return 1 << 1
		case "name":
			e.Name = s.str()
			return 1 << 2
		case "issuer":
			e.Issuer = s.str()
			return 1 << 3
		case "note":
			e.Note = s.str()
			return 1 << 4
		case "favorite":
			e.Favorite = s.bool()
			return 1 << 5
		case "icon":
			e.Icon = s.raw()
			return 1 << 6
		case "icon_mime":
			e.IconMime = s.raw()
			return 1 << 7
		case "icon_hash":
			e.IconHash = s.raw()
			return 1 << 8
		case "archived":
			e.Archived = s.raw()
			return 1 << 9
		case "group":
			if !s.word("null") {
				g := s.str()
				e.Group = &g
			}
			return 1 << 10
		case "groups":
			if !s.word("null") {
				e.Groups = s.refs()
			}
			return 1 << 11
		case "info":
			if !s.word("null") {
				s.info(info)
				e.Info = info
			}
			return 1 << 12
		}
		return 0
	})
}

// refs reads an entry's group UUIDs.
func (s *jscan) refs() *[]string {
	if at := s.i; s.eat('[') {
		if s.eat(']') {
			return &noGroups // most entries: not an allocation each
		}
		s.i = at
	}
	g := new([]string)
	s.array(func() { *g = append(*g, s.str()) })
	return g
}

// noGroups is "groups": [], shared: never written to.
var noGroups = []string{}

func (s *jscan) info(in *infoJSON) {
	s.object(func(k []byte) uint {
		switch string(k) {
		case "secret":
			in.Secret = s.str()
			return 1
		case "algo":
			in.Algo = s.constant("SHA1", "SHA256", "SHA512")
			return 2
		case "digits":
			in.Digits = s.int()
			return 4
		case "period":
			in.Period = s.int()
			return 8
		case "counter":
			in.Counter = s.uint()
			return 16
		}
		return 0
	})
}

// constant reads a string that is usually one of values, returning the
// constant itself rather than a copy.
func (s *jscan) constant(values ...string) string {
	tok, plain := s.rawString()
	if !s.bad && plain {
		for _, v := range values {
			if string(tok[1:len(tok)-1]) == v {
				return v
			}
		}
	}
	s.i -= len(tok)
	return s.str()
}

func parseDBFull(data []byte) (*DB, error) {
	var j dbJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, corrupt("bad database: %s", jsonerr.Describe(err, "the database"))
	}
	switch {
	case j.Version == nil:
		return nil, corrupt("bad database: no version")
	case *j.Version < 1 || *j.Version > dbVersion:
		return nil, corrupt("unsupported database version %d", *j.Version)
	case j.Entries == nil:
		return nil, corrupt("bad database: no entries")
	}
	db := newParsedDB(len(*j.Entries), j.IconsOptimized)
	groups := map[string]bool{}
	for i, raw := range j.Groups {
		var g groupJSON
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, corrupt("bad database: group %d: %s", i+1, jsonerr.Describe(err, "the group"))
		}
		if !db.addGroup(g, groups) {
			return nil, corrupt("bad database: group %d: uuid %q is not a UUID", i+1, shortText(g.UUID))
		}
	}
	seen := map[string]bool{}
	for i, raw := range *j.Entries {
		var e entryJSON
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, corrupt("bad database: entry %d: %s", i+1, jsonerr.Describe(err, "the entry"))
		}
		if !knownType(e.Type) {
			if e.Type == "" {
				return nil, corrupt("bad database: entry %d (%q): no type", i+1, shortText(entryLabel(&e)))
			}
			db.hidden = append(db.hidden, hiddenEntry{raw: append(json.RawMessage(nil), raw...), label: entryLabel(&e), typ: e.Type})
			continue
		}
		// Keep the keys unknown here.
		var all, info map[string]json.RawMessage
		json.Unmarshal(raw, &all) // cannot fail: raw decoded as an object above
		json.Unmarshal(all["info"], &info)
		for k := range all {
			if modelledEntryKeys[k] {
				delete(all, k)
			}
		}
		for k := range info {
			if modelledInfoKeys[k] {
				delete(info, k)
			}
		}
		if err := db.addEntry(i, &e, all, info, groups, seen); err != nil {
			return nil, corrupt("bad database: %v", err)
		}
	}
	return db, nil
}

func newParsedDB(n int, iconsOptimized *bool) *DB {
	return &DB{
		Accounts: make([]Account, 0, n),
		extra:    map[string]*entryExtra{},
		// Aegis treats a missing icons_optimized as false, and so
		// re-encodes the icons on its next load; keep that.
		iconsOptimized: iconsOptimized != nil && *iconsOptimized,
	}
}

func knownType(t string) bool {
	switch Type(t) {
	case TOTP, HOTP, Steam:
		return true
	}
	return false
}

func entryLabel(e *entryJSON) string {
	return Account{Issuer: e.Issuer, Name: e.Name}.Label()
}

// addGroup adds an Aegis group once; false if its UUID is not one.
func (db *DB) addGroup(g groupJSON, groups map[string]bool) bool {
	u, err := uuid.Parse(g.UUID)
	if err != nil {
		return false
	}
	if g.UUID = u.String(); !groups[g.UUID] {
		groups[g.UUID] = true
		db.groups = append(db.groups, g)
	}
	return true
}

// addEntry adds entry i, of a type Account holds, with the keys unknown
// here (entry level and info level; nil if none).
func (db *DB) addEntry(i int, e *entryJSON, unknown, unknownInfo map[string]json.RawMessage, groups, seen map[string]bool) error {
	a := Account{Type: Type(e.Type), Issuer: e.Issuer, Name: e.Name, Note: e.Note, Favorite: e.Favorite}
	where := func() string { return fmt.Sprintf("entry %d (%q)", i+1, shortText(a.Label())) }
	if e.UUID == "" {
		a.UUID = uuid.NewString() // as Aegis does
	} else if u, err := canonicalUUID(e.UUID); err != nil {
		return fmt.Errorf("%s: uuid %q is not a UUID", where(), shortText(e.UUID))
	} else {
		a.UUID = u
	}
	if seen[a.UUID] {
		return fmt.Errorf("%s: uuid %s is used twice", where(), a.UUID)
	}
	seen[a.UUID] = true

	if e.Info == nil {
		return fmt.Errorf("%s: no info", where())
	}
	secret, err := DecodeSecret(e.Info.Secret)
	if err != nil {
		return fmt.Errorf("%s: %w", where(), err)
	}
	a.Secret = secret
	algo, _ := strings.CutPrefix(e.Info.Algo, "Hmac") // as Aegis reads it
	a.Algorithm = Algorithm(strings.ToUpper(algo))
	a.Digits = e.Info.Digits
	if a.Type == HOTP {
		a.Counter = e.Info.Counter
	} else {
		a.Period = e.Info.Period
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%s: %w", where(), err)
	}

	// Keep what Account does not model.
	x := entryExtra{fields: unknown, info: unknownInfo}
	if len(e.Icon) > 0 && string(e.Icon) != "null" {
		x.fields = setRaw(x.fields, "icon", e.Icon)
	}
	for _, kv := range [...]struct {
		k string
		v json.RawMessage
	}{{"icon_mime", e.IconMime}, {"icon_hash", e.IconHash}, {"archived", e.Archived}} {
		if len(kv.v) > 0 {
			x.fields = setRaw(x.fields, kv.k, kv.v)
		}
	}
	var member []string
	if e.Groups != nil {
		for _, g := range *e.Groups {
			if u, err := uuid.Parse(g); err == nil && groups[u.String()] && !slices.Contains(member, u.String()) {
				member = append(member, u.String()) // Aegis drops groups it has no entry for
			}
		}
	} else if e.Group != nil && *e.Group != "" {
		member = []string{db.groupNamed(*e.Group, groups)}
	}
	if len(member) > 0 {
		b, _ := json.Marshal(member)
		x.fields = setRaw(x.fields, "groups", b)
	}
	if len(x.fields) > 0 || len(x.info) > 0 {
		db.extra[a.UUID] = &entryExtra{fields: x.fields, info: x.info}
	}
	db.Accounts = append(db.Accounts, a)
	return nil
}

// groupNamed is the UUID of the group called name, made if missing: the
// migration of database versions 1 and 2, as Aegis does it.
func (db *DB) groupNamed(name string, groups map[string]bool) string {
	for _, g := range db.groups {
		if g.Name == name {
			return g.UUID
		}
	}
	g := groupJSON{UUID: uuid.NewString(), Name: name}
	db.groups = append(db.groups, g)
	groups[g.UUID] = true
	return g.UUID
}

func setRaw(m map[string]json.RawMessage, k string, v json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	m[k] = append(json.RawMessage(nil), v...)
	return m
}

// encodeDB writes the database as Aegis writes version 3, entries in the
// user's order, then the hidden ones. The accounts must be valid (see
// DB.check).
func encodeDB(db *DB) []byte {
	b := make([]byte, 0, 256+300*(len(db.Accounts)+len(db.hidden)))
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, dbVersion, 10)
	b = append(b, `,"entries":[`...)
	for i := range db.Accounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEntry(b, &db.Accounts[i], db.extra[db.Accounts[i].UUID])
	}
	for i, h := range db.hidden {
		if i > 0 || len(db.Accounts) > 0 {
			b = append(b, ',')
		}
		b = append(b, h.raw...)
	}
	b = append(b, `],"groups":[`...)
	for i, g := range db.groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"uuid":`...)
		b = appendString(b, g.UUID)
		b = append(b, `,"name":`...)
		b = appendString(b, g.Name)
		b = append(b, '}')
	}
	b = append(b, `],"icons_optimized":`...)
	b = strconv.AppendBool(b, db.iconsOptimized)
	return append(b, '}')
}

func appendEntry(b []byte, a *Account, x *entryExtra) []byte {
	if x == nil {
		x = &entryExtra{}
	}
	b = append(b, `{"type":`...)
	b = appendString(b, string(a.Type))
	b = append(b, `,"uuid":`...)
	b = appendString(b, a.UUID)
	b = append(b, `,"name":`...)
	b = appendString(b, a.Name)
	b = append(b, `,"issuer":`...)
	b = appendString(b, a.Issuer)
	b = append(b, `,"note":`...)
	b = appendString(b, a.Note)
	b = append(b, `,"favorite":`...)
	b = strconv.AppendBool(b, a.Favorite)
	if icon, ok := x.fields["icon"]; ok {
		b = append(b, `,"icon":`...)
		b = append(b, icon...)
		for _, k := range entryKeyOrder[1:3] {
			if v, ok := x.fields[k]; ok {
				b = appendKey(b, k)
				b = append(b, v...)
			}
		}
	} else {
		b = append(b, `,"icon":null`...) // Aegis requires the key
	}
	b = append(b, `,"info":{"secret":`...)
	b = appendString(b, a.SecretBase32())
	b = append(b, `,"algo":`...)
	b = appendString(b, string(a.Algorithm))
	b = append(b, `,"digits":`...)
	b = strconv.AppendInt(b, int64(a.Digits), 10)
	if a.Type == HOTP {
		b = append(b, `,"counter":`...)
		b = strconv.AppendUint(b, a.Counter, 10)
	} else {
		b = append(b, `,"period":`...)
		b = strconv.AppendInt(b, int64(a.Period), 10)
	}
	for _, k := range sortedKeys(x.info) {
		b = appendKey(b, k)
		b = append(b, x.info[k]...)
	}
	b = append(b, `},"groups":`...)
	if g, ok := x.fields["groups"]; ok {
		b = append(b, g...)
	} else {
		b = append(b, `[]`...)
	}
	if v, ok := x.fields["archived"]; ok {
		b = appendKey(b, "archived")
		b = append(b, v...)
	}
	for _, k := range sortedKeys(x.fields) {
		if !slices.Contains(entryKeyOrder, k) {
			b = appendKey(b, k)
			b = append(b, x.fields[k]...)
		}
	}
	return append(b, '}')
}

func sortedKeys(m map[string]json.RawMessage) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendKey(b []byte, k string) []byte {
	b = append(b, ',')
	b = appendString(b, k)
	return append(b, ':')
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

type fileOut struct {
	Version int             `json:"version"`
	Header  headerOut       `json:"header"`
	DB      json.RawMessage `json:"db"`
}

type headerOut struct {
	Slots  []any       `json:"slots"`
	Params *paramsJSON `json:"params"`
}

// sealFile writes the whole vault file: the database (from encodeDB)
// sealed under master with a fresh nonce, or as plain JSON when master is
// nil, indented as Aegis indents it.
func sealFile(master []byte, slots []slot, plain []byte) ([]byte, error) {
	out := fileOut{Version: fileVersion, DB: plain}
	if master != nil {
		ct, nonce, tag, err := seal(master, plain)
		if err != nil {
			return nil, err
		}
		out.Header.Params = &paramsJSON{Nonce: hex.EncodeToString(nonce), Tag: hex.EncodeToString(tag)}
		out.Header.Slots = make([]any, len(slots))
		for i := range slots {
			out.Header.Slots[i] = slots[i].json()
		}
		db := make([]byte, 0, base64.StdEncoding.EncodedLen(len(ct))+2)
		db = append(db, '"')
		db = base64.StdEncoding.AppendEncode(db, ct)
		out.DB = append(db, '"')
	}
	return json.MarshalIndent(out, "", "    ")
}

// DecodeAegis reads an Aegis vault file made by Aegis or by EncodeAegis:
// plain (slots null, db an object), or encrypted, which password opens
// through a password slot. A nil password for an encrypted file gives an
// error wrapping ErrLocked, a wrong one ErrWrongPassword, a damaged file
// ErrCorrupt. The accounts come normalized and valid, with their Aegis
// UUIDs. An entry of a type Account cannot hold (Aegis's Yandex and mOTP)
// is an error naming it rather than an account silently left behind.
func DecodeAegis(data []byte, password []byte) ([]Account, error) {
	f, err := parseFile(data, nil)
	if err != nil {
		return nil, err
	}
	var master []byte
	if !f.plain {
		if !f.hasSlot(slotPassword) {
			return nil, fmt.Errorf("%w: the file has no password slot (only keyring or biometric slots), so it cannot be opened here", ErrLocked)
		}
		if password == nil {
			return nil, fmt.Errorf("%w: the file is encrypted: its password is needed", ErrLocked)
		}
		if master, err = unlockPassword(f.slots, password); err != nil {
			return nil, err
		}
		defer clear(master)
	}
	plain, err := f.open(master)
	if err != nil {
		return nil, err
	}
	db, err := parseDB(plain)
	if err != nil {
		return nil, err
	}
	if len(db.hidden) > 0 {
		h := db.hidden[0]
		return nil, fmt.Errorf("entry %q: type %q is not supported (only totp, hotp and steam)", shortText(h.label), shortText(h.typ))
	}
	return db.Accounts, nil
}

// EncodeAegis writes accounts as an Aegis vault file that the Aegis app
// imports: encrypted under a new master key with one password slot, or
// plain when password is nil. Accounts without a UUID get one.
func EncodeAegis(accounts []Account, password []byte) ([]byte, error) {
	db := &DB{Accounts: cloneAccounts(accounts), iconsOptimized: true}
	if err := db.check(); err != nil {
		return nil, err
	}
	return encodeExport(db, password)
}

// encodeExport seals db for export under a new master key and a password
// slot, or writes it plain for a nil password.
func encodeExport(db *DB, password []byte) ([]byte, error) {
	var master []byte
	var slots []slot
	if password != nil {
		master = newMasterKey()
		defer clear(master)
		s, err := newPasswordSlot(master, password)
		if err != nil {
			return nil, err
		}
		slots = []slot{s}
	}
	return sealFile(master, slots, encodeDB(db))
}

// shortText keeps text from a damaged file short in an error message.
func shortText(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return s[:40]
}
