package ui

import (
	"errors"
	"image"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/assets"
	"github.com/authdesk/authdesk/vault"
)

// Config is what the window needs from main. Only VaultPath is required.
type Config struct {
	VaultPath string // the vault file (vault.DefaultPath in main)
	// Password, when set, is tried before asking when the keyring does not
	// answer (main passes AUTHDESK_PASSWORD, like authctl).
	Password []byte
	Keyring  vault.Keyring // nil: the OS keyring
	Clock    Clock         // nil: the system clock
	// Capture returns an image of every display; nil: scan.Capture.
	Capture func() ([]image.Image, error)
	// ClipboardImage returns a PNG from the clipboard; nil: xclip or
	// wl-paste where they exist.
	ClipboardImage func() ([]byte, error)
	// OnCodesShown is called once, on a goroutine of its own, after the
	// first frame with codes has been drawn (main uses it for
	// AUTHDESK_BENCH).
	OnCodesShown func()
	// Sync runs background work (vault open, screen capture) inline instead
	// of on a goroutine, for tests.
	Sync bool
}

// App is the Authdesk window and everything it shows.
type App struct {
	cfg   Config
	app   fyne.App
	win   fyne.Window
	clock Clock
	prefs prefs
	theme *appTheme

	vault      *vault.Vault
	accounts   []vault.Account // the vault's accounts, in its order
	byPassword bool            // at start-up the keyring did not open the vault: its password did

	codes *codesScreen // nil while locked
	tabs  *container.AppTabs

	dialogs   []shownDialog // open dialogs, the top one last
	notice    *widget.Label
	noticeTmr Timer
	clipTmr   Timer

	tickTmr      Timer
	tickDue      time.Time // when tickTmr fires, on u.clock
	nextPoll     time.Time // when the timer next looks at the vault file and the idle time
	lastRead     time.Time // when the vault file was last read
	ticks        int       // timer calls, for the test that idle wake-ups stay bounded
	lastActivity time.Time
	stopped      bool
	shownCodes   bool
	trayIcon     bool
	seen         os.FileInfo // the vault file's stat at the last reload
	prefsBuilt   bool
	hasTray      bool // a system tray can be shown here
	reloadErr    string
}

type shownDialog struct {
	d       dialog.Dialog
	confirm func() // what Enter does; nil: nothing
}

// New makes the window (not shown yet). a is app.NewWithID in main and
// test.NewApp in tests.
func New(a fyne.App, cfg Config) *App {
	u := &App{cfg: cfg, app: a, clock: cfg.Clock, hasTray: trayAvailable()}
	if u.clock == nil {
		u.clock = systemClock{}
	}
	u.prefs = prefs{a.Preferences()}
	u.theme = newAppTheme(u.prefs.theme())
	a.Settings().SetTheme(u.theme)
	icon := fyne.NewStaticResource("authdesk.png", assets.Icon)
	a.SetIcon(icon)
	u.win = a.NewWindow("Authdesk")
	u.win.SetIcon(icon)
	u.win.Resize(fyne.NewSize(480, 720))
	u.win.SetMaster()
	u.notice = widget.NewLabel("")
	u.notice.Truncation = fyne.TextTruncateEllipsis
	u.notice.Hide()

	c := u.win.Canvas()
	c.SetOnTypedKey(u.typedKey)
	for _, s := range []*desktop.CustomShortcut{
		{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault},
		{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault},
		{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault},
		{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault},
		{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierShortcutDefault},
		{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault},
		{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault},
	} {
		c.AddShortcut(s, func(s fyne.Shortcut) { u.shortcut(s) })
	}
	c.AddShortcut(&fyne.ShortcutPaste{}, func(s fyne.Shortcut) { u.shortcut(s) })
	u.win.SetOnDropped(u.dropped)
	// The tray must exist before the app runs: Fyne starts it only then.
	u.updateTray()
	a.Lifecycle().SetOnStopped(u.Stop)
	a.Lifecycle().SetOnEnteredForeground(u.touch)
	return u
}

// Window is the main window.
func (u *App) Window() fyne.Window { return u.win }

// Start opens the vault and shows what comes of it: the codes, the unlock
// screen, or the first-start screen. Call it once, before ShowAndRun.
func (u *App) Start() {
	// Through the keyring the vault opens in a few milliseconds: the first
	// frame should be the codes, not a busy screen whose logo and
	// animation cost more to set up than the wait they cover. The busy
	// screen shows only if opening takes longer (scrypt, a slow keyring).
	blank := container.NewStack()
	u.setContent(blank)
	u.clock.AfterFunc(busyAfter, func() {
		fyne.Do(func() {
			if u.win.Content() == blank {
				u.setContent(makeBusyScreen("Opening your vault…"))
			}
		})
	})
	u.open()
}

// busyAfter is how long opening the vault may take before the window says
// it is busy.
const busyAfter = 300 * time.Millisecond

// Stop ends the timers; the app is closing. It is safe to call twice.
func (u *App) Stop() {
	u.stopped = true
	for _, t := range []Timer{u.tickTmr, u.clipTmr, u.noticeTmr} {
		if t != nil {
			t.Stop()
		}
	}
	if u.vault != nil {
		u.vault.Close()
	}
}

