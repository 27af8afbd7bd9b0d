package ui

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/vault"
	"github.com/authdesk/authdesk/vault/formats"
	"github.com/authdesk/authdesk/vault/scan"
)

// The ways in: every route ends in confirmAdd, which shows what was found
// and saves only when the person says so.

// showAdd is the Add account dialog (+, Ctrl+N): the scanning routes on
// top, the typed key below.
func (u *App) showAdd() {
	u.touch()
	if u.vault == nil {
		return
	}
	var d *dialog.CustomDialog
	route := func(label string, icon fyne.Resource, f func()) *dialogButton {
		b := u.newDialogButton(label, icon, func() {
			d.Hide()
			f()
		})
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	routes := container.NewGridWithColumns(3,
		route("Scan screen", theme.ComputerIcon(), u.scanScreen),
		route("Image file…", theme.FileImageIcon(), u.openImageFile),
		route("Paste", theme.ContentPasteIcon(), u.paste),
	)
	drop := widget.NewLabel("Scan screen reads a QR code shown in your browser. " +
		"You can also drop an image on the window, or paste (Ctrl+V) an otpauth:// link or an image.")
	drop.Importance = widget.LowImportance
	drop.Wrapping = fyne.TextWrapWord

	form, submit := u.makeKeyForm(func(a vault.Account) {
		d.Hide()
		u.confirmAdd([]vault.Account{a}, "the typed key")
	})
	cancel := u.newDialogButton("Cancel", theme.CancelIcon(), func() { d.Hide() })
	next := u.newDialogButton("Add", theme.ConfirmIcon(), submit)
	next.Importance = widget.HighImportance
	content := container.NewVBox(
		heading("Scan a QR code"), routes, drop,
		widget.NewSeparator(),
		heading("Or enter the key"), form,
	)
	d = dialog.NewCustomWithoutButtons("Add account", content, u.win)
	d.SetButtons([]fyne.CanvasObject{cancel, next})
	d.Resize(fyne.NewSize(500, 0))
	u.showDialog(d, submit)
	u.win.Canvas().Unfocus()
}

// makeKeyForm is the typed route: issuer, name, key, and the rarely needed
// options. submit validates and calls done with the account.
func (u *App) makeKeyForm(done func(vault.Account)) (fyne.CanvasObject, func()) {
	issuer := u.newEntry()
	issuer.SetPlaceHolder("e.g. GitHub")
	name := u.newEntry()
	name.SetPlaceHolder("e.g. alice@example.com")
	key := u.newEntry()
	key.SetPlaceHolder("the setup key, e.g. JBSW Y3DP EHPK 3PXP")
	key.TextStyle.Monospace = true

	kind := widget.NewSelect([]string{"Time-based (TOTP)", "Counter-based (HOTP)", "Steam"}, nil)
	kind.SetSelectedIndex(0)
	alg := widget.NewSelect([]string{"SHA1", "SHA256", "SHA512"}, nil)
	alg.SetSelectedIndex(0)
	digits := widget.NewSelect([]string{"6", "7", "8"}, nil)
	digits.SetSelected("6")
	period := u.newEntry()
	period.SetText("30")
	counter := u.newEntry()
	counter.SetText("0")
	counter.Disable()
	kind.OnChanged = func(string) {
		switch kind.SelectedIndex() {
		case 1:
			counter.Enable()
			period.Disable()
			digits.Enable()
		case 2:
			counter.Disable()
			period.Enable()
			digits.Disable()
		default:
			counter.Disable()
			period.Enable()
			digits.Enable()
		}
	}
	fail := widget.NewLabel("")
	fail.Importance = widget.DangerImportance
	fail.Wrapping = fyne.TextWrapWord
	fail.Hide()

	advanced := widget.NewAccordion(widget.NewAccordionItem("Advanced options", widget.NewForm(
		widget.NewFormItem("Type", kind),
		widget.NewFormItem("Algorithm", alg),
		widget.NewFormItem("Digits", digits),
		widget.NewFormItem("Period (seconds)", period),
		widget.NewFormItem("Counter", counter),
	)))
	form := widget.NewForm(
		widget.NewFormItem("Issuer", issuer),
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Key", key),
	)
	submit := func() {
		u.touch()
		a, err := func() (vault.Account, error) {
			text := strings.TrimSpace(key.Text)
			if looksLikeURI(text) { // a pasted otpauth link in the key field
				accounts, err := formats.ParseAny(text)
				if err != nil {
					return vault.Account{}, err
				}
				if len(accounts) != 1 {
					return vault.Account{}, errors.New("this link holds several accounts: use Paste instead")
				}
				return accounts[0], nil
			}
			if text == "" {
				return vault.Account{}, errors.New("enter the key the site showed beside its QR code")
			}
			secret, err := vault.DecodeSecret(text)
			if err != nil {
				return vault.Account{}, fmt.Errorf("key: %w", err)
			}
			a := vault.Account{
				Issuer: strings.TrimSpace(issuer.Text), Name: strings.TrimSpace(name.Text),
				Secret: secret, Type: vault.TOTP,
				Algorithm: vault.Algorithm(alg.Selected),
			}
			switch kind.SelectedIndex() {
			case 1:
				a.Type = vault.HOTP
				n, err := strconv.ParseUint(strings.TrimSpace(counter.Text), 10, 64)
				if err != nil {
					return a, errors.New("counter: a whole number, 0 or more")
				}
				a.Counter = n
			case 2:
				a.Type = vault.Steam
			}
			if a.Type != vault.HOTP {
				n, err := strconv.Atoi(strings.TrimSpace(period.Text))
				if err != nil || n <= 0 {
					return a, errors.New("period: a whole number of seconds, usually 30")
				}
				a.Period = n
			}
			if a.Type != vault.Steam {
				a.Digits, _ = strconv.Atoi(digits.Selected)
			}
			if a.Issuer == "" && a.Name == "" {
				return a, errors.New("give the account an issuer or a name, to tell it apart")
			}
			a.Normalize()
			return a, a.Validate()
		}()
		if err != nil {
			fail.SetText(firstLine(err))
			fail.Show()
			return
		}
		fail.Hide()
		done(a)
	}
	for _, e := range []*keyEntry{issuer, name, key, period, counter} {
		e.OnSubmitted = func(string) { submit() }
	}
	return container.NewVBox(form, advanced, fail), submit
}

// addFromText adds the account(s) of an otpauth or otpauth-migration URI.
func (u *App) addFromText(text, source string) {
	accounts, err := formats.ParseAny(strings.TrimSpace(text))
	if err != nil {
		u.showError(fmt.Errorf("read %s: %w", source, err))
		return
	}
	u.confirmAdd(accounts, source)
}

// addFromImage decodes every QR code in an image file's bytes.
func (u *App) addFromImage(data []byte, source string) {
	texts, err := scan.DecodeBytes(data)
	if err != nil {
		u.showError(fmt.Errorf("scan %s: %w", source, err))
		return
	}
	u.addFromPayloads(texts, source)
}

// addFromPayloads turns QR texts into accounts. Codes that are not otpauth
// are reported; if none is, nothing is offered.
func (u *App) addFromPayloads(texts []string, source string) {
	var (
		accounts []vault.Account
		problems []string
	)
	for _, t := range texts {
		as, err := formats.ParseAny(t)
		if err != nil {
			problems = append(problems, firstLine(err))
			continue
		}
		accounts = append(accounts, as...)
	}
	if len(accounts) == 0 {
		msg := "no QR code with an account in " + source
		if len(problems) > 0 {
			msg += ": " + strings.Join(problems, "; ")
		}
		u.showError(errors.New(msg))
		return
	}
	u.confirmAdd(accounts, source)
}

// openImageFile is the file route (Ctrl+O).
func (u *App) openImageFile() {
	u.touch()
	if u.vault == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if r == nil {
			return // cancelled
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, 64<<20))
		if err != nil {
			u.showError(fmt.Errorf("read %s: %w", r.URI().Name(), err))
			return
		}
		u.addFromImage(data, r.URI().Name())
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".gif", ".PNG", ".JPG", ".JPEG", ".GIF"}))
	if home, err := os.UserHomeDir(); err == nil {
		for _, dir := range []string{"Pictures/Screenshots", "Pictures", "Downloads"} {
			if l, err := storage.ListerForURI(storage.NewFileURI(filepath.Join(home, dir))); err == nil {
				d.SetLocation(l)
				break
			}
		}
	}
	d.Resize(fyne.NewSize(760, 520))
	u.showDialog(d, nil)
}

