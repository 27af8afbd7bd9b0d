package ui

import (
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/vault"
)

// codesScreen is the Codes tab: a search field, the add button, and the
// list of accounts.
type codesScreen struct {
	u       *App
	content fyne.CanvasObject
	search  *keyEntry
	list    *codeList
	empty   fyne.CanvasObject
	noMatch *widget.Label
	view    []int // indexes into u.accounts, in the order shown
	rows    []*codeRow
	action  rune        // what the next list selection does (keyboard)
	probe   *frameProbe // tells AUTHDESK_BENCH when codes are on screen
}

// codeState is what a row shows for an account at some time.
type codeState struct {
	code, next   string
	left, period int
}

// codeList is a widget.List whose keys act on the focused row: Enter and
// Space copy, letters run the row's menu entries.
type codeList struct {
	widget.List
	c *codesScreen
}

func (l *codeList) TypedKey(k *fyne.KeyEvent) {
	l.c.u.touch()
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		l.act('c')
	case fyne.KeyDelete:
		l.act('d')
	case fyne.KeyEscape:
		l.c.u.escape()
	default:
		l.List.TypedKey(k)
	}
}

func (l *codeList) TypedRune(r rune) {
	l.c.u.touch()
	switch r {
	case 'e', 'q', 'f', 'n', 'm', 'E', 'Q', 'F', 'N', 'M':
		l.act(r | 0x20) // lower case
	case ' ':
		l.act('c')
	}
}

// act runs action on the focused row: the list only tells which row is
// focused by selecting it, so the action waits in c.action for OnSelected.
func (l *codeList) act(action rune) {
	l.c.action = action
	l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	l.c.action = 0
}

func (u *App) makeCodesScreen() *codesScreen {
	c := &codesScreen{u: u}
	c.search = u.newEntry()
	c.search.SetPlaceHolder("Search  (Ctrl+F)")
	c.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	c.search.OnChanged = func(string) { c.rebuild(); c.list.ScrollToTop() }
	c.search.OnSubmitted = func(string) {
		// Enter in the search field copies the first match.
		if len(c.view) > 0 {
			u.copyCode(u.accounts[c.view[0]])
		}
	}
	c.search.onPaste = func(text string) bool {
		if looksLikeURI(text) {
			u.addFromText(text, "the clipboard")
			return true
		}
		return false
	}

	c.list = &codeList{c: c}
	c.list.Length = func() int { return len(c.view) }
	c.list.CreateItem = func() fyne.CanvasObject {
		r := newCodeRow(c)
		c.rows = append(c.rows, r)
		return r
	}
	c.list.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(c.view) {
			o.(*codeRow).bind(&u.accounts[c.view[id]], id, u.now())
		}
	}
	c.list.OnSelected = func(id widget.ListItemID) {
		c.list.Unselect(id)
		if id >= len(c.view) {
			return
		}
		a := u.accounts[c.view[id]]
		switch c.action {
		case 'e':
			u.showEdit(a)
		case 'q':
			u.showQR(a)
		case 'f':
			u.toggleFavorite(a)
		case 'n':
			u.nextHOTP(a)
		case 'd':
			u.confirmDelete(a)
		case 'm':
			u.showRowMenu(a, fyne.CurrentApp().Driver().AbsolutePositionForObject(c.list).Add(fyne.NewPos(40, 40)))
		default:
			u.copyCode(a)
		}
	}
	c.list.ExtendBaseWidget(c.list)

	add := widget.NewButtonWithIcon("", theme.ContentAddIcon(), u.showAdd)
	add.Importance = widget.HighImportance
	more := widget.NewButtonWithIcon("", theme.MenuIcon(), nil)
	more.Importance = widget.LowImportance
	more.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(more).Add(fyne.NewPos(0, more.Size().Height))
		u.showAppMenu(pos)
	}
	header := container.NewBorder(nil, nil, nil, container.NewHBox(add, more), c.search)

	emptyTitle := widget.NewLabelWithStyle("No accounts yet", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	emptyText := wrapped("Add one with the + button (Ctrl+N): scan a QR code from the screen or an image, " +
		"drop an image here, paste an otpauth:// link, or type the key.")
	emptyText.Importance = widget.LowImportance
	addBig := widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), u.showAdd)
	addBig.Importance = widget.HighImportance
	c.empty = centered(logo(72), emptyTitle, emptyText, container.NewCenter(addBig))
	c.noMatch = widget.NewLabel("")
	c.noMatch.Alignment = fyne.TextAlignCenter
	c.noMatch.Importance = widget.LowImportance

	c.probe = newFrameProbe()
	c.probe.raster.Resize(fyne.NewSize(1, 1))
	body := container.NewStack(c.list, c.empty, container.NewVBox(c.noMatch),
		container.NewWithoutLayout(c.probe.raster))
	c.content = container.NewBorder(container.NewPadded(header), u.notice, nil, nil, body)
	c.rebuild()
	return c
}

