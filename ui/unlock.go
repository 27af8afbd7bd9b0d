package ui

import (
	"errors"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/assets"
	"github.com/authdesk/authdesk/vault"
)

// centered puts a column of objects in the middle of the window, no wider
// than a comfortable reading width.
func centered(objs ...fyne.CanvasObject) fyne.CanvasObject {
	col := container.NewVBox(objs...)
	return container.NewCenter(container.New(&maxWidth{w: 360}, col))
}

// maxWidth lays out its one child at its minimum height and at least w wide.
type maxWidth struct{ w float32 }

func (m *maxWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := objs[0].MinSize()
	return fyne.NewSize(max(s.Width, m.w), s.Height)
}

func (m *maxWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[0].Move(fyne.NewPos(0, 0))
}

func logo(size float32) fyne.CanvasObject {
	img := canvas.NewImageFromResource(fyne.NewStaticResource("authdesk.png", assets.Icon))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(size, size))
	return container.NewCenter(img)
}

func title(s string) fyne.CanvasObject {
	t := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
	t.TextStyle.Bold = true
	t.TextSize = theme.TextHeadingSize()
	t.Alignment = fyne.TextAlignCenter
	return t
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = fyne.TextAlignCenter
	return l
}

// makeBusyScreen shows while the vault opens.
func makeBusyScreen(msg string) fyne.CanvasObject {
	bar := widget.NewProgressBarInfinite()
	return centered(logo(96), wrapped(msg), bar)
}

// makeUnlockScreen asks for the vault password. reason says why in one
// line (no keyring answered, locked after idle, ...).
func (u *App) makeUnlockScreen(reason string, locked bool) fyne.CanvasObject {
	pw := u.newPasswordEntry()
	pw.SetPlaceHolder("Vault password")
	why := wrapped(reason)
	why.Importance = widget.MediumImportance
	fail := wrapped("")
	fail.Importance = widget.DangerImportance
	fail.Hide()
	var button *widget.Button
	busy := widget.NewProgressBarInfinite()
	busy.Hide()
	submit := func() {
		if pw.Text == "" {
			u.win.Canvas().Focus(pw)
			return
		}
		button.Disable()
		pw.Disable()
		fail.Hide()
		busy.Show()
		u.unlockWith([]byte(pw.Text), func(err error) {
			busy.Hide()
			button.Enable()
			pw.Enable()
			pw.SetText("")
			if errors.Is(err, vault.ErrWrongPassword) {
				fail.SetText("Wrong password: try again")
			} else {
				fail.SetText(firstLine(err))
			}
			fail.Show()
			u.win.Canvas().Focus(pw)
		})
	}
	pw.OnSubmitted = func(string) { submit() }
	button = widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), submit)
	button.Importance = widget.HighImportance
	heading := "Unlock your vault"
	if locked {
		heading = "Authdesk is locked"
	}
	path := widget.NewLabel(u.cfg.VaultPath)
	path.Importance = widget.LowImportance
	path.Alignment = fyne.TextAlignCenter
	path.Truncation = fyne.TextTruncateEllipsis
	screen := centered(logo(96), title(heading), why, layout.NewSpacer(), pw, button, busy, fail, path)
	u.afterShown(func() { u.win.Canvas().Focus(pw) })
	return screen
}

// makeCreateScreen is the first start: no vault yet. The keyring holds the
// key; a password is optional, for backups and keyring-less machines.
func (u *App) makeCreateScreen() fyne.CanvasObject {
	intro := wrapped("Authdesk keeps your two-factor accounts in an encrypted vault. " +
		"Its key is kept in your system keyring, so it opens without a password when you sign in.")
	pw := u.newPasswordEntry()
	pw.SetPlaceHolder("Password (8 characters or more)")
	again := u.newPasswordEntry()
	again.SetPlaceHolder("Repeat the password")
	pwBox := container.NewVBox(pw, again)
	pwBox.Hide()
	usePw := widget.NewCheck("Also protect it with a password", func(on bool) {
		if on {
			pwBox.Show()
			u.win.Canvas().Focus(pw)
		} else {
			pwBox.Hide()
		}
	})
	pwHint := widget.NewLabel("You need the password to open backups, to lock the window, " +
		"and on computers without a keyring.")
	pwHint.Wrapping = fyne.TextWrapWord
	pwHint.Importance = widget.LowImportance
	fail := wrapped("")
	fail.Importance = widget.DangerImportance
	fail.Hide()
	busy := widget.NewProgressBarInfinite()
	busy.Hide()
	var button *widget.Button
	submit := func() {
		fail.Hide()
		var password []byte
		if usePw.Checked {
			switch {
			case len(pw.Text) < 8:
				fail.SetText("Use a password of at least 8 characters")
				fail.Show()
				u.win.Canvas().Focus(pw)
				return
			case pw.Text != again.Text:
				fail.SetText("The two passwords differ")
				fail.Show()
				u.win.Canvas().Focus(again)
				return
			}
			password = []byte(pw.Text)
		}
		button.Disable()
		busy.Show()
		var (
			v   *vault.Vault
			err error
		)
		u.background(func() {
			v, err = vault.Create(u.cfg.VaultPath, vault.Options{Keyring: u.cfg.Keyring}, password)
		}, func() {
			busy.Hide()
			button.Enable()
			switch {
			case err == nil:
				u.unlocked(v)
				return
			case errors.Is(err, vault.ErrNoKeyring):
				fail.SetText("No keyring answered on this computer, so the vault needs a password: set one above")
				usePw.SetChecked(true)
			case errors.Is(err, os.ErrExist):
				fail.SetText("A vault appeared at " + u.cfg.VaultPath + " meanwhile: restart Authdesk to open it")
			default:
				fail.SetText(firstLine(err))
			}
			fail.Show()
		})
	}
	pw.OnSubmitted = func(string) { u.win.Canvas().Focus(again) }
	again.OnSubmitted = func(string) { submit() }
	button = widget.NewButtonWithIcon("Create vault", theme.ConfirmIcon(), submit)
	button.Importance = widget.HighImportance
	path := widget.NewLabel(u.cfg.VaultPath)
	path.Importance = widget.LowImportance
	path.Alignment = fyne.TextAlignCenter
	path.Truncation = fyne.TextTruncateEllipsis
	return centered(logo(96), title("Welcome to Authdesk"), intro, usePw, pwHint, pwBox, button, busy, fail, path)
}

// makeOpenErrorScreen is for a vault that exists but cannot be read (corrupt,
// tampered, unreadable). Nothing is written to it.
func (u *App) makeOpenErrorScreen(err error) fyne.CanvasObject {
	msg := wrapped(firstLine(err))
	msg.Importance = widget.DangerImportance
	note := wrapped("Authdesk has not changed the file. A copy of the previous version may be beside it, as vault.json.bak.")
	retry := widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), u.Start)
	return centered(logo(96), title("Cannot open the vault"), msg, note, retry)
}

// afterShown runs f on the Fyne goroutine after the content just set is in
// the window (focusing needs the widget on the canvas).
func (u *App) afterShown(f func()) {
	if u.cfg.Sync {
		return
	}
	go fyne.Do(f)
}
