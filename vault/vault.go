package vault

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/zalando/go-keyring"
)

// Prompt asks the person for the vault password; reason says why in one
// line, e.g. "no keyring answered (org.freedesktop.secrets not provided):
// enter the vault password". An error from Prompt (the person cancelled)
// ends Open with that error.
type Prompt func(reason string) ([]byte, error)

// Options say how Open and Create may unlock a vault.
type Options struct {
	Keyring   Keyring // nil: the OS keyring
	Prompt    Prompt  // nil: no password can be asked for (then ErrLocked when the keyring does not answer)
	NoKeyring bool    // do not try the keyring at all (e.g. the user chose password-only)
}

func (o Options) keyring() Keyring {
	if o.Keyring == nil {
		return osKeyring{}
	}
	return o.Keyring
}

var (
	// ErrNoKeyring is a vault that cannot be made or kept without a
	// password because no keyring answers.
	ErrNoKeyring = errors.New("no keyring")
	// ErrWrongPassword is a password that opens no password slot.
	ErrWrongPassword = errors.New("wrong password")
	// ErrLocked is a vault that nothing at hand can open: the keyring did
	// not answer and no password could be asked for.
	ErrLocked = errors.New("vault is locked")
)

// maxPasswordTries is how many times Open asks for the password.
const maxPasswordTries = 3

// A Vault is an open vault file: its accounts in memory, the master key,
// and the slots that wrap it. Its methods are safe for concurrent use; other
// processes (and other Vault values) may change the same file, and Edit
// and Reload catch up with them.
type Vault struct {
	path string
	opts Options

	mu         sync.Mutex
	closed     bool
	master     []byte // nil for a plain (unencrypted) Aegis file
	slots      []slot
	db         *DB
	fileSum    [32]byte // SHA-256 of the file as last read or written
	saved      [32]byte // SHA-256 of slots and database as last saved, see update
	savedKnown bool
}

// DefaultPath is where the vault lives: $AUTHDESK_VAULT, else
// os.UserConfigDir()/authdesk/vault.json.
func DefaultPath() (string, error) {
	if p := os.Getenv("AUTHDESK_VAULT"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("vault path: %w; set AUTHDESK_VAULT", err)
	}
	return filepath.Join(dir, "authdesk", "vault.json"), nil
}