// dropped is the drag-and-drop route: image files dropped on the window.
func (u *App) dropped(_ fyne.Position, uris []fyne.URI) {
	u.touch()
	if u.vault == nil || len(uris) == 0 {
		return
	}
	var (
		texts    []string
		problems []string
		names    []string
	)
	for _, uri := range uris {
		if uri.Scheme() != "file" {
			problems = append(problems, uri.String()+": not a file")
			continue
		}
		names = append(names, uri.Name())
		t, err := scan.DecodeFile(uri.Path())
		if err != nil {
			problems = append(problems, firstLine(err))
			continue
		}
		texts = append(texts, t...)
	}
	source := strings.Join(names, ", ")
	if len(texts) == 0 {
		u.showError(errors.New(strings.Join(problems, "; ")))
		return
	}
	u.addFromPayloads(texts, source)
}

// paste is Ctrl+V: an otpauth URI as text, or else an image.
func (u *App) paste() {
	u.touch()
	if u.vault == nil {
		return
	}
	text := strings.TrimSpace(u.app.Clipboard().Content())
	if text != "" {
		if !looksLikeURI(text) && !strings.Contains(text, "://") {
			// Likely a code or a key: say what was expected and where a
			// key goes instead.
			u.showError(errors.New("the clipboard holds text that is not an otpauth:// link: " +
				"to add a key, use Add account (Ctrl+N) and paste it in the Key field"))
			return
		}
		u.addFromText(text, "the clipboard")
		return
	}
	get := u.cfg.ClipboardImage
	if get == nil {
		get = clipboardImage
	}
	var (
		data []byte
		err  error
	)
	u.background(func() { data, err = get() }, func() {
		if err != nil {
			u.showError(err)
			return
		}
		u.addFromImage(data, "the clipboard image")
	})
}