// background runs work off the Fyne goroutine and then done on it.
func (u *App) background(work, done func()) {
	if u.cfg.Sync {
		work()
		done()
		return
	}
	go func() {
		work()
		fyne.Do(done)
	}()
}

func (u *App) now() time.Time {
	return u.clock.Now().Add(time.Duration(u.prefs.clockOffset()) * time.Second)
}

// touch records that the person used the window, for auto-lock.
func (u *App) touch() { u.lastActivity = u.clock.Now() }

func (u *App) setContent(o fyne.CanvasObject) {
	u.win.SetContent(o)
}

// errAskPassword stops vault.Open at the point where it would ask for the
// password: the window asks on its own screen instead of blocking.
var errAskPassword = errors.New("password needed")

// open tries the keyring (and AUTHDESK_PASSWORD), without asking.
func (u *App) open() {
	var (
		v        *vault.Vault
		err      error
		reason   string
		triedEnv bool
	)
	opts := vault.Options{Keyring: u.cfg.Keyring, Prompt: func(r string) ([]byte, error) {
		if reason == "" {
			reason = r
		}
		if u.cfg.Password != nil && !triedEnv {
			triedEnv = true
			return u.cfg.Password, nil
		}
		return nil, errAskPassword
	}}
	u.background(func() { v, err = vault.Open(u.cfg.VaultPath, opts) }, func() {
		switch {
		case err == nil:
			u.byPassword = triedEnv
			u.unlocked(v)
		case errors.Is(err, fs.ErrNotExist):
			u.setContent(u.makeCreateScreen())
		case triedEnv && (errors.Is(err, vault.ErrWrongPassword) || errors.Is(err, errAskPassword)):
			u.byPassword = true
			u.setContent(u.makeUnlockScreen("AUTHDESK_PASSWORD is not the vault password: enter the vault password", true))
		case reason != "" || errors.Is(err, vault.ErrLocked) || errors.Is(err, errAskPassword):
			if reason == "" {
				reason = firstLine(err)
			}
			u.byPassword = true
			u.setContent(u.makeUnlockScreen(reason, false))
		default:
			u.setContent(u.makeOpenErrorScreen(err))
		}
	})
}

// unlockWith opens the vault with a typed password; done reports a failure
// for the unlock screen to show.
func (u *App) unlockWith(pw []byte, done func(error)) {
	var (
		v   *vault.Vault
		err error
	)
	asked := false
	opts := vault.Options{Keyring: u.cfg.Keyring, NoKeyring: true, Prompt: func(string) ([]byte, error) {
		if asked {
			return nil, vault.ErrWrongPassword
		}
		asked = true
		return pw, nil
	}}
	u.background(func() { v, err = vault.Open(u.cfg.VaultPath, opts) }, func() {
		if err != nil {
			done(err)
			return
		}
		u.unlocked(v)
	})
}

// unlocked shows the codes of an open vault and starts the timer.
func (u *App) unlocked(v *vault.Vault) {
	u.vault = v
	u.accounts = v.Accounts()
	u.touch()
	u.codes = u.makeCodesScreen()
	// Preferences are built when first opened: a start-up shows codes only.
	prefsTab := container.NewTabItemWithIcon("Preferences", theme.SettingsIcon(), widget.NewLabel(""))
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Codes", theme.AccountIcon(), u.codes.content),
		prefsTab,
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		u.touch()
		if t != prefsTab {
			u.redrawCodes() // the rows stood still while hidden
		}
		if t == prefsTab && !u.prefsBuilt {
			u.prefsBuilt = true
			t.Content = u.makePrefsScreen()
			u.tabs.Refresh()
		}
	}
	u.prefsBuilt = false
	u.setContent(u.tabs)
	u.updateTray()
	// The file as it was opened: the first poll need not read it again.
	u.seen, _ = os.Stat(v.Path())
	u.lastRead = u.clock.Now()
	u.nextPoll = u.lastRead.Add(pollEvery)
	u.codes.tick(u.now())
	u.scheduleTick()
	if !u.cfg.Sync {
		// Unlocking with the password leaves scrypt's 32 MiB and the
		// parse's garbage behind; hand it back to the system now rather
		// than over the next minutes.
		go func() {
			time.Sleep(2 * time.Second)
			debug.FreeOSMemory()
		}()
	}
	if !u.shownCodes && u.cfg.OnCodesShown != nil {
		u.shownCodes = true
		if u.cfg.Sync {
			u.cfg.OnCodesShown()
		} else {
			go func(p *frameProbe) {
				p.waitFrame(time.Minute)
				u.cfg.OnCodesShown()
			}(u.codes.probe)
		}
	}
}

// lock forgets the key and asks for the password again.
func (u *App) lock(reason string) {
	if u.vault == nil || !u.vault.HasPassword() {
		return
	}
	for len(u.dialogs) > 0 {
		u.dialogs[len(u.dialogs)-1].d.Hide()
	}
	u.vault.Close()
	u.vault = nil
	u.accounts = nil
	u.codes = nil
	u.tabs = nil
	if u.tickTmr != nil {
		u.tickTmr.Stop()
		u.tickTmr = nil
	}
	u.seen = nil
	u.updateTray()
	u.setContent(u.makeUnlockScreen(reason, true))
}