// Create makes a new, empty vault at path (and its directory, mode 0700):
// with a keyring slot when the keyring answers (and not opts.NoKeyring),
// plus a password slot when password is not nil. When neither is possible
// the error wraps ErrNoKeyring and says how to fix it. Create never
// replaces a file: one already at path gives an error wrapping
// fs.ErrExist.
func Create(path string, opts Options, password []byte) (*Vault, error) {
	fail := func(err error) (*Vault, error) {
		return nil, fmt.Errorf("create vault %s: %w", path, err)
	}
	if password != nil && len(password) == 0 {
		return fail(errors.New("the password is empty"))
	}
	if _, err := os.Lstat(path); err == nil {
		return fail(fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fail(err)
	}

	master := newMasterKey()
	var slots []slot
	var keyringErr error
	var madeEntry string
	if !opts.NoKeyring {
		slotKey := newMasterKey()
		s, err := newRawSlot(master, slotKey)
		if err != nil {
			return fail(err)
		}
		user := keyringUser(s.uuid)
		if keyringErr = opts.keyring().Set(keyringService, user, hex.EncodeToString(slotKey)); keyringErr == nil {
			slots = append(slots, s)
			madeEntry = user
		}
		clear(slotKey)
	}
	if password != nil {
		s, err := newPasswordSlot(master, password)
		if err != nil {
			return fail(err)
		}
		slots = append(slots, s)
	}
	switch {
	case len(slots) == 0 && opts.NoKeyring:
		return fail(fmt.Errorf("%w: the keyring is turned off and no password was given: give a password", ErrNoKeyring))
	case len(slots) == 0:
		return fail(fmt.Errorf("%w: %s; give a password (AUTHDESK_PASSWORD or --password-file) or unlock the keyring",
			ErrNoKeyring, keyringProblem(keyringErr)))
	}

	db := &DB{extra: map[string]*entryExtra{}, iconsOptimized: true}
	plain := encodeDB(db)
	data, err := sealFile(master, slots, plain)
	if err == nil {
		var unlock func()
		if unlock, err = lockVault(path); err == nil {
			err = createFile(path, data)
			unlock()
		}
	}
	if err != nil {
		if madeEntry != "" {
			opts.keyring().Delete(keyringService, madeEntry)
		}
		return fail(err)
	}
	v := &Vault{path: path, opts: opts, master: master, slots: slots, db: db, fileSum: sha256.Sum256(data)}
	v.saved, v.savedKnown = contentSum(slots, plain), true
	return v, nil
}

// Open reads and unlocks the vault at path. It asks the keyring once for the
// keyring slot's key; when that fails (no D-Bus, a locked keyring, no
// entry) or the vault has only a password slot, it asks opts.Prompt for the
// password, saying why, up to 3 times. Without a Prompt the error wraps
// ErrLocked and says what to do. A wrong password gives ErrWrongPassword, a
// missing file fs.ErrNotExist, a damaged one ErrCorrupt with what is wrong;
// Open never writes the file.
func Open(path string, opts Options) (*Vault, error) {
	var v *Vault
	err := read(path, opts, func(f *sealedFile, master, plain []byte, sum [32]byte) error {
		db, err := parseDB(plain)
		if err != nil {
			return err
		}
		v = &Vault{path: path, opts: opts, master: master, slots: f.slots, db: db, fileSum: sum}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open vault %s: %w", path, err)
	}
	return v, nil
}

// Find reads, from the vault at path, only the accounts that keep reports
// true for given their issuer and name, unlocking it as Open does: what
// `authctl code QUERY` needs from a vault of hundreds of accounts, without
// building all of them. Unlike Open, it does not check the accounts it
// skips. It never writes.
func Find(path string, opts Options, keep func(issuer, name string) bool) ([]Account, error) {
	var found []Account
	err := read(path, opts, func(f *sealedFile, master, plain []byte, sum [32]byte) error {
		clear(master)
		if db := parseDBFast(plain, keep); db != nil {
			found = db.Accounts
			return nil
		}
		db, err := parseDBFull(plain)
		if err != nil {
			return err
		}
		for _, a := range db.Accounts {
			if keep(a.Issuer, a.Name) {
				found = append(found, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open vault %s: %w", path, err)
	}
	return found, nil
}

// read reads, unlocks and decrypts the vault at path and hands use the
// file, master key (nil for a plain file), database plaintext and the
// file's SHA-256. The plaintext is wiped when use returns.
func read(path string, opts Options, use func(f *sealedFile, master, plain []byte, sum [32]byte) error) error {
	data, mem, err := readScratch(path)
	if err != nil {
		return err
	}
	defer mem.free()
	sum := sha256.Sum256(data)
	f, err := parseFile(data, mem)
	if err != nil {
		return err
	}
	var master []byte
	if !f.plain {
		if master, err = unlock(f, opts); err != nil {
			return err
		}
	}
	plain, err := f.open(master)
	if err != nil {
		return err
	}
	err = use(f, master, plain, sum)
	clear(plain)
	return err
}

// readFile reads the vault, wording the usual failures.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, pathErr(err)
	}
	return data, nil
}

// unlock finds the master key of f: through the keyring, one call per
// keyring slot (there is normally one), else through the password.
func unlock(f *sealedFile, opts Options) ([]byte, error) {
	problem := "" // why the keyring did not open the vault
	if !opts.NoKeyring && f.hasSlot(slotRaw) {
		kr := opts.keyring()
		for i := range f.slots {
			s := &f.slots[i]
			if s.typ != slotRaw {
				continue
			}
			secret, err := kr.Get(keyringService, keyringUser(s.uuid))
			if err != nil {
				problem = keyringProblem(err)
				if errors.Is(err, keyring.ErrNotFound) {
					continue // another keyring slot may be this machine's
				}
				break // the keyring is down: do not ask it again
			}
			key, err := keyringKey(secret)
			if err != nil {
				problem = fmt.Sprintf("the keyring entry %s is unusable: %v", keyringUser(s.uuid), err)
				continue
			}
			master, err := s.unwrap(key)
			clear(key)
			if err != nil {
				problem = fmt.Sprintf("the keyring's key does not open this vault (slot %s: %v: the slot was modified, or the keyring holds another vault's key)", s.uuid, err)
				continue
			}
			return master, nil
		}
	}

	hasPassword := f.hasSlot(slotPassword)
	switch {
	case !hasPassword && problem != "":
		return nil, fmt.Errorf("%w (%w): %s, and the vault has no password slot: unlock the keyring and try again", ErrLocked, ErrNoKeyring, problem)
	case !hasPassword && opts.NoKeyring && f.hasSlot(slotRaw):
		return nil, fmt.Errorf("%w: the vault opens only through the keyring, which is turned off here", ErrLocked)
	case !hasPassword:
		return nil, fmt.Errorf("%w: it has no keyring or password slot, only slots another device holds the key of", ErrLocked)
	case opts.Prompt == nil && problem != "":
		return nil, fmt.Errorf("%w: %s; set AUTHDESK_PASSWORD or use --password-file, or unlock the keyring", ErrLocked, problem)
	case opts.Prompt == nil:
		return nil, fmt.Errorf("%w: it needs its password; set AUTHDESK_PASSWORD or use --password-file", ErrLocked)
	}
	reason := "enter the vault password"
	if problem != "" {
		reason = problem + ": enter the vault password"
	}
	for try := 1; ; try++ {
		pw, err := opts.Prompt(reason)
		if err != nil {
			return nil, fmt.Errorf("password prompt: %w", err)
		}
		master, err := unlockPassword(f.slots, pw)
		if err == nil || !errors.Is(err, ErrWrongPassword) || try == maxPasswordTries {
			return master, err
		}
		reason = fmt.Sprintf("wrong password, try again (%d of %d)", try+1, maxPasswordTries)
	}
}

// Path is the file the vault was opened or created at.
func (v *Vault) Path() string { return v.path }

// Accounts is a copy of the accounts, in the user's order.
func (v *Vault) Accounts() []Account {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil
	}
	return cloneAccounts(v.db.Accounts)
}

// errClosed is any use of a Vault after Close.
var errClosed = errors.New("the vault is closed")

// Edit changes the vault: it takes the inter-process lock, reloads the file
// if another process changed it since it was read, runs fn on a copy of
// the content and, if fn returns nil, saves atomically (temp file, fsync,
// rename, fsync of the directory; the previous file kept as
// vault.json.bak). An error from fn is returned as it is, and nothing is
// saved. fn must not call v's methods. An Edit that changes nothing writes
// nothing.
func (v *Vault) Edit(fn func(db *DB) error) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	var fnErr error
	err := v.update(func(st *state) error {
		fnErr = fn(st.db)
		return fnErr
	})
	if err != nil && err == fnErr {
		return err
	}
	if err != nil {
		return fmt.Errorf("edit vault %s: %w", v.path, err)
	}
	return nil
}

// Reload re-reads the file if it changed on disk (another process saved
// it) and reports whether it did. A file that no longer opens is an error,
// and the accounts in memory stay as they were.
func (v *Vault) Reload() (changed bool, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return false, fmt.Errorf("reload vault %s: %w", v.path, errClosed)
	}
	changed, err = v.refresh()
	if err != nil {
		return false, fmt.Errorf("reload vault %s: %w", v.path, err)
	}
	return changed, nil
}

// HasPassword reports whether the vault has a password slot.
func (v *Vault) HasPassword() bool { return v.hasSlot(slotPassword) }

// HasKeyring reports whether the vault has a keyring slot.
func (v *Vault) HasKeyring() bool { return v.hasSlot(slotRaw) }

func (v *Vault) hasSlot(typ int) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.ContainsFunc(v.slots, func(s slot) bool { return s.typ == typ })
}

