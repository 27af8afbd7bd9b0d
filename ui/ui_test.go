package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/internal/memkeyring"
	"github.com/authdesk/authdesk/vault"
	"github.com/authdesk/authdesk/vault/formats"
)

// fakeClock is a Clock the test moves by hand; timers fire, in order, on
// the test's goroutine during Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	f    func()
	done bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the time forward by d, firing every timer that falls due,
// including timers those set.
func (c *fakeClock) Advance(d time.Duration) {
	end := c.Now().Add(d)
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.done = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

const testPassword = "correct horse"

// sampleAccounts are the known accounts of the test vaults.
func sampleAccounts(t *testing.T) []vault.Account {
	t.Helper()
	var out []vault.Account
	for _, u := range []string{
		"otpauth://totp/GitHub:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
		"otpauth://totp/GitLab:amartin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitLab",
		"otpauth://totp/Google:alice@gmail.com?secret=KRUGS4ZANFZSAYJAORSXG5A&issuer=Google&digits=8&algorithm=SHA256",
		"otpauth://hotp/Yubico:token?secret=MFRGGZDFMZTWQ2LK&issuer=Yubico&counter=5",
	} {
		a, err := vault.ParseURI(u)
		if err != nil {
			t.Fatalf("parse %s: %v", u, err)
		}
		out = append(out, a)
	}
	return out
}

// newVault writes a vault with a password slot only, holding accounts.
func newVault(t *testing.T, accounts []vault.Account) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.json")
	v, err := vault.Create(path, vault.Options{NoKeyring: true}, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Edit(func(db *vault.DB) error {
		for _, a := range accounts {
			if _, err := db.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return path
}

// onDisk is what the vault file holds now, read afresh as another process
// would.
func onDisk(t *testing.T, path string) []vault.Account {
	t.Helper()
	v, err := vault.Open(path, vault.Options{NoKeyring: true, Prompt: func(string) ([]byte, error) {
		return []byte(testPassword), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	return v.Accounts()
}

func labels(accounts []vault.Account) []string {
	var out []string
	for _, a := range accounts {
		out = append(out, a.Label())
	}
	sort.Strings(out)
	return out
}

// start opens the app on path with the password in AUTHDESK_PASSWORD's
// place, at a fixed time, and waits for the codes.
func start(t *testing.T, path string) (*App, *fakeClock) {
	t.Helper()
	u, clock := startLocked(t, path, []byte(testPassword))
	if u.codes == nil {
		t.Fatalf("codes not shown; window shows %s", describe(u.win.Content()))
	}
	return u, clock
}

func startLocked(t *testing.T, path string, password []byte) (*App, *fakeClock) {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") // never the real keyring
	a := test.NewApp()
	t.Cleanup(a.Quit)
	clock := &fakeClock{now: time.Date(2026, 3, 14, 15, 9, 26, 500e6, time.UTC)}
	u := New(a, Config{VaultPath: path, Password: password, Clock: clock, Sync: true})
	t.Cleanup(u.Stop)
	u.Start()
	return u, clock
}

// objects is every object on screen: the window's content and the
// overlays (dialogs, menus).
func objects(u *App) []fyne.CanvasObject {
	objs := test.LaidOutObjects(u.win.Content())
	for _, o := range u.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	return objs
}

func topDialog(t *testing.T, u *App) []fyne.CanvasObject {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is showing")
	}
	return test.LaidOutObjects(top)
}

func button(t *testing.T, objs []fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, o := range objs {
		if d, ok := o.(*dialogButton); ok {
			o = &d.Button
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// texts is all the text of labels and canvas texts in objs, for checking
// what a screen or dialog says.
func texts(objs []fyne.CanvasObject) string {
	var b strings.Builder
	for _, o := range objs {
		switch w := o.(type) {
		case *widget.Label:
			if w.Visible() {
				b.WriteString(w.Text + "\n")
			}
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		case *canvas.Text:
			if w.Visible() {
				b.WriteString(w.Text + "\n")
			}
		}
	}
	return b.String()
}

func describe(o fyne.CanvasObject) string {
	return strings.ReplaceAll(texts(test.LaidOutObjects(o)), "\n", " | ")
}

// rows is the bound code rows, in list order.
func rows(u *App) []*codeRow {
	var out []*codeRow
	for _, r := range u.codes.rows {
		if r.acct != nil && r.Visible() {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

func rowFor(t *testing.T, u *App, issuer string) *codeRow {
	t.Helper()
	for _, r := range rows(u) {
		if r.acct.Issuer == issuer {
			return r
		}
	}
	t.Fatalf("no row for %s", issuer)
	return nil
}

func TestTapRowCopiesCodeAndClearsClipboard(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	clip := u.app.Clipboard()

	row := rowFor(t, u, "Google")
	test.Tap(row)
	want, err := row.acct.Code(clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := clip.Content(); got != want || len(want) != 8 {
		t.Fatalf("clipboard = %q, want Google's code %q", got, want)
	}
	if got := row.code.Text; got != want[:4]+" "+want[4:] {
		t.Errorf("row shows %q, want %q grouped", got, want)
	}
	if !strings.Contains(u.notice.Text, "Copied") || !u.notice.Visible() {
		t.Errorf("notice = %q, want a copied notice", u.notice.Text)
	}

	clock.Advance(29 * time.Second)
	if got := clip.Content(); got != want {
		t.Fatalf("clipboard cleared early: %q after 29 s", got)
	}
	clock.Advance(2 * time.Second)
	if got := clip.Content(); got != "" {
		t.Fatalf("clipboard = %q after 31 s, want it cleared", got)
	}

	// A later copy by the person is not wiped.
	test.Tap(rowFor(t, u, "GitHub"))
	clip.SetContent("my own text")
	clock.Advance(31 * time.Second)
	if got := clip.Content(); got != "my own text" {
		t.Fatalf("clipboard = %q, the person's own copy was wiped", got)
	}

	// The rows follow the clock: after the period the code is the next one.
	row = rowFor(t, u, "GitHub")
	want, _ = row.acct.Code(clock.Now())
	if got := strings.ReplaceAll(row.code.Text, " ", ""); got != want {
		t.Fatalf("GitHub row shows %q at %v, want %q", got, clock.Now(), want)
	}
}

func TestClipboardTimeoutPreference(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	u.app.Preferences().SetInt(prefClipboard, 10)
	test.Tap(rowFor(t, u, "GitHub"))
	clock.Advance(11 * time.Second)
	if got := u.app.Clipboard().Content(); got != "" {
		t.Fatalf("clipboard = %q after 11 s with a 10 s timeout", got)
	}
}

func TestSearchFilters(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	if n := len(rows(u)); n != 4 {
		t.Fatalf("%d rows, want 4", n)
	}
	test.Type(u.codes.search, "git")
	var got []string
	for _, r := range rows(u) {
		got = append(got, r.acct.Issuer)
	}
	if !slices.Equal(got, []string{"GitHub", "GitLab"}) {
		t.Fatalf("search git shows %v, want GitHub and GitLab", got)
	}
	test.Type(u.codes.search, "zzz")
	if len(rows(u)) != 0 || !u.codes.noMatch.Visible() {
		t.Fatalf("search gitzzz shows %d rows, want none and a message", len(rows(u)))
	}
	u.escape() // Esc clears the search
	if len(rows(u)) != 4 {
		t.Fatalf("after Esc %d rows, want 4", len(rows(u)))
	}
}

func TestFavoritesPinnedAndSortAZ(t *testing.T) {
	accts := sampleAccounts(t)
	path := newVault(t, accts)
	u, _ := start(t, path)
	u.toggleFavorite(*rowFor(t, u, "Yubico").acct)
	order := func() []string {
		var out []string
		for _, r := range rows(u) {
			out = append(out, r.acct.Issuer)
		}
		return out
	}
	if got := order(); !slices.Equal(got, []string{"Yubico", "GitHub", "GitLab", "Google"}) {
		t.Fatalf("order %v, want the pinned Yubico first, then the vault's order", got)
	}
	u.move(*rowFor(t, u, "Google").acct, -1)
	if got := order(); !slices.Equal(got, []string{"Yubico", "GitHub", "Google", "GitLab"}) {
		t.Fatalf("after moving Google up: %v", got)
	}
	if got := labels(onDisk(t, path)); len(got) != 4 {
		t.Fatalf("vault has %v", got)
	}
	u.app.Preferences().SetString(prefSort, sortAZ)
	u.codes.rebuild()
	if got := order(); !slices.Equal(got, []string{"Yubico", "GitHub", "GitLab", "Google"}) {
		t.Fatalf("A–Z order %v", got)
	}
}

func TestAddByURI(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	uri := "otpauth://totp/Dropbox:bob@example.com?secret=ONSWG4TFORZWK3DF&issuer=Dropbox"
	u.app.Clipboard().SetContent(uri)
	u.shortcut(&fyne.ShortcutPaste{Clipboard: u.app.Clipboard()})

	d := topDialog(t, u)
	if s := texts(d); !strings.Contains(s, "Dropbox") || !strings.Contains(s, "bob@example.com") {
		t.Fatalf("confirmation shows %q, want the Dropbox account", s)
	}
	if n := len(onDisk(t, path)); n != 4 {
		t.Fatalf("saved before confirming: %d accounts", n)
	}
	test.Tap(button(t, d, "Add account"))
	got := labels(onDisk(t, path))
	if !slices.Contains(got, "Dropbox: bob@example.com") || len(got) != 5 {
		t.Fatalf("vault holds %v, want Dropbox added", got)
	}
	rowFor(t, u, "Dropbox")

	// The same secret again is flagged and not added.
	u.shortcut(&fyne.ShortcutPaste{Clipboard: u.app.Clipboard()})
	d = topDialog(t, u)
	if s := texts(d); !strings.Contains(s, "Already in your vault") {
		t.Fatalf("duplicate not flagged: %q", s)
	}
	test.Tap(button(t, d, "Nothing to add"))
	if n := len(onDisk(t, path)); n != 5 {
		t.Fatalf("duplicate saved: %d accounts", n)
	}
}

func TestAddBadURIShowsErrorAndSavesNothing(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u.app.Clipboard().SetContent("otpauth://totp/Bad:x?secret=not*base32!")
	u.shortcut(&fyne.ShortcutPaste{Clipboard: u.app.Clipboard()})
	d := topDialog(t, u)
	if s := texts(d); !strings.Contains(s, "secret") {
		t.Fatalf("error dialog says %q, want it to name the secret", s)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("the vault file changed after a bad URI")
	}
	u.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc did not close the error dialog")
	}
}

// writeQR renders texts as a QR image file, as a site's setup page shows.
func writeQR(t *testing.T, text string) string {
	t.Helper()
	png, err := renderQR(text, 400)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(p, png, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAddByImageFile(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	img := writeQR(t, "otpauth://totp/Slack:alice?secret=MZXW6YTBOI&issuer=Slack&period=60")
	u.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(img)})
	d := topDialog(t, u)
	if s := texts(d); !strings.Contains(s, "Slack") || !strings.Contains(s, "every 60 s") {
		t.Fatalf("confirmation shows %q", s)
	}
	u.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter confirms
	var slack *vault.Account
	for _, a := range onDisk(t, path) {
		if a.Issuer == "Slack" {
			slack = &a
		}
	}
	if slack == nil || slack.Period != 60 || slack.Name != "alice" {
		t.Fatalf("vault has %+v, want Slack/alice every 60 s", slack)
	}
}

func TestAddImageWithoutQRCode(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	p := filepath.Join(t.TempDir(), "blank.png")
	png, _ := renderQR("x", 64)
	os.WriteFile(p, png[:len(png)/2], 0o600) // a truncated image
	u.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(p)})
	if s := texts(topDialog(t, u)); !strings.Contains(s, "blank.png") {
		t.Fatalf("error dialog says %q, want it to name the file", s)
	}
	if n := len(onDisk(t, path)); n != 4 {
		t.Fatalf("vault has %d accounts", n)
	}
}

func TestMigrationQRAddsAll(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	var exported []vault.Account
	for _, s := range []string{
		"otpauth://totp/Discord:alice?secret=JBSWY3DPEHPK3PXQ&issuer=Discord",
		"otpauth://totp/Reddit:alice?secret=JBSWY3DPEHPK3PXR&issuer=Reddit&digits=8",
		"otpauth://hotp/VPN:alice?secret=JBSWY3DPEHPK3PXS&issuer=VPN&counter=3",
	} {
		a, err := vault.ParseURI(s)
		if err != nil {
			t.Fatal(err)
		}
		exported = append(exported, a)
	}
	uris, err := formats.EncodeMigration(exported)
	if err != nil || len(uris) != 1 {
		t.Fatalf("EncodeMigration: %v, %d URIs", err, len(uris))
	}
	u.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(writeQR(t, uris[0]))})
	d := topDialog(t, u)
	test.Tap(button(t, d, "Add 3 accounts"))
	got := labels(onDisk(t, path))
	for _, want := range []string{"Discord: alice", "Reddit: alice", "VPN: alice"} {
		if !slices.Contains(got, want) {
			t.Errorf("vault lacks %s: %v", want, got)
		}
	}
	if len(got) != 7 {
		t.Errorf("vault has %d accounts, want 7", len(got))
	}
}

func TestAddTypedKey(t *testing.T) {
	path := newVault(t, nil)
	u, _ := start(t, path)
	if !u.codes.empty.Visible() || !strings.Contains(texts(objects(u)), "No accounts yet") {
		t.Fatal("an empty vault does not say how to add an account")
	}
	u.shortcut(ctrl(fyne.KeyN))
	var entries []*keyEntry
	for _, o := range topDialog(t, u) {
		if e, ok := o.(*keyEntry); ok && e.Visible() {
			entries = append(entries, e)
		}
	}
	if len(entries) < 3 {
		t.Fatalf("add dialog has %d fields", len(entries))
	}
	test.Type(entries[0], "Fastmail")
	test.Type(entries[1], "alice@fastmail.com")
	test.Type(entries[2], "jbsw y3dp ehpk 3pxp") // as sites print it
	entries[2].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Tap(button(t, topDialog(t, u), "Add account"))
	got := onDisk(t, path)
	if len(got) != 1 || got[0].Label() != "Fastmail: alice@fastmail.com" || got[0].SecretBase32() != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("vault has %+v", got)
	}
	if u.codes.empty.Visible() {
		t.Fatal("empty-vault message still showing")
	}
}

func ctrl(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
}

func TestEditAndDelete(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	u.showEdit(*rowFor(t, u, "GitLab").acct)
	var entries []*keyEntry
	for _, o := range topDialog(t, u) {
		if e, ok := o.(*keyEntry); ok {
			entries = append(entries, e)
		}
	}
	if len(entries) != 3 || entries[0].Text != "GitLab" {
		t.Fatalf("edit dialog fields: %d", len(entries))
	}
	entries[0].SetText("GitLab EE")
	entries[2].SetText("work laptop")
	test.Tap(button(t, topDialog(t, u), "Save"))
	var found bool
	for _, a := range onDisk(t, path) {
		if a.Issuer == "GitLab EE" && a.Name == "amartin" && a.Note == "work laptop" {
			found = true
		}
	}
	if !found {
		t.Fatalf("edit not saved: %v", labels(onDisk(t, path)))
	}
	rowFor(t, u, "GitLab EE")

	u.confirmDelete(*rowFor(t, u, "GitHub").acct)
	if s := texts(topDialog(t, u)); !strings.Contains(s, "Delete GitHub: alice@example.com?") {
		t.Fatalf("delete dialog says %q", s)
	}
	test.Tap(button(t, topDialog(t, u), "Cancel"))
	if n := len(onDisk(t, path)); n != 4 {
		t.Fatalf("cancel deleted: %d accounts", n)
	}
	u.confirmDelete(*rowFor(t, u, "GitHub").acct)
	test.Tap(button(t, topDialog(t, u), "Delete"))
	if got := labels(onDisk(t, path)); slices.Contains(got, "GitHub: alice@example.com") || len(got) != 3 {
		t.Fatalf("after delete the vault has %v", got)
	}
	for _, r := range rows(u) {
		if r.acct.Issuer == "GitHub" {
			t.Fatal("deleted account still listed")
		}
	}
}

func TestHOTPNextCode(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	row := rowFor(t, u, "Yubico")
	if !row.hotp.Visible() || row.ring.Visible() {
		t.Fatal("HOTP row shows a countdown instead of a next-code button")
	}
	test.Tap(row.hotp)
	for _, a := range onDisk(t, path) {
		if a.Issuer == "Yubico" && a.Counter != 6 {
			t.Fatalf("counter = %d, want 6", a.Counter)
		}
	}
	row = rowFor(t, u, "Yubico")
	want, _ := row.acct.Code(time.Time{})
	if got := u.app.Clipboard().Content(); got != want {
		t.Fatalf("clipboard %q, want the new code %q", got, want)
	}
}

func TestUnlockWrongThenRightPassword(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := startLocked(t, path, nil)
	if u.codes != nil {
		t.Fatal("opened without a password")
	}
	screen := texts(objects(u))
	if !strings.Contains(screen, "enter the vault password") {
		t.Fatalf("unlock screen does not say why: %q", screen)
	}
	var pw *keyEntry
	for _, o := range objects(u) {
		if e, ok := o.(*keyEntry); ok && e.Password {
			pw = e
		}
	}
	if pw == nil {
		t.Fatal("no password field")
	}
	test.Type(pw, "wrong password")
	test.Tap(button(t, objects(u), "Unlock"))
	if u.codes != nil {
		t.Fatal("unlocked with a wrong password")
	}
	if s := texts(objects(u)); !strings.Contains(s, "Wrong password") {
		t.Fatalf("no wrong-password message: %q", s)
	}
	test.Type(pw, testPassword)
	pw.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter unlocks
	if u.codes == nil {
		t.Fatalf("not unlocked: %q", texts(objects(u)))
	}
	if len(rows(u)) != 4 {
		t.Fatalf("%d rows after unlock", len(rows(u)))
	}
}

func TestWrongEnvPasswordAsks(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := startLocked(t, path, []byte("not it"))
	if u.codes != nil {
		t.Fatal("opened with a wrong AUTHDESK_PASSWORD")
	}
	if s := texts(objects(u)); !strings.Contains(s, "AUTHDESK_PASSWORD") {
		t.Fatalf("unlock screen does not say AUTHDESK_PASSWORD was wrong: %q", s)
	}
}

func TestAutoLock(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	u.app.Preferences().SetInt(prefAutoLock, 1)
	clock.Advance(30 * time.Second)
	test.Tap(rowFor(t, u, "GitHub")) // use resets the idle time
	clock.Advance(50 * time.Second)
	if u.codes == nil {
		t.Fatal("locked although used 50 s ago")
	}
	clock.Advance(15 * time.Second)
	if u.codes != nil || u.vault != nil {
		t.Fatal("not locked after a minute idle")
	}
	if s := texts(objects(u)); !strings.Contains(s, "Locked after a minute") {
		t.Fatalf("lock screen says %q", s)
	}
}

func TestPicksUpChangesFromAnotherProcess(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	other, err := vault.Open(path, vault.Options{NoKeyring: true, Prompt: func(string) ([]byte, error) {
		return []byte(testPassword), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := vault.ParseURI("otpauth://totp/Heroku:alice?secret=GEZDGNBVGY3TQOJR&issuer=Heroku")
	if err := other.Edit(func(db *vault.DB) error { _, err := db.Add(a); return err }); err != nil {
		t.Fatal(err)
	}
	other.Close()
	clock.Advance(3 * time.Second)
	rowFor(t, u, "Heroku")
}

func TestFirstStartCreatesVault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "vault.json")
	u, _ := startLocked(t, path, nil)
	if s := texts(objects(u)); !strings.Contains(s, "Welcome") {
		t.Fatalf("first start shows %q", s)
	}
	// No keyring answers here (dead D-Bus), so creating without a password
	// must say so and ask for one.
	test.Tap(button(t, objects(u), "Create vault"))
	if s := texts(objects(u)); !strings.Contains(s, "needs a password") {
		t.Fatalf("no keyring, no password: screen says %q", s)
	}
	var pws []*keyEntry
	for _, o := range objects(u) {
		if e, ok := o.(*keyEntry); ok && e.Password {
			pws = append(pws, e)
		}
	}
	test.Type(pws[0], "long enough pw")
	test.Type(pws[1], "long enough pw")
	test.Tap(button(t, objects(u), "Create vault"))
	if u.codes == nil {
		t.Fatalf("not created: %q", texts(objects(u)))
	}
	v, err := vault.Open(path, vault.Options{NoKeyring: true, Prompt: func(string) ([]byte, error) {
		return []byte("long enough pw"), nil
	}})
	if err != nil {
		t.Fatalf("the new vault does not open with its password: %v", err)
	}
	v.Close()
}

func TestScanScreen(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	t.Setenv("DISPLAY", ":0")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("XDG_SESSION_TYPE", "x11")
	// A "screen" with a set-up page's QR code on it.
	png, err := renderQR("otpauth://totp/Linode:alice?secret=GEZDGNBVGY3TQOJS&issuer=Linode", 300)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := decodePNG(png)
	if err != nil {
		t.Fatal(err)
	}
	screen := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	draw.Draw(screen, screen.Bounds(), image.NewUniform(color.RGBA{0xee, 0xee, 0xf2, 0xff}), image.Point{}, draw.Src)
	draw.Draw(screen, qr.Bounds().Add(image.Pt(700, 200)), qr, image.Point{}, draw.Src)
	u.cfg.Capture = func() ([]image.Image, error) { return []image.Image{screen}, nil }
	u.scanScreen()
	test.Tap(button(t, topDialog(t, u), "Add account"))
	if got := labels(onDisk(t, path)); !slices.Contains(got, "Linode: alice") {
		t.Fatalf("vault has %v, want Linode added from the screen", got)
	}

	// On Wayland the window says what is needed and offers the file route.
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	u.scanScreen()
	if s := texts(topDialog(t, u)); !strings.Contains(s, "portal") {
		t.Fatalf("Wayland message: %q", s)
	}
	button(t, topDialog(t, u), "Open an image file…")
}

func decodePNG(data []byte) (image.Image, error) { return png.Decode(bytes.NewReader(data)) }

// TestKeyringFromPreferences: a vault made elsewhere (a password slot
// only) opens here by its password; Preferences offers to let this
// computer's keyring open it, and after that it opens without a password.
func TestKeyringFromPreferences(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	kr := memkeyring.New()
	a := test.NewApp()
	t.Cleanup(a.Quit)
	clock := &fakeClock{now: time.Date(2026, 3, 14, 15, 9, 26, 500e6, time.UTC)}
	u := New(a, Config{VaultPath: path, Password: []byte(testPassword), Keyring: kr, Clock: clock, Sync: true})
	t.Cleanup(u.Stop)
	u.Start()
	if u.codes == nil {
		t.Fatalf("not opened by the password: %s", describe(u.win.Content()))
	}
	u.tabs.SelectIndex(1)
	prefs := test.LaidOutObjects(u.tabs.Items[1].Content)
	if s := texts(prefs); !strings.Contains(s, "keyring did not open this vault") {
		t.Fatalf("Preferences do not say the keyring did not open the vault: %q", s)
	}
	test.Tap(button(t, prefs, "Unlock with this computer's keyring"))
	if s := texts(test.LaidOutObjects(u.tabs.Items[1].Content)); !strings.Contains(s, "opens this vault now") {
		t.Fatalf("after the tap Preferences say %q", s)
	}
	v, err := vault.Open(path, vault.Options{Keyring: kr})
	if err != nil {
		t.Fatalf("the keyring does not open the vault: %v", err)
	}
	if len(v.Accounts()) != 4 {
		t.Fatalf("%d accounts", len(v.Accounts()))
	}
	v.Close()

	// Opened by the keyring, Preferences offer nothing.
	u2 := New(a, Config{VaultPath: path, Keyring: kr, Clock: clock, Sync: true})
	t.Cleanup(u2.Stop)
	u2.Start()
	if u2.codes == nil {
		t.Fatalf("not opened by the keyring: %s", describe(u2.win.Content()))
	}
	u2.tabs.SelectIndex(1)
	prefs = test.LaidOutObjects(u2.tabs.Items[1].Content)
	if s := texts(prefs); !strings.Contains(s, "Your keyring on this computer opens this vault.") {
		t.Fatalf("Preferences of a vault the keyring opened say %q", s)
	}
	for _, o := range prefs {
		if b, ok := o.(*widget.Button); ok && b.Text == "Unlock with this computer's keyring" && b.Visible() {
			t.Fatal("the keyring button shows for a vault the keyring opened")
		}
	}
}
