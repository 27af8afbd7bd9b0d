package ui

import (
	"math"
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
	empty   *fyne.Container // what an empty vault shows; see showEmpty
	noMatch *widget.Label
	view    []int // indexes into u.accounts, in the order shown
	rows    []*codeRow
	action  rune        // what the next list selection does (keyboard)
	probe   *frameProbe // tells AUTHDESK_BENCH when codes are on screen
	// next is when a row on screen changes next (its code, the next code
	// appearing, a step of its ring); zero when none will by itself.
	next time.Time
	// redraws counts the ticks that changed something on screen: each is
	// one repaint of the window. For the test that idle redraws stay
	// bounded.
	redraws int
}

// codeState is what a row shows for an account at some time.
type codeState struct {
	code, next  string
	step, steps int  // the ring: step of steps filled (0 of 0: no ring)
	urgent      bool // the last seconds of the period
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
	// The list also makes a row now and then only to measure it; a row
	// joins c.rows when first bound to a line.
	c.list.CreateItem = func() fyne.CanvasObject { return newCodeRow(c) }
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

	// What an empty vault shows is made when first needed: its logo alone
	// is a megabyte of decoded pixels that a vault with accounts never
	// draws.
	c.empty = container.NewStack()
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
		c.showEmpty()
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
	// The refresh bound every line on screen again and let go of the rows
	// it had put aside: forget those.
	kept := c.rows[:0]
	for _, r := range c.rows {
		if r.acct != nil {
			kept = append(kept, r)
		} else {
			r.listed = false
		}
	}
	clear(c.rows[len(kept):])
	c.rows = kept
}

// showEmpty shows how to add a first account.
func (c *codesScreen) showEmpty() {
	if len(c.empty.Objects) == 0 {
		u := c.u
		title := widget.NewLabelWithStyle("No accounts yet", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		text := wrapped("Add one with the + button (Ctrl+N): scan a QR code from the screen or an image, " +
			"drop an image here, paste an otpauth:// link, or type the key.")
		text.Importance = widget.LowImportance
		add := widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), u.showAdd)
		add.Importance = widget.HighImportance
		c.empty.Add(centered(logo(72), title, text, container.NewCenter(add)))
	}
	c.empty.Show()
}

// tick brings every row on screen to time now and notes in c.next when
// the first of them changes again. The list keeps a row object for each
// visible line (plus a few put aside), so this is a handful of rows
// whatever the number of accounts.
func (c *codesScreen) tick(now time.Time) {
	changed := false
	c.next = time.Time{}
	if !c.content.Visible() || !c.list.Visible() {
		return // another tab is showing, or no row
	}
	first, last := c.shownRange()
	for _, r := range c.rows {
		if r.acct == nil || r.pos < first || r.pos > last || !r.Visible() {
			continue
		}
		if r.tick(now) {
			changed = true
		}
		c.noteChange(nextChange(r.acct, now))
	}
	if changed {
		c.redraws++
	}
}

// noteChange keeps t in c.next if it comes first.
func (c *codesScreen) noteChange(t time.Time) {
	if !t.IsZero() && (c.next.IsZero() || t.Before(c.next)) {
		c.next = t
	}
}

// shownRange is the first and last line of the list on screen, worked out
// as widget.List does: rows put aside after scrolling keep their account
// but are not drawn, and must not wake the window.
func (c *codesScreen) shownRange() (first, last int) {
	h := c.list.Size().Height
	if h <= 0 {
		return 0, -1
	}
	line := float32(rowHeight) + theme.Padding()
	off := c.list.GetScrollOffset()
	first = int(math.Floor(float64(off / line)))
	last = int(math.Ceil(float64((off + h) / line)))
	return first, last
}

// state is the code, next code and countdown of a at now. The codes of the
// rows on screen are made afresh on each tick: a dozen HMACs cost less than
// keeping them would.
func (c *codesScreen) state(a *vault.Account, now time.Time) codeState {
	var st codeState
	if code, err := a.Code(now); err == nil {
		st.code = groupCode(code)
	} else {
		st.code = "error"
	}
	left := a.Remaining(now)
	if a.Type == vault.HOTP || left <= 0 {
		return st
	}
	step := ringStep(a.Period)
	st.steps = int(time.Duration(a.Period) * time.Second / step)
	st.step = int((left + step - 1) / step)
	st.urgent = left <= urgentSeconds*time.Second
	if left <= nextCodeSeconds*time.Second {
		if next, err := a.Code(now.Add(left)); err == nil {
			st.next = "next " + groupCode(next)
		}
	}
	return st
}

const (
	// nextCodeSeconds is when the next code appears under the current one.
	nextCodeSeconds = 10
	// urgentSeconds is when the ring turns red.
	urgentSeconds = 5
)

// ringStep is how far the countdown ring moves at a time: 2.5 s, a twelfth
// of a 30-second period (the steps of a clock face), when the period is a
// multiple of 5 s from 15 s up, else a second. Each step redraws the whole
// window (Fyne has no partial repaint), so a 30-second ring that moved
// every second would cost 30 repaints a period where 12 read as well; and
// the steps fall on the 10 and 5 seconds left, so the next code and the red
// ring come with a step, not between two.
func ringStep(period int) time.Duration {
	if period >= 15 && period%5 == 0 {
		return 2500 * time.Millisecond
	}
	return time.Second
}

// nextChange is the first instant after now at which a's row shows
// something else: a step of the ring, the next code appearing, the ring
// turning red, or the new code at the end of the period. Zero for HOTP,
// whose row changes only when used.
func nextChange(a *vault.Account, now time.Time) time.Time {
	left := a.Remaining(now)
	if a.Type == vault.HOTP || left <= 0 {
		return time.Time{}
	}
	step := ringStep(a.Period)
	k := (left + step - 1) / step // steps filled now
	until := left - (k-1)*step    // until the ring drops to k-1 (or the period ends)
	for _, mark := range []time.Duration{nextCodeSeconds * time.Second, urgentSeconds * time.Second} {
		if left > mark && left-mark < until {
			until = left - mark
		}
	}
	return now.Add(until)
}

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
