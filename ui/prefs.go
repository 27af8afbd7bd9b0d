package ui

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// prefs are the settings kept in Fyne's per-app preferences file; the
// vault password is the one setting kept in the vault.
type prefs struct{ p fyne.Preferences }

const (
	prefClipboard = "clipboardClearSeconds" // 0: never
	prefAutoLock  = "autoLockMinutes"       // 0: never
	prefOffset    = "clockOffsetSeconds"
	prefTheme     = "theme" // system, light, dark
	prefSort      = "sort"  // custom, az
)

const (
	sortCustom = "custom"
	sortAZ     = "az"
)

func (p prefs) clipboardSeconds() int { return p.p.IntWithFallback(prefClipboard, 30) }
func (p prefs) autoLockMinutes() int  { return p.p.IntWithFallback(prefAutoLock, 5) }
func (p prefs) clockOffset() int      { return p.p.IntWithFallback(prefOffset, 0) }
func (p prefs) theme() string         { return p.p.StringWithFallback(prefTheme, themeSystem) }
func (p prefs) sort() string          { return p.p.StringWithFallback(prefSort, sortCustom) }

// choice is one entry of a drop-down that stores a number.
type choice struct {
	label string
	value int
}

var (
	clipboardChoices = []choice{{"Never", 0}, {"10 seconds", 10}, {"20 seconds", 20}, {"30 seconds", 30},
		{"1 minute", 60}, {"2 minutes", 120}}
	autoLockChoices = []choice{{"Never", 0}, {"1 minute", 1}, {"2 minutes", 2}, {"5 minutes", 5},
		{"15 minutes", 15}, {"30 minutes", 30}, {"1 hour", 60}}
)

// choiceSelect is a drop-down over choices that saves to key.
func (u *App) choiceSelect(choices []choice, key string, current int, changed func(int)) *widget.Select {
	var labels []string
	selected := ""
	for _, c := range choices {
		labels = append(labels, c.label)
		if c.value == current {
			selected = c.label
		}
	}
	if selected == "" { // a value set elsewhere: show it as it is
		selected = strconv.Itoa(current)
		labels = append(labels, selected)
	}
	s := widget.NewSelect(labels, nil)
	s.SetSelected(selected)
	s.OnChanged = func(label string) {
		u.touch()
		for _, c := range choices {
			if c.label == label {
				u.app.Preferences().SetInt(key, c.value)
				if changed != nil {
					changed(c.value)
				}
			}
		}
	}
	return s
}

