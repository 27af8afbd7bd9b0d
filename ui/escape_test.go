package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
)

// pressKey sends a key as the window does: to the focused widget when
// there is one, else to the canvas's handler.
func pressKey(u *App, name fyne.KeyName) {
	c := u.win.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	c.OnTypedKey()(ev)
}

// focusButton gives the keyboard focus to the dialog button labelled text,
// as a click or Tab would.
func focusButton(t *testing.T, u *App, text string) {
	t.Helper()
	for _, o := range topDialog(t, u) {
		if b, ok := o.(*dialogButton); ok && b.Text == text && b.Visible() {
			u.win.Canvas().Focus(b)
			return
		}
	}
	t.Fatalf("no dialog button %q", text)
}

// Esc closes the dialog on top even when one of its buttons has the
// keyboard focus; Enter presses the focused button.
func TestEscapeWithAButtonFocused(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, _ := start(t, path)
	github := *rowFor(t, u, "GitHub").acct

	for _, c := range []struct {
		name   string
		show   func()
		button string
	}{
		{"delete", func() { u.confirmDelete(github) }, "Delete"},
		{"QR code", func() { u.showQR(github) }, "Copy key"},
		{"add", u.showAdd, "Scan screen"},
		{"error", func() { u.showError(errors.New("something failed")) }, "OK"},
		{"shortcuts", u.showShortcuts, "Close"},
	} {
		c.show()
		focusButton(t, u, c.button)
		pressKey(u, fyne.KeyEscape)
		if len(u.dialogs) != 0 || u.win.Canvas().Overlays().Top() != nil {
			t.Fatalf("%s dialog still open after Esc with %q focused", c.name, c.button)
		}
	}

	// Enter on the focused Cancel cancels; on Delete, deletes.
	u.confirmDelete(github)
	focusButton(t, u, "Cancel")
	pressKey(u, fyne.KeyReturn)
	if len(u.dialogs) != 0 || len(onDisk(t, path)) != 4 {
		t.Fatalf("Enter on Cancel: %d dialogs open, %d accounts", len(u.dialogs), len(onDisk(t, path)))
	}
	u.confirmDelete(github)
	focusButton(t, u, "Delete")
	pressKey(u, fyne.KeyEnter)
	for _, a := range onDisk(t, path) {
		if a.UUID == github.UUID {
			t.Fatal("Enter on the focused Delete button did not delete")
		}
	}
	if len(onDisk(t, path)) != 3 {
		t.Fatalf("%d accounts left, want 3", len(onDisk(t, path)))
	}
}
