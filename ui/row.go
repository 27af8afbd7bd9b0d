package ui

import (
	"hash/fnv"
	"image/color"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/authdesk/authdesk/vault"
)

// codeRow is one account in the Codes list: an avatar with the issuer's
// initial, the issuer in bold over the account name, the code, and a ring
// counting down the period (a "next code" button for HOTP). Its state is
// the account and what is on show; tick changes a canvas object only when
// what it shows changes: most ticks redraw one step of the ring and nothing
// else.
type codeRow struct {
	widget.BaseWidget
	c *codesScreen

	acct   *vault.Account // nil: unbound
	pos    int            // index in the list
	listed bool           // in c.rows

	issuerText, nameText string // in full; the canvas texts may be cut short

	avatar  *canvas.Circle
	initial *canvas.Text
	star    *canvas.Image
	issuer  *canvas.Text
	name    *canvas.Text
	code    *canvas.Text
	next    *canvas.Text
	track   *canvas.Arc
	ring    *canvas.Arc
	hotp    *widget.Button
	menu    *widget.Button

	shown struct { // what is on screen, to skip no-op refreshes
		code, next string
		step       int // the ring's filled steps; see ringStep
		urgent     bool
	}
	// refreshes counts the canvas objects this row asked Fyne to redraw,
	// for the test that idle redraws stay bounded.
	refreshes int
}

// starIcon marks a pinned account. It is drawn, not a "★" character: the
// bundled fonts lack that glyph, and the fallback makes Fyne load and parse
// system fonts, some 15 MB and a tenth of a second.
var starIcon = fyne.NewStaticResource("star.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">`+
	`<path fill="#000" d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z"/></svg>`))

const (
	starSize   = 12
	rowHeight  = 64
	avatarSize = 38
	ringSize   = 26
)

func newCodeRow(c *codesScreen) *codeRow {
	r := &codeRow{c: c}
	fg := theme.Color(theme.ColorNameForeground)
	dim := theme.Color(theme.ColorNamePlaceHolder)
	r.avatar = canvas.NewCircle(color.Transparent)
	r.initial = canvas.NewText("", color.White)
	r.initial.TextStyle.Bold = true
	r.initial.TextSize = 17
	r.initial.Alignment = fyne.TextAlignCenter
	r.star = canvas.NewImageFromResource(theme.NewColoredResource(starIcon, theme.ColorNameWarning))
	r.star.FillMode = canvas.ImageFillContain
	r.star.SetMinSize(fyne.NewSquareSize(starSize))
	r.issuer = canvas.NewText("", fg)
	r.issuer.TextStyle.Bold = true
	r.issuer.TextSize = theme.TextSize()
	r.name = canvas.NewText("", dim)
	r.name.TextSize = theme.CaptionTextSize() + 1
	r.code = canvas.NewText("", theme.Color(theme.ColorNamePrimary))
	r.code.TextSize = 24
	r.code.TextStyle.Bold = true
	r.code.Alignment = fyne.TextAlignTrailing
	r.next = canvas.NewText("", dim)
	r.next.TextSize = theme.CaptionTextSize()
	r.next.Alignment = fyne.TextAlignTrailing
	r.track = &canvas.Arc{CutoutRatio: 0.6, StartAngle: 0, EndAngle: 360}
	r.ring = &canvas.Arc{CutoutRatio: 0.6}
	r.hotp = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() {
		if r.acct != nil {
			r.c.u.nextHOTP(*r.acct)
		}
	})
	r.hotp.Importance = widget.LowImportance
	r.menu = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), func() {
		if r.acct != nil {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.menu)
			r.c.u.showRowMenu(*r.acct, pos.Add(fyne.NewPos(0, r.menu.Size().Height)))
		}
	})
	r.menu.Importance = widget.LowImportance
	r.ExtendBaseWidget(r)
	return r
}

// Tapped copies the code.
func (r *codeRow) Tapped(*fyne.PointEvent) {
	if r.acct != nil {
		r.c.u.copyCode(*r.acct)
	}
}

// TappedSecondary opens the row's menu where the pointer is.
func (r *codeRow) TappedSecondary(e *fyne.PointEvent) {
	if r.acct != nil {
		r.c.u.showRowMenu(*r.acct, e.AbsolutePosition)
	}
}

