package ui

import (
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The dialogs are dialog.CustomDialog with buttons of ours: a
// widget.Button takes the keyboard focus when clicked or tabbed to, and
// then swallows every key but Space, so Esc would not close a dialog whose
// button had been used. Fyne's ready-made dialogs (NewConfirm, NewForm,
// NewError) build their buttons inside, out of reach.

// dialogButton is a button that lets Esc through to the window (which
// closes the dialog on top) and presses itself on Enter, as on Space.
type dialogButton struct {
	widget.Button
	u *App
}

func (u *App) newDialogButton(label string, icon fyne.Resource, tapped func()) *dialogButton {
	b := &dialogButton{u: u}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *dialogButton) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		b.u.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.u.touch()
			b.OnTapped()
		}
	default:
		b.Button.TypedKey(k)
	}
}

// askDialog asks for a yes: a dismiss button and a confirm button.
type askDialog struct {
	*dialog.CustomDialog
	ok   *dialogButton
	onOK func()
}

// newAsk makes a dialog with dismiss and confirm buttons; confirming
// closes it and runs onOK.
func (u *App) newAsk(title, confirm, dismiss string, content fyne.CanvasObject, onOK func()) *askDialog {
	a := &askDialog{onOK: onOK}
	a.CustomDialog = dialog.NewCustomWithoutButtons(title, content, u.win)
	cancel := u.newDialogButton(dismiss, theme.CancelIcon(), a.Hide)
	a.ok = u.newDialogButton(confirm, theme.ConfirmIcon(), a.Confirm)
	a.ok.Importance = widget.HighImportance
	a.SetButtons([]fyne.CanvasObject{cancel, a.ok})
	return a
}

// Confirm does what the confirm button does, unless it is disabled.
func (a *askDialog) Confirm() {
	if a.ok.Disabled() {
		return
	}
	a.Hide()
	if a.onOK != nil {
		a.onOK()
	}
}

// newMessage makes a dialog with one button, which closes it.
func (u *App) newMessage(title, dismiss string, content fyne.CanvasObject) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, u.win)
	d.SetButtons([]fyne.CanvasObject{u.newDialogButton(dismiss, nil, d.Hide)})
	return d
}

// newText makes a message dialog for one line or paragraph, sized as
// Fyne's information dialog: as wide as the text, within reason.
func (u *App) newText(title, msg string, icon fyne.Resource) *dialog.CustomDialog {
	if r, size := utf8.DecodeRuneInString(msg); r != utf8.RuneError {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	l := &widget.Label{Text: msg, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	d := u.newMessage(title, "OK", l)
	d.SetIcon(icon)
	const pad = 32 // the dialog's own margin
	w := widget.NewLabel(msg).MinSize().Width + pad + 2*theme.Padding()
	w = min(w, 600, u.win.Canvas().Size().Width*0.9)
	d.Resize(fyne.NewSize(w, 0))
	return d
}