// rebuild recomputes which accounts show, and in what order: favourites
// first, then the user's order or A–Z.
func (c *codesScreen) rebuild() {
	u := c.u
	c.view = c.view[:0]
	for i, a := range u.accounts {
		if a.Matches(c.search.Text) {
			c.view = append(c.view, i)
		}
	}
	az := u.prefs.sort() == sortAZ
	sort.SliceStable(c.view, func(i, j int) bool {
		a, b := &u.accounts[c.view[i]], &u.accounts[c.view[j]]
		if a.Favorite != b.Favorite {
			return a.Favorite
		}
		if az {
			return strings.ToLower(a.Label()) < strings.ToLower(b.Label())
		}
		return false
	})
	// The list binds the rows it shows again on Refresh; the rest stay
	// unbound so that the timer skips them.
	for _, r := range c.rows {
		r.acct = nil
	}
	switch {
	case len(u.accounts) == 0:
		c.empty.Show()
		c.noMatch.Hide()
		c.list.Hide()
	case len(c.view) == 0:
		c.empty.Hide()
		c.noMatch.SetText("No account matches “" + c.search.Text + "”")
		c.noMatch.Show()
		c.list.Hide()
	default:
		c.empty.Hide()
		c.noMatch.Hide()
		c.list.Show()
	}
	c.list.Refresh()
}

// tick brings every row on screen to time now. The list keeps a row object
// for each visible line (plus a few spare), so this is a handful of rows
// whatever the number of accounts.
func (c *codesScreen) tick(now time.Time) {
	for _, r := range c.rows {
		if r.acct != nil && r.Visible() {
			r.tick(now)
		}
	}
}

// state is the code, next code and countdown of a at now. The codes of the
// rows on screen are made afresh each second: a dozen HMACs cost less than
// keeping them would.
func (c *codesScreen) state(a *vault.Account, now time.Time) codeState {
	st := codeState{period: a.Period}
	if code, err := a.Code(now); err == nil {
		st.code = groupCode(code)
	} else {
		st.code = "error"
	}
	if a.Type == vault.HOTP || st.period <= 0 {
		return st
	}
	st.left = int((a.Remaining(now) + time.Second - 1) / time.Second)
	if st.left <= nextCodeSeconds {
		if next, err := a.Code(now.Add(a.Remaining(now))); err == nil {
			st.next = "next " + groupCode(next)
		}
	}
	return st
}

// nextCodeSeconds is when the next code appears under the current one.
const nextCodeSeconds = 10

// groupCode splits a code in two for reading aloud: 123 456, 1234 5678,
// 123 4567. Steam's five letters stay whole.
func groupCode(code string) string {
	n := len(code)
	if n < 6 {
		return code
	}
	h := n / 2
	return code[:h] + " " + code[h:]
}

// looksLikeURI is a quick test for text to hand to the URI parser; the
// parser decides.
func looksLikeURI(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "otpauth://") || strings.HasPrefix(s, "otpauth-migration://")
}
