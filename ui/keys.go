package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The keyboard: every action has a key, so the window works without a
// mouse.
//
//	Ctrl+F      search                Ctrl+N  add an account
//	Ctrl+V      paste a URI or image  Ctrl+O  scan a QR image file
//	Ctrl+L      lock                  Ctrl+P  preferences (also Ctrl+,)
//	Ctrl+Q      quit
//	Tab, arrows move between rows; Enter or Space copies the focused row's
//	code; on a row, E edits, Q shows the QR code, F (un)pins it, N makes the
//	next HOTP code, M opens its menu, Delete deletes it.
//	Esc closes a dialog, Enter confirms it.
const shortcutsHelp = `Ctrl+F	Search
Ctrl+N	Add an account
Ctrl+V	Paste an otpauth URI or a QR image
Ctrl+O	Scan a QR image file
Ctrl+L	Lock (when the vault has a password)
Ctrl+P	Preferences
Ctrl+Q	Quit
↑ ↓	Move between rows
Enter	Copy the code
E	Edit the account
Q	Show its QR code
F	Pin or unpin it
N	Next code (counter-based accounts)
M	Open the row's menu
Delete	Delete the account
Esc	Close a dialog`

// shortcut runs an app-wide shortcut; false if s is not one.
func (u *App) shortcut(s fyne.Shortcut) bool {
	u.touch()
	if _, ok := s.(*fyne.ShortcutPaste); ok {
		if u.codes != nil && len(u.dialogs) == 0 {
			u.paste()
		}
		return true
	}
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	if cs.KeyName == fyne.KeyQ {
		u.app.Quit()
		return true
	}
	if u.codes == nil {
		return false
	}
	switch cs.KeyName {
	case fyne.KeyF:
		u.tabs.SelectIndex(0)
		u.win.Canvas().Focus(u.codes.search)
	case fyne.KeyN:
		u.showAdd()
	case fyne.KeyO:
		u.openImageFile()
	case fyne.KeyL:
		if u.vault != nil && u.vault.HasPassword() {
			u.lock("Locked: enter the vault password")
		} else {
			u.showNotice("Locking needs a vault password: set one in Preferences")
		}
	case fyne.KeyP, fyne.KeyComma:
		u.tabs.SelectIndex(len(u.tabs.Items) - 1)
	default:
		return false
	}
	return true
}

// typedKey gets the keys no focused widget took: Esc and Enter for the
// dialog on top.
func (u *App) typedKey(k *fyne.KeyEvent) {
	u.touch()
	switch k.Name {
	case fyne.KeyEscape:
		u.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if n := len(u.dialogs); n > 0 && u.dialogs[n-1].confirm != nil {
			u.dialogs[n-1].confirm()
		}
	}
}

// escape closes the dialog on top, or leaves the search field.
func (u *App) escape() {
	if n := len(u.dialogs); n > 0 {
		u.dialogs[n-1].d.Hide()
		return
	}
	if u.codes != nil {
		if u.codes.search.Text != "" {
			u.codes.search.SetText("")
		}
		u.win.Canvas().Unfocus()
	}
}

// showDialog shows d and keeps it on the stack that Esc and Enter work on.
// confirm is what Enter does when no field has the focus.
func (u *App) showDialog(d dialog.Dialog, confirm func()) {
	u.dialogs = append(u.dialogs, shownDialog{d: d, confirm: confirm})
	d.SetOnClosed(func() {
		for i := len(u.dialogs) - 1; i >= 0; i-- {
			if u.dialogs[i].d == d {
				u.dialogs = append(u.dialogs[:i], u.dialogs[i+1:]...)
				break
			}
		}
	})
	d.Show()
}

// showError shows err in a dialog: one line saying what went wrong.
func (u *App) showError(err error) {
	d := u.newText("Error", err.Error(), theme.ErrorIcon())
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Hide)
}

func (u *App) showInfo(title, msg string) {
	d := u.newText(title, msg, theme.InfoIcon())
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Hide)
}

// showNotice shows a short message at the bottom of the window for a few
// seconds ("Copied").
func (u *App) showNotice(msg string) {
	u.notice.SetText(msg)
	u.notice.Show()
	if u.noticeTmr != nil {
		u.noticeTmr.Stop()
	}
	var t Timer
	t = u.clock.AfterFunc(4*time.Second, func() {
		fyne.Do(func() {
			if u.noticeTmr == t {
				u.notice.Hide()
			}
		})
	})
	u.noticeTmr = t
}

func (u *App) showShortcuts() {
	grid := widget.NewForm()
	for _, line := range strings.Split(shortcutsHelp, "\n") {
		k, v, _ := strings.Cut(line, "\t")
		grid.Append(k, widget.NewLabel(v))
	}
	d := u.newMessage("Keyboard shortcuts", "Close", grid)
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Hide)
}

func itoa(n int) string { return strconv.Itoa(n) }
