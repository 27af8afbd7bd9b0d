package ui

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/vault"
)

// copyCode puts a's current code on the clipboard and clears it later if
// it is still there.
func (u *App) copyCode(a vault.Account) {
	u.touch()
	code, err := a.Code(u.now())
	if err != nil {
		u.showError(fmt.Errorf("make a code for %s: %w", a.Label(), err))
		return
	}
	u.copySecret(code, "Copied the code for "+displayName(a))
}

// copySecret puts text on the clipboard (a code, a key) and clears it after
// the time set in Preferences, but only if the clipboard still holds it: a
// later copy by the person is never wiped.
func (u *App) copySecret(text, notice string) {
	clip := u.app.Clipboard()
	clip.SetContent(text)
	if u.clipTmr != nil {
		u.clipTmr.Stop()
		u.clipTmr = nil
	}
	secs := u.prefs.clipboardSeconds()
	if secs > 0 {
		notice += fmt.Sprintf(" · clears in %d s", secs)
		var t Timer
		t = u.clock.AfterFunc(time.Duration(secs)*time.Second, func() {
			fyne.Do(func() {
				if clip.Content() == text {
					clip.SetContent("")
				}
				if u.clipTmr == t {
					u.clipTmr = nil
				}
			})
		})
		u.clipTmr = t
	}
	u.showNotice(notice)
}

func displayName(a vault.Account) string {
	if a.Issuer != "" {
		return a.Issuer
	}
	if a.Name != "" {
		return a.Name
	}
	return "this account"
}

// nextHOTP moves a counter-based account to its next code.
func (u *App) nextHOTP(a vault.Account) {
	u.touch()
	if a.Type != vault.HOTP {
		return
	}
	if u.edit(func(db *vault.DB) error {
		i := db.Index(a.UUID)
		if i < 0 {
			return fmt.Errorf("%s: %w", a.Label(), vault.ErrNotFound)
		}
		b := db.Accounts[i]
		b.Counter++
		return db.Replace(b)
	}) {
		if i := u.indexOf(a.UUID); i >= 0 {
			u.copyCode(u.accounts[i])
		}
	}
}

func (u *App) indexOf(uuid string) int {
	for i := range u.accounts {
		if u.accounts[i].UUID == uuid {
			return i
		}
	}
	return -1
}

// showRowMenu is the menu of one account (right click, ⋮, or M).
func (u *App) showRowMenu(a vault.Account, pos fyne.Position) {
	u.touch()
	fav := "Pin to top"
	if a.Favorite {
		fav = "Unpin"
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Copy code", func() { u.copyCode(a) }),
	}
	if a.Type == vault.HOTP {
		items = append(items, fyne.NewMenuItem("Next code", func() { u.nextHOTP(a) }))
	}
	items = append(items,
		fyne.NewMenuItem(fav, func() { u.toggleFavorite(a) }),
		fyne.NewMenuItem("Edit…", func() { u.showEdit(a) }),
		fyne.NewMenuItem("Show QR code…", func() { u.showQR(a) }),
	)
	if u.prefs.sort() == sortCustom && u.codes != nil && u.codes.search.Text == "" {
		up := fyne.NewMenuItem("Move up", func() { u.move(a, -1) })
		down := fyne.NewMenuItem("Move down", func() { u.move(a, +1) })
		items = append(items, fyne.NewMenuItemSeparator(), up, down)
	}
	del := fyne.NewMenuItem("Delete…", func() { u.confirmDelete(a) })
	del.Icon = theme.DeleteIcon()
	items = append(items, fyne.NewMenuItemSeparator(), del)
	m := widget.NewPopUpMenu(fyne.NewMenu("", items...), u.win.Canvas())
	m.ShowAtPosition(pos)
	u.win.Canvas().Focus(m)
}

// showAppMenu is the ☰ menu of the Codes tab.
func (u *App) showAppMenu(pos fyne.Position) {
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Add account…", u.showAdd),
		fyne.NewMenuItem("Scan QR image file…", u.openImageFile),
		fyne.NewMenuItem("Scan the screen", u.scanScreen),
		fyne.NewMenuItem("Paste", u.paste),
		fyne.NewMenuItemSeparator(),
	}
	if u.vault != nil && u.vault.HasPassword() {
		items = append(items, fyne.NewMenuItem("Lock", func() { u.lock("Locked: enter the vault password") }))
	}
	items = append(items,
		fyne.NewMenuItem("Preferences", func() { u.tabs.SelectIndex(len(u.tabs.Items) - 1) }),
		fyne.NewMenuItem("Keyboard shortcuts", u.showShortcuts),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Quit", u.app.Quit),
	)
	m := widget.NewPopUpMenu(fyne.NewMenu("", items...), u.win.Canvas())
	m.ShowAtPosition(pos)
	u.win.Canvas().Focus(m)
}