// SetPassword adds a password slot, replacing any there was, and saves. A
// plain (unencrypted) Aegis file becomes encrypted.
func (v *Vault) SetPassword(pw []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	err := v.update(func(st *state) error {
		if st.master == nil {
			st.master = newMasterKey()
		}
		s, err := newPasswordSlot(st.master, pw)
		if err != nil {
			return err
		}
		st.slots = append(slices.DeleteFunc(st.slots, isPasswordSlot), s)
		return nil
	})
	if err != nil {
		return fmt.Errorf("set the password of vault %s: %w", v.path, err)
	}
	return nil
}

// RemovePassword removes the password slot and saves, leaving the vault to
// the keyring alone. It refuses, with an error wrapping ErrNoKeyring, unless
// the keyring answers now with the key of a keyring slot that opens the
// vault: otherwise nothing would open it any more.
func (v *Vault) RemovePassword() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	err := v.update(func(st *state) error {
		if !slices.ContainsFunc(st.slots, isPasswordSlot) {
			return nil
		}
		if err := v.keyringOpens(st); err != nil {
			return fmt.Errorf("%w: %v, so without the password nothing would open the vault", ErrNoKeyring, err)
		}
		st.slots = slices.DeleteFunc(st.slots, isPasswordSlot)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove the password of vault %s: %w", v.path, err)
	}
	return nil
}