// pollEvery is how often the timer looks at the vault file (one stat) and
// at the idle time when nothing on screen changes sooner.
const pollEvery = 2 * time.Second

// rereadEvery is how often the vault file is read even when its stat did
// not move, for file systems with coarse time stamps.
const rereadEvery = 30 * time.Second

// scheduleTick sets the one timer for the next instant something on screen
// changes (u.codes.next), or the next poll, whichever comes first. At idle
// with 30-second codes that is a step of the rings every 2.5 s: the window
// is repainted 12 times a period rather than 30.
func (u *App) scheduleTick() {
	if u.stopped || u.vault == nil {
		return
	}
	at := u.nextPoll
	if u.codes != nil && !u.codes.next.IsZero() {
		at = earliest(at, u.codes.next.Add(-u.offset()))
	}
	u.setTimer(at)
}

// wakeBy makes sure the timer fires by t (a time of u.now(), as the codes
// use): a row that came into view may change before the others do.
func (u *App) wakeBy(t time.Time) {
	if t.IsZero() || u.tickTmr == nil {
		return // no timer yet: unlocked starts it
	}
	if at := t.Add(-u.offset()); at.Before(u.tickDue) {
		u.setTimer(at)
	}
}

func (u *App) setTimer(at time.Time) {
	if u.stopped || u.vault == nil {
		return
	}
	if u.tickTmr != nil {
		u.tickTmr.Stop()
	}
	// A millisecond late rather than early: the timer is on the monotonic
	// clock, the codes on the wall clock.
	d := max(at.Sub(u.clock.Now()), 0) + time.Millisecond
	var t Timer
	t = u.clock.AfterFunc(d, func() {
		fyne.Do(func() {
			if u.stopped || u.tickTmr != t {
				return
			}
			u.tick()
			u.scheduleTick()
		})
	})
	u.tickTmr, u.tickDue = t, at.Add(time.Millisecond)
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func (u *App) offset() time.Duration {
	return time.Duration(u.prefs.clockOffset()) * time.Second
}

// tick is the one timer's work, on the Fyne goroutine: look at the vault
// file and the idle time when a poll is due, and bring the rows on screen
// up to date (which also works out when the timer fires next).
func (u *App) tick() {
	if u.vault == nil {
		return
	}
	u.ticks++
	now := u.clock.Now()
	if !now.Before(u.nextPoll) {
		u.nextPoll = now.Add(pollEvery)
		u.reload()
	}
	if mins := u.prefs.autoLockMinutes(); mins > 0 && u.vault != nil && u.vault.HasPassword() &&
		now.Sub(u.lastActivity) >= time.Duration(mins)*time.Minute {
		u.lock(lockedReason(mins))
		return
	}
	if u.codes != nil {
		u.codes.tick(u.now())
	}
}

// redrawCodes brings the rows up to date now (the clock offset changed)
// and sets the timer again.
func (u *App) redrawCodes() {
	if u.codes != nil {
		u.codes.tick(u.now())
		u.scheduleTick()
	}
}

// reload picks up what authctl (or another window) wrote to the vault.
//
// The file is only read when its stat moved (a save replaces the file, so
// its inode changes too) or every half minute: reading and hashing a vault
// of 1,000 accounts at every poll would be most of the idle CPU.
func (u *App) reload() {
	now := u.clock.Now()
	fi, err := os.Stat(u.vault.Path())
	if err == nil && u.seen != nil && os.SameFile(fi, u.seen) && fi.Size() == u.seen.Size() &&
		fi.ModTime().Equal(u.seen.ModTime()) && now.Sub(u.lastRead) < rereadEvery {
		return
	}
	u.seen, u.lastRead = fi, now
	changed, err := u.vault.Reload()
	if err != nil {
		if msg := firstLine(err); msg != u.reloadErr {
			u.reloadErr = msg
			u.showNotice("Could not re-read the vault: " + msg)
		}
		return
	}
	u.reloadErr = ""
	if changed {
		u.setAccounts(u.vault.Accounts())
	}
}

// setAccounts shows a new list of accounts (after an edit or a reload).
func (u *App) setAccounts(accounts []vault.Account) {
	u.accounts = accounts
	if u.codes != nil {
		u.codes.rebuild()
	}
	u.updateTray()
}

// edit changes the vault and shows the result; a failure is shown in a
// dialog and nothing changes.
func (u *App) edit(fn func(db *vault.DB) error) bool {
	if u.vault == nil {
		return false
	}
	if err := u.vault.Edit(fn); err != nil {
		u.showError(err)
		return false
	}
	u.setAccounts(u.vault.Accounts())
	return true
}

func lockedReason(mins int) string {
	if mins == 1 {
		return "Locked after a minute without use: enter the vault password"
	}
	return "Locked after " + itoa(mins) + " minutes without use: enter the vault password"
}

// firstLine is an error as one line for a label.
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