// bind shows account a in this row (the list recycles rows as it scrolls).
func (r *codeRow) bind(a *vault.Account, pos int, now time.Time) {
	same := r.acct != nil && r.acct.UUID == a.UUID && r.acct.Issuer == a.Issuer &&
		r.acct.Name == a.Name && r.acct.Favorite == a.Favorite && r.acct.Counter == a.Counter
	r.acct, r.pos = a, pos
	if !r.listed {
		r.listed = true
		r.c.rows = append(r.c.rows, r)
	}
	for _, o := range r.c.rows {
		// A row the list put aside when it scrolled out of view keeps its
		// account; the one now showing that line replaces it.
		if o != r && o.pos == pos {
			o.acct = nil
		}
	}
	if !same {
		issuer, name := a.Issuer, a.Name
		if issuer == "" {
			issuer, name = name, ""
		}
		if issuer == "" {
			issuer = "(no name)"
		}
		r.issuerText, r.nameText = issuer, name
		r.initial.Text = initial(issuer)
		r.avatar.FillColor = avatarColor(issuer, r.c.u.theme.isDark())
		if a.Favorite {
			r.star.Show()
		} else {
			r.star.Hide()
		}
		if a.Type == vault.HOTP {
			r.hotp.Show()
			r.track.Hide()
			r.ring.Hide()
		} else {
			r.hotp.Hide()
			r.track.Show()
			r.ring.Show()
		}
		r.shown.code, r.shown.next, r.shown.step = "\x00", "\x00", -1
		r.refreshes++
		r.Refresh()
	}
	r.tick(now)
	r.c.u.wakeBy(nextChange(a, now))
}

// tick updates the code, the next code and the countdown for time now,
// and reports whether anything on screen changed.
func (r *codeRow) tick(now time.Time) bool {
	if r.acct == nil {
		return false
	}
	st := r.c.state(r.acct, now)
	n := r.refreshes
	if st.code != r.shown.code {
		r.shown.code = st.code
		r.code.Text = st.code
		r.refreshes++
		r.code.Refresh()
	}
	if st.next != r.shown.next {
		r.shown.next = st.next
		r.next.Text = st.next
		r.refreshes++
		r.next.Refresh()
	}
	if r.acct.Type != vault.HOTP && (st.step != r.shown.step || st.urgent != r.shown.urgent) {
		r.shown.step, r.shown.urgent = st.step, st.urgent
		r.ring.StartAngle = 0
		r.ring.EndAngle = 0
		if st.steps > 0 {
			r.ring.EndAngle = -360 * float32(st.step) / float32(st.steps)
		}
		r.ring.FillColor = ringColor(st.urgent)
		r.refreshes++
		r.ring.Refresh()
	}
	return r.refreshes != n
}

func ringColor(urgent bool) color.Color {
	if urgent {
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNamePrimary)
}

func (r *codeRow) CreateRenderer() fyne.WidgetRenderer {
	return &codeRowRenderer{r: r}
}

type codeRowRenderer struct{ r *codeRow }

func (rr *codeRowRenderer) Objects() []fyne.CanvasObject {
	r := rr.r
	return []fyne.CanvasObject{r.avatar, r.initial, r.issuer, r.star, r.name, r.code, r.next,
		r.track, r.ring, r.hotp, r.menu}
}

func (rr *codeRowRenderer) MinSize() fyne.Size { return fyne.NewSize(300, rowHeight) }

func (rr *codeRowRenderer) Destroy() {}