func isPasswordSlot(s slot) bool { return s.typ == slotPassword }

// AddKeyring lets this computer's keyring open the vault from now on: it
// adds a keyring slot, keeps the slot's key in the keyring, and saves. A
// vault copied from another computer, or an Aegis vault used as it is,
// otherwise opens here only by its password. added is false, and nothing is
// written, when a keyring slot opens with the keyring's key already. An
// error wraps ErrNoKeyring when the keyring does not answer. It asks the
// keyring even if the vault was opened with NoKeyring: it is asked to.
//
// The new slot goes first, as Open asks the keyring for each keyring slot
// in turn: the slots of other computers then cost a look-up only there.
func (v *Vault) AddKeyring() (added bool, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var entry string
	err = v.update(func(st *state) error {
		if st.master != nil && v.slotOpens(st) == nil {
			return nil
		}
		if st.master == nil {
			st.master = newMasterKey() // a plain Aegis file: encrypt it
		}
		slotKey := newMasterKey()
		defer clear(slotKey)
		s, err := newRawSlot(st.master, slotKey)
		if err != nil {
			return err
		}
		if err := v.opts.keyring().Set(keyringService, keyringUser(s.uuid), hex.EncodeToString(slotKey)); err != nil {
			return fmt.Errorf("%w: %s", ErrNoKeyring, keyringProblem(err))
		}
		entry = keyringUser(s.uuid)
		st.slots = append([]slot{s}, st.slots...)
		return nil
	})
	if err != nil {
		if entry != "" {
			v.opts.keyring().Delete(keyringService, entry) // the slot was not saved
		}
		return false, fmt.Errorf("add a keyring slot to vault %s: %w", v.path, err)
	}
	return entry != "", nil
}

// keyringOpens checks that some keyring slot of st opens with the key the
// keyring holds for it now.
func (v *Vault) keyringOpens(st *state) error {
	if v.opts.NoKeyring {
		return errors.New("the keyring is turned off here")
	}
	return v.slotOpens(st)
}

// slotOpens is keyringOpens, asking the keyring even when the vault was
// opened with NoKeyring.
func (v *Vault) slotOpens(st *state) error {
	problem := "the vault has no keyring slot"
	for i := range st.slots {
		s := &st.slots[i]
		if s.typ != slotRaw {
			continue
		}
		secret, err := v.opts.keyring().Get(keyringService, keyringUser(s.uuid))
		if err != nil {
			problem = keyringProblem(err)
			continue
		}
		key, err := keyringKey(secret)
		if err != nil {
			problem = err.Error()
			continue
		}
		master, err := s.unwrap(key)
		clear(key)
		if err != nil {
			problem = "the keyring's key does not open the vault"
			continue
		}
		same := subtle.ConstantTimeCompare(master, st.master) == 1
		clear(master)
		if same {
			return nil
		}
	}
	return errors.New(problem)
}

