package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/authdesk/authdesk/vault"
	"github.com/authdesk/authdesk/vault/formats"
	"github.com/authdesk/authdesk/vault/scan"
)

type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	path         string // vault file
	passwordFile string
	givenUsed    bool // the non-interactive password was already tried once
}

func (c *cli) main(args []string) error {
	fs := newFlags("authctl")
	fs.StringVar(&c.path, "vault", "", "vault file")
	fs.StringVar(&c.passwordFile, "password-file", "", "file holding the vault password")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.stdout, usage)
			return nil
		}
		return usagef("%v (see authctl --help)", err)
	}
	args = fs.Args()
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usage)
		return usagef("no command given")
	}
	if c.path == "" {
		p, err := vault.DefaultPath()
		if err != nil {
			return err
		}
		c.path = p
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "add":
		return c.add(rest)
	case "scan":
		return c.scan(rest)
	case "list", "ls":
		return c.list(rest)
	case "code":
		return c.code(rest)
	case "next":
		return c.next(rest)
	case "rm", "remove":
		return c.rm(rest)
	case "rename":
		return c.rename(rest)
	case "import":
		return c.importFile(rest)
	case "export":
		return c.export(rest)
	case "passwd":
		return c.passwd(rest)
	case "keyring":
		return c.keyring(rest)
	case "help":
		fmt.Fprint(c.stdout, usage)
		return nil
	}
	return usagef("unknown command %q (see authctl --help)", cmd)
}

// newFlags is a flag set that reports errors to us instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags that may come before or after the positional
// arguments ("code github --json"), returning the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// --- passwords -------------------------------------------------------------