func (rr *codeRowRenderer) Layout(size fyne.Size) {
	r := rr.r
	pad := theme.Padding() * 2
	h := size.Height
	x := pad
	r.avatar.Resize(fyne.NewSquareSize(avatarSize))
	r.avatar.Move(fyne.NewPos(x, (h-avatarSize)/2))
	is := r.initial.MinSize()
	r.initial.Resize(fyne.NewSize(avatarSize, is.Height))
	r.initial.Move(fyne.NewPos(x, (h-is.Height)/2))
	x += avatarSize + pad

	// Right to left: menu, ring or HOTP button, code.
	right := size.Width
	bs := r.menu.MinSize()
	right -= bs.Width
	r.menu.Resize(bs)
	r.menu.Move(fyne.NewPos(right, (h-bs.Height)/2))
	right -= theme.Padding()
	if r.acct != nil && r.acct.Type == vault.HOTP {
		hs := r.hotp.MinSize()
		right -= hs.Width
		r.hotp.Resize(hs)
		r.hotp.Move(fyne.NewPos(right, (h-hs.Height)/2))
	} else {
		right -= ringSize
		r.track.Resize(fyne.NewSquareSize(ringSize))
		r.track.Move(fyne.NewPos(right, (h-ringSize)/2))
		r.ring.Resize(fyne.NewSquareSize(ringSize))
		r.ring.Move(fyne.NewPos(right, (h-ringSize)/2))
	}
	right -= pad
	cs := fyne.MeasureText("0000 0000", r.code.TextSize, r.code.TextStyle)
	codeW := cs.Width
	ns := r.next.MinSize()
	codeTop := (h-cs.Height)/2 - 2 // centred on the ring; the next code hangs below
	r.code.Resize(fyne.NewSize(codeW, cs.Height))
	r.code.Move(fyne.NewPos(right-codeW, codeTop))
	r.next.Resize(fyne.NewSize(codeW, ns.Height))
	r.next.Move(fyne.NewPos(right-codeW, min(codeTop+cs.Height-6, h-ns.Height-2)))
	right -= codeW + pad

	// The text column takes what is left.
	textW := max(right-x, 10)
	iss := fyne.MeasureText(r.issuerText, r.issuer.TextSize, r.issuer.TextStyle)
	nms := fyne.MeasureText("Mg", r.name.TextSize, r.name.TextStyle)
	top := (h - iss.Height - nms.Height) / 2
	starW := float32(0)
	if r.star.Visible() {
		starW = starSize + 6
	}
	r.issuer.Resize(fyne.NewSize(textW-starW, iss.Height))
	r.issuer.Move(fyne.NewPos(x, top))
	iw := min(iss.Width, textW-starW)
	r.star.Resize(fyne.NewSquareSize(starSize))
	r.star.Move(fyne.NewPos(x+iw+4, top+(iss.Height-starSize)/2))
	r.name.Resize(fyne.NewSize(textW, nms.Height))
	r.name.Move(fyne.NewPos(x, top+iss.Height))
	r.issuer.Text = fit(r.issuerText, r.issuer, textW-starW)
	r.name.Text = fit(r.nameText, r.name, textW)
}

// Refresh re-reads the theme colours (light/dark switch) and redraws.
func (rr *codeRowRenderer) Refresh() {
	r := rr.r
	r.issuer.Color = theme.Color(theme.ColorNameForeground)
	r.name.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.next.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.code.Color = theme.Color(theme.ColorNameForeground)
	r.track.FillColor = theme.Color(theme.ColorNameInputBorder)
	r.ring.FillColor = ringColor(r.shown.urgent)
	if r.acct != nil {
		r.avatar.FillColor = avatarColor(r.issuerText, r.c.u.theme.isDark())
	}
	rr.Layout(r.Size())
	for _, o := range rr.Objects() {
		o.Refresh()
	}
}

// fit shortens s with an ellipsis so that it is at most w wide.
func fit(s string, t *canvas.Text, w float32) string {
	if fyne.MeasureText(s, t.TextSize, t.TextStyle).Width <= w {
		return s
	}
	runes := []rune(s)
	for len(runes) > 0 {
		runes = runes[:len(runes)-1]
		if fyne.MeasureText(string(runes)+"…", t.TextSize, t.TextStyle).Width <= w {
			break
		}
	}
	return string(runes) + "…"
}

func initial(s string) string {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r))
		}
	}
	return "?"
}

// avatarColors are distinct, readable under white text, and picked per
// issuer so that "GitHub" has the same colour every time.
var avatarColors = []color.NRGBA{
	{0x3b, 0x6e, 0xe8, 0xff}, {0x0f, 0x9d, 0x8a, 0xff}, {0xd9, 0x4f, 0x2b, 0xff},
	{0x8e, 0x4e, 0xc6, 0xff}, {0xc2, 0x3b, 0x6e, 0xff}, {0x2e, 0x8b, 0x3e, 0xff},
	{0xb7, 0x79, 0x1f, 0xff}, {0x4a, 0x5b, 0x73, 0xff}, {0x00, 0x83, 0xb8, 0xff},
	{0xa8, 0x3f, 0x3f, 0xff},
}

func avatarColor(issuer string, dark bool) color.Color {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(issuer)))
	c := avatarColors[h.Sum32()%uint32(len(avatarColors))]
	if dark {
		c.A = 0xe0
	}
	return c
}