// ExportAegis is the vault's content, as last read or saved, as an Aegis
// file the Aegis app imports: encrypted under a new master key with one
// password slot, or plain for a nil password. Icons and groups from Aegis
// go with it.
func (v *Vault) ExportAegis(password []byte) ([]byte, error) {
	v.mu.Lock()
	db := v.db
	closed := v.closed
	if !closed {
		db = db.clone()
	}
	v.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("export vault %s: %w", v.path, errClosed)
	}
	out, err := encodeExport(db, password)
	if err != nil {
		return nil, fmt.Errorf("export vault %s: %w", v.path, err)
	}
	return out, nil
}

// Close forgets the master key and the accounts. The Vault is unusable
// afterwards.
func (v *Vault) Close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return
	}
	v.closed = true
	clear(v.master)
	v.master = nil
	v.db.wipe()
}

// state is what a save writes: the master key (nil for a plain file), the
// slots, and the content.
type state struct {
	master []byte
	slots  []slot
	db     *DB
}

// update is every save: under the file lock, it catches up with the file,
// lets change alter a copy of the state, and writes the result if change
// returns nil and the result differs from what the file holds. v.mu is
// held by the caller.
func (v *Vault) update(change func(st *state) error) error {
	if v.closed {
		return errClosed
	}
	unlock, err := lockVault(v.path)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := v.refresh(); err != nil {
		return err
	}
	if !v.savedKnown {
		v.saved, v.savedKnown = contentSum(v.slots, encodeDB(v.db)), true
	}
	st := state{master: v.master, slots: slices.Clone(v.slots), db: v.db.clone()}
	if err := change(&st); err != nil {
		return err
	}
	if err := st.db.check(); err != nil {
		return err
	}
	plain := encodeDB(st.db)
	sum := contentSum(st.slots, plain)
	if sum == v.saved {
		v.db = st.db
		return nil
	}
	data, err := sealFile(st.master, st.slots, plain)
	if err != nil {
		return err
	}
	if err := replaceFile(v.path, data); err != nil {
		return err
	}
	v.master, v.slots, v.db = st.master, st.slots, st.db
	v.fileSum, v.saved = sha256.Sum256(data), sum
	return nil
}

// refresh re-reads the file if its bytes changed since v last read or wrote
// it. v.mu is held by the caller.
func (v *Vault) refresh() (bool, error) {
	data, mem, err := readScratch(v.path)
	if err != nil {
		return false, err
	}
	defer mem.free()
	sum := sha256.Sum256(data)
	if sum == v.fileSum {
		return false, nil
	}
	f, err := parseFile(data, mem)
	if err != nil {
		return false, err
	}
	// No save here changes a slot in place (a new password is a new slot),
	// so a known slot with other bytes is damage, which a save would copy
	// into vault.json and vault.json.bak both.
	for i := range f.slots {
		for j := range v.slots {
			if f.slots[i].uuid == v.slots[j].uuid && !f.slots[i].equal(&v.slots[j]) {
				return false, corrupt("slot %s changed on disk since the vault was opened: the file was modified", f.slots[i].uuid)
			}
		}
	}
	master := v.master
	switch {
	case f.plain:
		master = nil
	case master == nil:
		return false, errors.New("the file was encrypted by another program since it was opened here: open it again")
	}
	plain, err := f.open(master)
	if err != nil {
		return false, corrupt("authentication failed: the file was modified, is corrupt, or is another vault now (AES-GCM tag mismatch): open it again")
	}
	db, err := parseDB(plain)
	if err != nil {
		return false, err
	}
	v.master, v.slots, v.db, v.fileSum, v.savedKnown = master, f.slots, db, sum, false
	return true, nil
}

// contentSum identifies what a save would write, less the random nonce:
// the slots and the database plaintext.
func contentSum(slots []slot, plain []byte) [32]byte {
	h := sha256.New()
	for i := range slots {
		b, _ := json.Marshal(slots[i].json())
		h.Write(b)
	}
	h.Write([]byte{0})
	h.Write(plain)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