// givenPassword is the password from --password-file or AUTHDESK_PASSWORD,
// without asking anybody; nil when neither is set.
func (c *cli) givenPassword() ([]byte, string, error) {
	if c.passwordFile != "" {
		b, err := os.ReadFile(c.passwordFile)
		if err != nil {
			return nil, "", fmt.Errorf("read password file: %w", err)
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(b) == 0 {
			return nil, "", fmt.Errorf("password file %s is empty", c.passwordFile)
		}
		return b, "--password-file", nil
	}
	if pw, ok := os.LookupEnv("AUTHDESK_PASSWORD"); ok && pw != "" {
		return []byte(pw), "AUTHDESK_PASSWORD", nil
	}
	return nil, "", nil
}

// interactive reports whether a person can be asked on the terminal.
func (c *cli) interactive() bool {
	f, ok := c.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ask reads a password from the terminal without echo.
func (c *cli) ask(prompt string) ([]byte, error) {
	f := c.stdin.(*os.File)
	fmt.Fprint(c.stderr, prompt)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	return pw, nil
}

// prompt is the vault.Prompt of the CLI: the given password once, else the
// terminal, else an error that says how to give one.
func (c *cli) prompt(reason string) ([]byte, error) {
	pw, from, err := c.givenPassword()
	if err != nil {
		return nil, err
	}
	if pw != nil {
		if c.givenUsed {
			return nil, fmt.Errorf("%w (the password from %s)", vault.ErrWrongPassword, from)
		}
		c.givenUsed = true
		return pw, nil
	}
	if c.interactive() {
		fmt.Fprintf(c.stderr, "authctl: %s\n", reason)
		return c.ask("vault password: ")
	}
	return nil, fmt.Errorf("%s; no password given: set AUTHDESK_PASSWORD or pass --password-file", reason)
}

// newPassword asks for a new password: from the given source, or typed twice.
func (c *cli) newPassword(reason string) ([]byte, error) {
	pw, _, err := c.givenPassword()
	if err != nil || pw != nil {
		return pw, err
	}
	if !c.interactive() {
		return nil, fmt.Errorf("%s; no password given: set AUTHDESK_PASSWORD or pass --password-file", reason)
	}
	fmt.Fprintf(c.stderr, "authctl: %s\n", reason)
	for {
		a, err := c.ask("new vault password: ")
		if err != nil {
			return nil, err
		}
		if len(a) == 0 {
			fmt.Fprintln(c.stderr, "authctl: the password is empty, try again")
			continue
		}
		b, err := c.ask("repeat it: ")
		if err != nil {
			return nil, err
		}
		if bytes.Equal(a, b) {
			return a, nil
		}
		fmt.Fprintln(c.stderr, "authctl: the two passwords differ, try again")
	}
}

// --- opening the vault ------------------------------------------------------

func (c *cli) options() vault.Options { return vault.Options{Prompt: c.prompt} }

func (c *cli) open() (*vault.Vault, error) {
	v, err := vault.Open(c.path, c.options())
	return v, c.noVault(err)
}

// noVault words a missing vault for the person.
func (c *cli) noVault(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no vault at %s: add an account first (authctl add)", c.path)
	}
	return err
}

// openOrCreate opens the vault, creating it when there is none: with a
// keyring slot when a keyring answers, and a password slot when a password
// was given or the keyring does not answer.
func (c *cli) openOrCreate() (*vault.Vault, error) {
	v, err := vault.Open(c.path, c.options())
	if !errors.Is(err, fs.ErrNotExist) {
		return v, err
	}
	pw, _, err := c.givenPassword()
	if err != nil {
		return nil, err
	}
	v, err = vault.Create(c.path, c.options(), pw)
	if errors.Is(err, vault.ErrNoKeyring) && pw == nil {
		pw, err = c.newPassword(fmt.Sprintf("creating %s: no keyring answered, so the vault needs a password", c.path))
		if err != nil {
			return nil, err
		}
		v, err = vault.Create(c.path, c.options(), pw)
	}
	if err != nil {
		return nil, err
	}
	how := "the OS keyring"
	switch {
	case v.HasKeyring() && v.HasPassword():
		how = "the OS keyring, or the password"
	case v.HasPassword():
		how = "its password"
	}
	fmt.Fprintf(c.stderr, "authctl: created vault %s, unlocked by %s\n", c.path, how)
	return v, nil
}

// --- adding -----------------------------------------------------------------

func (c *cli) add(args []string) error {
	fs := newFlags("add")
	var a vault.Account
	var secret, typ, algo string
	var counter uint64
	fs.StringVar(&a.Issuer, "issuer", "", "")
	fs.StringVar(&a.Name, "name", "", "")
	fs.StringVar(&secret, "secret", "", "")
	fs.StringVar(&typ, "type", "totp", "")
	fs.StringVar(&algo, "algorithm", "SHA1", "")
	fs.IntVar(&a.Digits, "digits", 0, "")
	fs.IntVar(&a.Period, "period", 0, "")
	fs.Uint64Var(&counter, "counter", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var accounts []vault.Account
	switch {
	case len(pos) == 1 && secret == "":
		accounts, err = formats.ParseAny(pos[0])
		if err != nil {
			return err
		}
	case len(pos) == 0 && secret != "":
		a.Type = vault.Type(strings.ToLower(typ))
		a.Algorithm = vault.Algorithm(strings.ToUpper(algo))
		a.Counter = counter
		if a.Secret, err = vault.DecodeSecret(secret); err != nil {
			return fmt.Errorf("--secret: %w", err)
		}
		a.Normalize()
		if err := a.Validate(); err != nil {
			return err
		}
		accounts = []vault.Account{a}
	default:
		return usagef("add takes one otpauth:// URI, or --secret with --issuer and --name")
	}
	return c.addAll(accounts, false)
}

// addAll stores accounts in one save. A duplicate is an error for a single
// add; when several arrive at once (scan, import) duplicates are skipped
// and reported, so that re-importing a file is harmless.
func (c *cli) addAll(accounts []vault.Account, skipDuplicates bool) error {
	v, err := c.openOrCreate()
	if err != nil {
		return err
	}
	defer v.Close()
	var added []vault.Account
	skipped := 0
	err = v.Edit(func(db *vault.DB) error {
		added, skipped = nil, 0
		for _, a := range accounts {
			got, err := db.Add(a)
			if errors.Is(err, vault.ErrDuplicate) && skipDuplicates {
				fmt.Fprintf(c.stderr, "authctl: skipped %s: %v\n", a.Label(), err)
				skipped++
				continue
			}
			if err != nil {
				return err
			}
			added = append(added, got)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range added {
		fmt.Fprintf(c.stdout, "added %s\n", a.Label())
	}
	if len(added) == 0 && skipped > 0 {
		fmt.Fprintf(c.stdout, "nothing new: %d already in the vault\n", skipped)
	}
	return nil
}

func (c *cli) scan(args []string) error {
	if len(args) == 0 {
		return usagef("scan needs at least one image file")
	}
	var accounts []vault.Account
	for _, path := range args {
		payloads, err := scan.DecodeFile(path)
		if err == nil {
			payloads, err = scan.OTPAuth(payloads)
		}
		if err != nil {
			return fmt.Errorf("scan %s: %w", path, err)
		}
		for _, p := range payloads {
			as, err := formats.ParseAny(p)
			if err != nil {
				return fmt.Errorf("scan %s: %w", path, err)
			}
			accounts = append(accounts, as...)
		}
	}
	return c.addAll(accounts, true)
}

func (c *cli) importFile(args []string) error {
	fs := newFlags("import")
	format := fs.String("format", "auto", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("import takes one file")
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	f := formats.Format(*format)
	if f == "auto" {
		if f, err = formats.Detect(data); err != nil {
			return fmt.Errorf("import %s: %w", pos[0], err)
		}
	}
	accounts, err := formats.Import(data, f, nil)
	if errors.Is(err, vault.ErrLocked) {
		pw, _, gerr := c.givenPassword()
		if gerr != nil {
			return gerr
		}
		if pw == nil && c.interactive() {
			pw, gerr = c.ask(fmt.Sprintf("password of %s: ", pos[0]))
			if gerr != nil {
				return gerr
			}
		}
		if pw == nil {
			return fmt.Errorf("import %s: the file is encrypted: give its password in AUTHDESK_PASSWORD or --password-file", pos[0])
		}
		accounts, err = formats.Import(data, f, pw)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", pos[0], err)
	}
	if len(accounts) == 0 {
		return fmt.Errorf("import %s: the file holds no accounts", pos[0])
	}
	return c.addAll(accounts, true)
}

// --- reading ----------------------------------------------------------------

func (c *cli) list(args []string) error {
	fs := newFlags("list")
	asJSON := fs.Bool("json", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("list takes no arguments")
	}
	v, err := c.open()
	if err != nil {
		return err
	}
	defer v.Close()
	accounts := v.Accounts()
	if *asJSON {
		type item struct {
			UUID      string `json:"uuid"`
			Issuer    string `json:"issuer"`
			Name      string `json:"name"`
			Type      string `json:"type"`
			Algorithm string `json:"algorithm"`
			Digits    int    `json:"digits"`
			Period    int    `json:"period,omitempty"`
			Counter   uint64 `json:"counter,omitempty"`
			Favorite  bool   `json:"favorite"`
			Note      string `json:"note,omitempty"`
		}
		out := make([]item, 0, len(accounts))
		for _, a := range accounts {
			it := item{a.UUID, a.Issuer, a.Name, string(a.Type), string(a.Algorithm), a.Digits, a.Period, a.Counter, a.Favorite, a.Note}
			if a.Type == vault.HOTP {
				it.Period = 0
			}
			out = append(out, it)
		}
		return writeJSON(c.stdout, out)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	for _, a := range accounts {
		detail := fmt.Sprintf("%s %s %d digits", a.Type, a.Algorithm, a.Digits)
		if a.Type == vault.HOTP {
			detail += fmt.Sprintf(" counter %d", a.Counter)
		} else {
			detail += fmt.Sprintf(" %ds", a.Period)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", orDash(a.Issuer), orDash(a.Name), detail)
	}
	return tw.Flush()
}

func (c *cli) code(args []string) error {
	fs := newFlags("code")
	asJSON := fs.Bool("json", false, "")
	at := fs.String("at", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("code takes at most one QUERY (quote it if it has spaces)")
	}
	now := time.Now()
	if *at != "" {
		if now, err = parseTime(*at); err != nil {
			return usagef("--at: %v", err)
		}
	}
	query := ""
	if len(pos) == 1 {
		query = pos[0]
	}
	// Read only the candidates: a vault holds hundreds of accounts.
	found, err := vault.Find(c.path, c.options(), func(issuer, name string) bool {
		return rank(&vault.Account{Issuer: issuer, Name: name}, query) != noMatch
	})
	if err != nil {
		return c.noVault(err)
	}
	matches := match(found, query)
	if len(matches) == 0 {
		if query == "" {
			return errors.New("the vault has no accounts: add one with authctl add")
		}
		return fmt.Errorf("no account matches %q (see authctl list)", query)
	}
	type item struct {
		Issuer    string `json:"issuer"`
		Name      string `json:"name"`
		Type      string `json:"type"`
		Code      string `json:"code"`
		Period    int    `json:"period"`
		Remaining int    `json:"remaining"`
	}
	items := make([]item, 0, len(matches))
	for _, a := range matches {
		code, err := a.Code(now)
		if err != nil {
			return fmt.Errorf("code for %s: %w", a.Label(), err)
		}
		it := item{Issuer: a.Issuer, Name: a.Name, Type: string(a.Type), Code: code}
		if a.Type != vault.HOTP {
			it.Period = a.Period
			it.Remaining = int((a.Remaining(now) + time.Second - 1) / time.Second)
		}
		items = append(items, it)
	}
	switch {
	case *asJSON:
		return writeJSON(c.stdout, items)
	case len(items) == 1 && query != "":
		fmt.Fprintln(c.stdout, items[0].Code)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	for _, it := range items {
		left := "-"
		if it.Type != string(vault.HOTP) {
			left = fmt.Sprintf("%ds", it.Remaining)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", orDash(it.Issuer), orDash(it.Name), it.Code, left)
	}
	return tw.Flush()
}

// --- changing ---------------------------------------------------------------

// one returns the single account query names, or an error that helps to
// narrow it down.
func one(accounts []vault.Account, query string) (vault.Account, error) {
	m := match(accounts, query)
	switch len(m) {
	case 0:
		return vault.Account{}, fmt.Errorf("no account matches %q (see authctl list)", query)
	case 1:
		return m[0], nil
	}
	labels := make([]string, 0, 4)
	for i, a := range m {
		if i == 3 {
			labels = append(labels, "…")
			break
		}
		labels = append(labels, a.Label())
	}
	return vault.Account{}, fmt.Errorf("%q matches %d accounts (%s): be more specific", query, len(m), strings.Join(labels, ", "))
}

// match is the accounts whose issuer or name contains query, except that an
// exact label ("Issuer: Name" or "Issuer:Name"), issuer or name wins over substrings,
// so that every account can be named on its own.
func match(accounts []vault.Account, query string) []vault.Account {
	var exact, sub []vault.Account
	for i := range accounts {
		switch rank(&accounts[i], query) {
		case exactMatch:
			exact = append(exact, accounts[i])
		case subMatch:
			sub = append(sub, accounts[i])
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return sub
}

const (
	noMatch = iota
	subMatch
	exactMatch
)

// rank is how a matches query, case-insensitively: exactly (its label,
// issuer or name), as a substring of its issuer or name, or not at all.
func rank(a *vault.Account, query string) int {
	q := strings.TrimSpace(query)
	switch {
	case q != "" && (strings.EqualFold(a.Issuer, q) || strings.EqualFold(a.Name, q) || isLabel(a, q)):
		return exactMatch
	case a.Matches(q):
		return subMatch
	}
	return noMatch
}

// isLabel reports whether q is "Issuer: Name" or "Issuer:Name", in any case.
func isLabel(a *vault.Account, q string) bool {
	if a.Issuer == "" || a.Name == "" || len(q) <= len(a.Issuer) || !strings.EqualFold(q[:len(a.Issuer)], a.Issuer) {
		return false
	}
	rest, ok := strings.CutPrefix(q[len(a.Issuer):], ":")
	return ok && (strings.EqualFold(rest, a.Name) || strings.EqualFold(strings.TrimPrefix(rest, " "), a.Name))
}

// editOne runs fn on the single account matching query and saves it.
func (c *cli) editOne(query string, fn func(db *vault.DB, a *vault.Account) error) (vault.Account, error) {
	v, err := c.open()
	if err != nil {
		return vault.Account{}, err
	}
	defer v.Close()
	var a vault.Account
	err = v.Edit(func(db *vault.DB) error {
		var err error
		if a, err = one(db.Accounts, query); err != nil {
			return err
		}
		return fn(db, &a)
	})
	return a, err
}

func (c *cli) next(args []string) error {
	if len(args) != 1 {
		return usagef("next takes one QUERY")
	}
	a, err := c.editOne(args[0], func(db *vault.DB, a *vault.Account) error {
		if a.Type != vault.HOTP {
			return fmt.Errorf("%s is time-based: its code changes by itself (use authctl code)", a.Label())
		}
		a.Counter++
		return db.Replace(*a)
	})
	if err != nil {
		return err
	}
	code, err := a.Code(time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, code)
	return nil
}

func (c *cli) rm(args []string) error {
	if len(args) != 1 {
		return usagef("rm takes one QUERY")
	}
	a, err := c.editOne(args[0], func(db *vault.DB, a *vault.Account) error {
		return db.Remove(a.UUID)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "removed %s\n", a.Label())
	return nil
}

func (c *cli) rename(args []string) error {
	if len(args) != 2 {
		return usagef("rename takes QUERY and NEWNAME")
	}
	if strings.TrimSpace(args[1]) == "" {
		return usagef("the new name is empty")
	}
	old := ""
	a, err := c.editOne(args[0], func(db *vault.DB, a *vault.Account) error {
		old = a.Label()
		a.Name = args[1]
		return db.Replace(*a)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "renamed %s to %s\n", old, a.Label())
	return nil
}

func (c *cli) export(args []string) error {
	fs := newFlags("export")
	format := fs.String("format", "", "")
	out := fs.String("out", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("export takes no arguments (use --out FILE)")
	}
	v, err := c.open()
	if err != nil {
		return err
	}
	defer v.Close()
	var data []byte
	switch *format {
	case "uri":
		data = formats.EncodeURIList(v.Accounts())
	case "google":
		uris, err := formats.EncodeMigration(v.Accounts())
		if err != nil {
			return err
		}
		data = []byte(strings.Join(uris, "\n") + "\n")
	case "aegis":
		pw, err := c.exportPassword(v)
		if err != nil {
			return err
		}
		if data, err = v.ExportAegis(pw); err != nil {
			return err
		}
	case "":
		return usagef("export needs --format uri, aegis or google")
	default:
		return usagef("unknown export format %q: use uri, aegis or google", *format)
	}
	if *out == "" {
		_, err = c.stdout.Write(data)
		return err
	}
	// O_EXCL: an export never overwrites a file, it may be someone's only backup.
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w (choose another --out)", err)
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("export %s: %w", *out, err)
	}
	fmt.Fprintf(c.stderr, "authctl: exported %d accounts to %s\n", len(v.Accounts()), *out)
	return nil
}

// exportPassword is the password an Aegis export is encrypted with: the
// vault password as given (AUTHDESK_PASSWORD, --password-file), or typed.
func (c *cli) exportPassword(v *vault.Vault) ([]byte, error) {
	pw, _, err := c.givenPassword()
	if err != nil || pw != nil {
		return pw, err
	}
	if !v.HasPassword() {
		return c.newPassword("the vault has no password: choose one for the export file")
	}
	if c.interactive() {
		return c.ask("vault password (the export is encrypted with it): ")
	}
	return nil, errors.New("the Aegis export is encrypted with the vault password: set AUTHDESK_PASSWORD or pass --password-file")
}

func (c *cli) passwd(args []string) error {
	fs := newFlags("passwd")
	newFile := fs.String("new-password-file", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("passwd takes no arguments")
	}
	v, err := c.open()
	if err != nil {
		return err
	}
	defer v.Close()
	var pw []byte
	switch {
	case *newFile != "":
		b, err := os.ReadFile(*newFile)
		if err != nil {
			return fmt.Errorf("read new password: %w", err)
		}
		pw = bytes.TrimRight(b, "\r\n")
	case os.Getenv("AUTHDESK_NEW_PASSWORD") != "":
		pw = []byte(os.Getenv("AUTHDESK_NEW_PASSWORD"))
	case c.interactive():
		c.passwordFile = "" // never reuse the unlock password as the new one
		os.Unsetenv("AUTHDESK_PASSWORD")
		if pw, err = c.newPassword("set the vault password"); err != nil {
			return err
		}
	default:
		return errors.New("no new password given: pass --new-password-file or set AUTHDESK_NEW_PASSWORD")
	}
	if len(pw) == 0 {
		return errors.New("the new password is empty")
	}
	had := v.HasPassword()
	if err := v.SetPassword(pw); err != nil {
		return err
	}
	if had {
		fmt.Fprintln(c.stdout, "vault password changed")
	} else {
		fmt.Fprintln(c.stdout, "vault password set")
	}
	return nil
}

// keyring lets this computer's keyring open the vault: for a vault made
// where no keyring answered, copied from another computer, or from Aegis.
func (c *cli) keyring(args []string) error {
	pos, err := parse(newFlags("keyring"), args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("keyring takes no arguments")
	}
	v, err := c.open()
	if err != nil {
		return err
	}
	defer v.Close()
	added, err := v.AddKeyring()
	if err != nil {
		return err
	}
	if added {
		fmt.Fprintln(c.stdout, "the keyring here opens the vault now, without its password")
	} else {
		fmt.Fprintln(c.stdout, "the keyring here opens the vault already")
	}
	return nil
}

// --- small helpers ----------------------------------------------------------

func parseTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-01-02T15:04:05Z) nor Unix seconds", s)
	}
	return t, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