// scanScreen captures every display and decodes every QR code on them, the
// way to add an account shown in the browser. Authdesk's own window is
// hidden meanwhile so it covers nothing.
func (u *App) scanScreen() {
	u.touch()
	if u.vault == nil {
		return
	}
	if msg := screenCaptureUnsupported(); msg != "" {
		u.offerFileRoute("Scan the screen", msg)
		return
	}
	capture := u.cfg.Capture
	if capture == nil {
		capture = captureScreens
	}
	var (
		texts []string
		err   error
	)
	hidden := !u.cfg.Sync
	if hidden {
		u.win.Hide()
	}
	u.background(func() {
		if hidden {
			time.Sleep(350 * time.Millisecond) // let the compositor take the window away
		}
		var imgs []image.Image
		imgs, err = capture()
		if err != nil {
			return
		}
		for _, img := range imgs {
			t, derr := scan.Decode(img)
			if derr == nil {
				texts = append(texts, t...)
			} else if !errors.Is(derr, scan.ErrNotFound) {
				err = derr
			}
		}
	}, func() {
		if hidden {
			u.win.Show()
			u.win.RequestFocus()
		}
		switch {
		case len(texts) > 0:
			u.addFromPayloads(texts, "the screen")
		case err != nil:
			u.offerFileRoute("Scan the screen", "Could not capture the screen: "+firstLine(err))
		default:
			u.showInfo("No QR code on the screen",
				"Show the QR code in full on the screen (not covered, not too small) and try again, "+
					"or save it as an image and use QR image file.")
		}
	})
}

// offerFileRoute explains why a route is not available and offers the
// image file route instead.
func (u *App) offerFileRoute(title, msg string) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := u.newAsk(title, "Open an image file…", "Close", l, u.openImageFile)
	d.Resize(fyne.NewSize(440, 0))
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Confirm)
}

// screenCaptureUnsupported says why the screen cannot be captured here, or
// "" when it can be tried.
func screenCaptureUnsupported() string {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" && runtime.GOOS != "openbsd" && runtime.GOOS != "netbsd" {
		return ""
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" || os.Getenv("XDG_SESSION_TYPE") == "wayland" {
		return "On Wayland, apps may only capture the screen through the desktop portal " +
			"(xdg-desktop-portal's Screenshot), which Authdesk cannot use yet. " +
			"Take a screenshot (Print Screen) and open it here, or drop it on the window."
	}
	if os.Getenv("DISPLAY") == "" {
		return "No X11 display to capture (DISPLAY is not set). Save the QR code as an image and open it here."
	}
	return ""
}