func (u *App) toggleFavorite(a vault.Account) {
	u.touch()
	u.edit(func(db *vault.DB) error {
		i := db.Index(a.UUID)
		if i < 0 {
			return fmt.Errorf("%s: %w", a.Label(), vault.ErrNotFound)
		}
		b := db.Accounts[i]
		b.Favorite = !b.Favorite
		return db.Replace(b)
	})
}

// move swaps a with its neighbour in the list as shown (dir -1 up, +1
// down), among accounts with the same pinning.
func (u *App) move(a vault.Account, dir int) {
	u.touch()
	c := u.codes
	if c == nil {
		return
	}
	pos := -1
	for i, k := range c.view {
		if u.accounts[k].UUID == a.UUID {
			pos = i
		}
	}
	other := pos + dir
	if pos < 0 || other < 0 || other >= len(c.view) || u.accounts[c.view[other]].Favorite != a.Favorite {
		return
	}
	to := c.view[other] // an index in the vault's order
	u.edit(func(db *vault.DB) error { return db.Move(a.UUID, to) })
}

// showEdit edits what the person may change of an account: issuer, name
// and note. The secret stays as scanned.
func (u *App) showEdit(a vault.Account) {
	u.touch()
	issuer := u.newEntry()
	issuer.SetText(a.Issuer)
	name := u.newEntry()
	name.SetText(a.Name)
	note := u.newEntry()
	note.MultiLine = true
	note.Wrapping = fyne.TextWrapWord
	note.SetMinRowsVisible(3)
	note.SetText(a.Note)
	form := widget.NewForm(
		widget.NewFormItem("Issuer", issuer),
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Note", note),
	)
	d := u.newAsk("Edit account", "Save", "Cancel", form, func() {
		b := a
		b.Issuer = strings.TrimSpace(issuer.Text)
		b.Name = strings.TrimSpace(name.Text)
		b.Note = note.Text
		if u.edit(func(db *vault.DB) error {
			i := db.Index(a.UUID)
			if i < 0 {
				return fmt.Errorf("%s: %w", a.Label(), vault.ErrNotFound)
			}
			cur := db.Accounts[i] // keep what authctl may have changed meanwhile
			cur.Issuer, cur.Name, cur.Note = b.Issuer, b.Name, b.Note
			return db.Replace(cur)
		}) {
			u.showNotice("Saved " + displayName(b))
		}
	})
	issuer.OnSubmitted = func(string) { d.Confirm() }
	name.OnSubmitted = func(string) { d.Confirm() }
	d.Resize(fyne.NewSize(440, 0))
	u.showDialog(d, d.Confirm)
	u.win.Canvas().Focus(issuer)
}

// confirmDelete asks before deleting: a deleted account's codes are gone
// unless the person has them elsewhere.
func (u *App) confirmDelete(a vault.Account) {
	u.touch()
	msg := widget.NewLabel(fmt.Sprintf("Delete %s?\n\nYou will no longer get its codes here. "+
		"Before deleting, make sure you can still sign in: turn two-factor sign-in off there, "+
		"or keep its codes on another device.", a.Label()))
	msg.Wrapping = fyne.TextWrapWord
	d := u.newAsk("Delete account", "Delete", "Cancel", msg, func() {
		if u.edit(func(db *vault.DB) error { return db.Remove(a.UUID) }) {
			u.showNotice("Deleted " + displayName(a))
		}
	})
	d.ok.Importance = widget.DangerImportance
	d.Resize(fyne.NewSize(420, 0))
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Confirm)
}

// showQR shows the account's otpauth URI as a QR code, to move it to a
// phone, with the key written out for typing.
func (u *App) showQR(a vault.Account) {
	u.touch()
	data, err := renderQR(a.URI(), 280)
	if err != nil {
		u.showError(fmt.Errorf("draw the QR code of %s: %w", a.Label(), err))
		return
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		u.showError(fmt.Errorf("draw the QR code of %s: %w", a.Label(), err))
		return
	}
	qr := canvas.NewImageFromImage(img)
	qr.FillMode = canvas.ImageFillContain
	qr.ScaleMode = canvas.ImageScalePixels
	qr.SetMinSize(fyne.NewSquareSize(260))
	warn := widget.NewLabel("Scan it with your phone's authenticator app. " +
		"Anyone who sees this code can make your codes: close it when done.")
	warn.Wrapping = fyne.TextWrapWord
	key := widget.NewLabel(groupKey(a.SecretBase32()))
	key.TextStyle.Monospace = true
	key.Wrapping = fyne.TextWrapBreak
	key.Selectable = true
	copyKey := u.newDialogButton("Copy key", theme.ContentCopyIcon(), func() {
		u.copySecret(a.SecretBase32(), "Copied the key of "+displayName(a))
	})
	content := container.NewVBox(
		widget.NewLabelWithStyle(a.Label(), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		container.NewCenter(qr), warn,
		widget.NewLabelWithStyle("Can't scan? Enter this key:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		key, container.NewHBox(copyKey))
	d := u.newMessage("QR code", "Close", content)
	d.Resize(fyne.NewSize(400, 0))
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Hide)
}

// groupKey writes a base32 key in groups of four for typing.
func groupKey(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
