package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/vault"
)

// confirmAdd shows the accounts a route found, each with its current code
// so it can be checked against the site, and flags those already in the
// vault. Nothing is saved until the person confirms; duplicates are
// skipped.
func (u *App) confirmAdd(found []vault.Account, source string) {
	u.touch()
	if u.vault == nil || len(found) == 0 {
		return
	}
	// Ask the vault's own rules (defaults, validation, duplicates) on a
	// scratch copy: vault.DB.Add on accounts held in memory.
	scratch := &vault.DB{Accounts: u.vault.Accounts()}
	type item struct {
		a   vault.Account
		err error
	}
	var items []item
	fresh := 0
	for _, a := range found {
		added, err := scratch.Add(a)
		if err == nil {
			a = added
			fresh++
		} else {
			a.Normalize()
		}
		items = append(items, item{a, err})
	}

	list := container.NewVBox()
	for i, it := range items {
		if i > 0 {
			list.Add(widget.NewSeparator())
		}
		list.Add(u.foundRow(it.a, it.err))
	}
	var body fyne.CanvasObject = list
	if len(items) > 3 {
		s := container.NewVScroll(list)
		s.SetMinSize(fyne.NewSize(0, 300))
		body = s
	}
	what := "Found 1 account in " + source + "."
	if len(items) > 1 {
		what = fmt.Sprintf("Found %d accounts in %s.", len(items), source)
	}
	if fresh < len(items) {
		what += fmt.Sprintf(" %d cannot be added and will be skipped.", len(items)-fresh)
	}
	intro := widget.NewLabel(what + " Check the code against the site before you rely on it.")
	intro.Wrapping = fyne.TextWrapWord

	confirmText := "Add account"
	if fresh > 1 {
		confirmText = fmt.Sprintf("Add %d accounts", fresh)
	}
	d := u.newAsk("Add account", confirmText, "Cancel",
		container.NewBorder(intro, nil, nil, nil, body), func() {
			if fresh == 0 {
				return
			}
			var toAdd []vault.Account
			for _, it := range items {
				if it.err == nil {
					toAdd = append(toAdd, it.a)
				}
			}
			u.saveNew(toAdd)
		})
	if fresh == 0 {
		d.ok.SetText("Nothing to add")
		d.ok.Importance = widget.LowImportance
	}
	d.Resize(fyne.NewSize(480, 0))
	u.win.Canvas().Unfocus()
	u.showDialog(d, d.Confirm)
}

// saveNew adds accounts in one save. One that became a duplicate since the
// preview (authctl added it meanwhile) is skipped and reported.
func (u *App) saveNew(accounts []vault.Account) {
	var skipped []string
	added := 0
	ok := u.edit(func(db *vault.DB) error {
		skipped, added = nil, 0
		for _, a := range accounts {
			if _, err := db.Add(a); err != nil {
				if errors.Is(err, vault.ErrDuplicate) {
					skipped = append(skipped, a.Label())
					continue
				}
				return err
			}
			added++
		}
		return nil
	})
	if !ok {
		return
	}
	msg := "Added " + plural(added, "account")
	if len(skipped) > 0 {
		msg += "; already there: " + strings.Join(skipped, ", ")
	}
	u.showNotice(msg)
	if u.codes != nil && u.tabs != nil {
		u.tabs.SelectIndex(0)
	}
}

// foundRow is one account in the confirmation: who it is for, its kind,
// its code now, and why it cannot be added if so.
func (u *App) foundRow(a vault.Account, problem error) fyne.CanvasObject {
	issuer := a.Issuer
	if issuer == "" {
		issuer = "(no issuer)"
	}
	avatar := canvas.NewCircle(avatarColor(issuer, u.theme.isDark()))
	avatar.Resize(fyne.NewSquareSize(32))
	letter := canvas.NewText(initial(issuer), theme.Color(theme.ColorNameForegroundOnPrimary))
	letter.TextStyle.Bold = true
	letter.Alignment = fyne.TextAlignCenter
	av := container.New(&square{32}, avatar, container.NewCenter(letter))

	title := widget.NewLabelWithStyle(issuer, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	name := widget.NewLabel(a.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	details := widget.NewLabel(describeKind(a))
	details.Importance = widget.LowImportance
	lines := container.NewVBox(title, name, details)
	if problem != nil {
		p := widget.NewLabel(problemText(problem))
		p.Importance = widget.DangerImportance
		p.Wrapping = fyne.TextWrapWord
		lines.Add(p)
	}
	code := ""
	if c, err := a.Code(u.now()); err == nil {
		code = groupCode(c)
	}
	codeText := canvas.NewText(code, theme.Color(theme.ColorNameForeground))
	codeText.TextSize = 20
	codeText.TextStyle.Bold = true
	return container.NewBorder(nil, nil, container.NewCenter(av), container.NewCenter(codeText),
		container.NewPadded(compactVBox(lines)))
}

func problemText(err error) string {
	if errors.Is(err, vault.ErrDuplicate) {
		return "Already in your vault (" + firstLine(err) + "): it will be skipped."
	}
	return "Cannot be added: " + firstLine(err)
}

// describeKind is the account's kind in a few words: "Time-based · 6
// digits · every 30 s · SHA1".
func describeKind(a vault.Account) string {
	switch a.Type {
	case vault.HOTP:
		return fmt.Sprintf("Counter-based · %d digits · counter %d · %s", a.Digits, a.Counter, a.Algorithm)
	case vault.Steam:
		return fmt.Sprintf("Steam Guard · every %d s", a.Period)
	}
	return fmt.Sprintf("Time-based · %d digits · every %d s · %s", a.Digits, a.Period, a.Algorithm)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// square lays its objects on top of each other in a side×side square.
type square struct{ side float32 }

func (s *square) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSquareSize(s.side) }

func (s *square) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSquareSize(s.side))
		o.Move(fyne.NewPos(0, 0))
	}
}

// compactVBox stacks labels without the theme's gap between them, so three
// short lines read as one block.
func compactVBox(box *fyne.Container) fyne.CanvasObject {
	return container.New(&tight{}, box.Objects...)
}

type tight struct{}

func (t *tight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		s := o.MinSize()
		w = max(w, s.Width)
		h += s.Height - 2*theme.Padding()
	}
	return fyne.NewSize(w, h+2*theme.Padding())
}

func (t *tight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		s := o.MinSize()
		o.Resize(fyne.NewSize(size.Width, s.Height))
		o.Move(fyne.NewPos(0, y))
		y += s.Height - 2*theme.Padding()
	}
}