// makePrefsScreen is the Preferences tab.
func (u *App) makePrefsScreen() fyne.CanvasObject {
	clip := u.choiceSelect(clipboardChoices, prefClipboard, u.prefs.clipboardSeconds(), nil)

	lockHint := widget.NewLabel("")
	lockHint.Importance = widget.LowImportance
	lockHint.Wrapping = fyne.TextWrapWord
	autoLock := u.choiceSelect(autoLockChoices, prefAutoLock, u.prefs.autoLockMinutes(), nil)

	offset := u.newEntry()
	offset.SetText(strconv.Itoa(u.prefs.clockOffset()))
	offset.Validator = func(s string) error {
		if _, err := parseOffset(s); err != nil {
			return err
		}
		return nil
	}
	offset.OnChanged = func(s string) {
		if n, err := parseOffset(s); err == nil {
			u.app.Preferences().SetInt(prefOffset, n)
			u.redrawCodes()
		}
	}

	themes := widget.NewRadioGroup([]string{"System", "Light", "Dark"}, nil)
	themes.Horizontal = true
	themes.Required = true
	themes.SetSelected(map[string]string{themeSystem: "System", themeLight: "Light", themeDark: "Dark"}[u.prefs.theme()])
	themes.OnChanged = func(s string) {
		u.touch()
		v := map[string]string{"System": themeSystem, "Light": themeLight, "Dark": themeDark}[s]
		u.app.Preferences().SetString(prefTheme, v)
		u.theme = newAppTheme(v)
		u.app.Settings().SetTheme(u.theme)
	}

	order := widget.NewRadioGroup([]string{"Your order", "A–Z"}, nil)
	order.Horizontal = true
	order.Required = true
	if u.prefs.sort() == sortAZ {
		order.SetSelected("A–Z")
	} else {
		order.SetSelected("Your order")
	}
	order.OnChanged = func(s string) {
		u.touch()
		v := sortCustom
		if s == "A–Z" {
			v = sortAZ
		}
		u.app.Preferences().SetString(prefSort, v)
		if u.codes != nil {
			u.codes.rebuild()
		}
	}

	pwStatus := widget.NewLabel("")
	pwStatus.Wrapping = fyne.TextWrapWord
	pwButton := widget.NewButton("", nil)
	lockNow := widget.NewButton("Lock now", func() { u.lock("Locked: enter the vault password") })
	refresh := func() {
		has := u.vault != nil && u.vault.HasPassword()
		if has {
			pwStatus.SetText("A password also opens this vault: for backups, and on machines without a keyring.")
			pwButton.SetText("Change password…")
			lockHint.SetText("Lock the window when it has not been used for this long.")
			autoLock.Enable()
			lockNow.Enable()
		} else {
			pwStatus.SetText("Only your keyring opens this vault. Set a password to unlock it without the keyring, to read backups, and to lock the window.")
			pwButton.SetText("Set password…")
			lockHint.SetText("Needs a vault password: the keyring would unlock the window again at once.")
			autoLock.Disable()
			lockNow.Disable()
		}
	}
	pwButton.OnTapped = func() { u.showSetPassword(refresh) }
	refresh()

	// The keyring: a vault from another computer, one made where no keyring
	// answered, or an Aegis vault opens here only by its password until
	// this computer's keyring holds a key for it.
	krStatus := widget.NewLabel("Your keyring on this computer opens this vault.")
	krStatus.Wrapping = fyne.TextWrapWord
	krButton := widget.NewButton("Unlock with this computer's keyring", nil)
	krButton.Hide()
	if u.byPassword {
		krStatus.SetText("This computer's keyring did not open this vault: its password did. Let the keyring open it from now on?")
		krButton.Show()
	}
	krButton.OnTapped = func() {
		u.touch()
		krButton.Disable()
		v := u.vault
		var err error
		u.background(func() { _, err = v.AddKeyring() }, func() {
			if err != nil {
				krButton.Enable()
				krStatus.SetText("The keyring did not take the key: " + firstLine(err))
				return
			}
			u.byPassword = false
			krButton.Hide()
			krStatus.SetText("Your keyring on this computer opens this vault now, without its password.")
		})
	}

	path := widget.NewLabel(u.cfg.VaultPath)
	path.Wrapping = fyne.TextWrapBreak
	path.TextStyle.Monospace = true

	hint := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Importance = widget.LowImportance
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem("Clear clipboard", container.NewVBox(clip,
			hint("A copied code is removed from the clipboard after this time, if it is still there."))),
		widget.NewFormItem("Auto-lock", container.NewVBox(autoLock, lockHint)),
		widget.NewFormItem("Clock offset", container.NewVBox(
			container.NewBorder(nil, nil, nil, widget.NewLabel("seconds"), offset),
			hint("For a computer whose clock is wrong: codes are made for the time plus this offset."))),
		widget.NewFormItem("Order", order),
		widget.NewFormItem("Theme", themes),
	)
	vaultForm := widget.NewForm(
		widget.NewFormItem("File", path),
		widget.NewFormItem("Password", container.NewVBox(pwStatus,
			container.NewHBox(pwButton, lockNow))),
		widget.NewFormItem("Keyring", container.NewVBox(krStatus, container.NewHBox(krButton))),
	)
	keys := widget.NewButton("Keyboard shortcuts", u.showShortcuts)
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("Codes"), form,
		widget.NewSeparator(),
		heading("Vault"), vaultForm,
		widget.NewSeparator(),
		container.NewHBox(keys),
	)))
}

func heading(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "+"))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("a whole number of seconds, like -30 or 90")
	}
	if n < -86400 || n > 86400 {
		return 0, errors.New("at most a day (86400 seconds) either way")
	}
	return n, nil
}

// showSetPassword asks for a new vault password, twice.
func (u *App) showSetPassword(done func()) {
	pw := u.newPasswordEntry()
	again := u.newPasswordEntry()
	var d *askDialog
	check := func() error {
		if len(pw.Text) < 8 {
			return errors.New("use at least 8 characters")
		}
		if pw.Text != again.Text {
			return errors.New("the passwords differ")
		}
		return nil
	}
	pw.Validator = func(string) error {
		if len(pw.Text) < 8 {
			return errors.New("use at least 8 characters")
		}
		return nil
	}
	again.Validator = func(string) error {
		if pw.Text != again.Text {
			return errors.New("the passwords differ")
		}
		return nil
	}
	title := "Set vault password"
	if u.vault != nil && u.vault.HasPassword() {
		title = "Change vault password"
	}
	form := widget.NewForm(
		widget.NewFormItem("New password", pw),
		widget.NewFormItem("Repeat", again),
	)
	d = u.newAsk(title, "Save", "Cancel", form, func() {
		if u.vault == nil || check() != nil {
			return
		}
		if err := u.vault.SetPassword([]byte(pw.Text)); err != nil {
			u.showError(err)
			return
		}
		u.showNotice("Vault password saved")
		done()
	})
	// Save stays disabled until both fields are valid, as in Fyne's form
	// dialog.
	validated := func(err error) {
		if err != nil {
			d.ok.Disable()
		} else {
			d.ok.Enable()
		}
	}
	validated(form.Validate())
	form.SetOnValidationChanged(validated)
	submit := func(string) {
		if check() == nil {
			d.Confirm()
		}
	}
	pw.OnSubmitted = func(string) { u.win.Canvas().Focus(again) }
	again.OnSubmitted = submit
	d.Resize(fyne.NewSize(420, 0))
	u.showDialog(d, nil)
	u.win.Canvas().Focus(pw)
}
