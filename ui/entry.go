package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is a widget.Entry that lets the window's keys through: Escape
// closes the dialog it is in, and the app's Ctrl shortcuts (Ctrl+F, Ctrl+N,
// ...) still work while the cursor is in it. A plain Entry swallows both.
type keyEntry struct {
	widget.Entry
	u *App
	// onPaste, when set, sees a paste first and reports whether it took it
	// (the search field takes an otpauth URI as "add this account").
	onPaste func(text string) bool
}

func (u *App) newEntry() *keyEntry {
	e := &keyEntry{u: u}
	e.ExtendBaseWidget(e)
	return e
}

func (u *App) newPasswordEntry() *keyEntry {
	e := u.newEntry()
	e.Password = true
	return e
}

func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.u.escape()
		return
	}
	e.u.touch()
	e.Entry.TypedKey(k)
}

func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if p, ok := s.(*fyne.ShortcutPaste); ok && e.onPaste != nil && p.Clipboard != nil {
		if e.onPaste(p.Clipboard.Content()) {
			return
		}
	}
	if _, ok := s.(*desktop.CustomShortcut); ok && e.u.shortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}
