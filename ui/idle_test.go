package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/authdesk/authdesk/vault"
)

// Every timer call and every redraw costs a repaint of the whole window
// (software GL under Xvfb, battery on a laptop), so an idle window must
// wake only when something it shows changes.
func TestIdleRedrawsBounded(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	if n := len(rows(u)); n != 4 {
		t.Fatalf("%d rows, want 4", n)
	}
	clock.Advance(5 * time.Second) // past the first period boundary
	before := map[*codeRow]int{}
	for _, r := range rows(u) {
		before[r] = r.refreshes
	}
	redraws, ticks := u.codes.redraws, u.ticks

	clock.Advance(30 * time.Second)

	// A 30-second ring moves in 12 steps; the new code, the next code
	// showing and the ring turning red all come with one of those steps.
	if got := u.codes.redraws - redraws; got < 11 || got > 12 {
		t.Errorf("%d redraws in 30 s at idle, want 12 (one per step of the ring)", got)
	}
	// Polls of the vault file (a stat, no redraw) every 2 s, and the
	// steps: at most 27 wake-ups, never one a second.
	if got := u.ticks - ticks; got > 27 {
		t.Errorf("timer fired %d times in 30 s at idle, want at most 27", got)
	}
	for _, r := range rows(u) {
		got := r.refreshes - before[r]
		switch {
		case r.acct.Type == vault.HOTP && got != 0:
			t.Errorf("HOTP row %s redrawn %d times at idle, want 0", r.acct.Issuer, got)
		case r.acct.Type != vault.HOTP && (got < 12 || got > 15):
			// 12 ring steps, the code, the next code shown and cleared.
			t.Errorf("row %s asked for %d redraws in 30 s, want 12 to 15", r.acct.Issuer, got)
		}
	}
}

// The code on screen changes exactly at the period boundary, the next code
// shows for the last 10 seconds only, and the ring tracks the time left.
func TestCountdownExactAtBoundaries(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path) // 15:09:26.5: 3.5 s left in the period
	row := rowFor(t, u, "GitHub")
	boundary := time.Date(2026, 3, 14, 15, 9, 30, 0, time.UTC)
	code := func(at time.Time) string {
		c, err := row.acct.Code(at)
		if err != nil {
			t.Fatal(err)
		}
		return c[:3] + " " + c[3:]
	}
	check := func(wantCode, wantNext string, wantFill float32, urgent bool) {
		t.Helper()
		if row.code.Text != wantCode || row.next.Text != wantNext {
			t.Fatalf("at %s the row shows %q / %q, want %q / %q", clock.Now().Format("15:04:05.000"),
				row.code.Text, row.next.Text, wantCode, wantNext)
		}
		if fill := -row.ring.EndAngle / 360; fill < wantFill-0.001 || fill > wantFill+0.001 {
			t.Fatalf("at %s the ring is %.3f full, want %.3f", clock.Now().Format("15:04:05.000"), fill, wantFill)
		}
		if (row.ring.FillColor == ringColor(true)) != urgent {
			t.Fatalf("at %s the ring's red is %v, want %v", clock.Now().Format("15:04:05.000"), !urgent, urgent)
		}
	}
	old, cur, next := code(boundary.Add(-time.Second)), code(boundary), code(boundary.Add(30*time.Second))
	check(old, "next "+cur, 2.0/12, true) // 3.5 s left: 2 of 12 steps

	advanceTo := func(at time.Time) { clock.Advance(at.Sub(clock.Now())) }
	advanceTo(boundary.Add(-time.Millisecond))
	check(old, "next "+cur, 1.0/12, true)
	advanceTo(boundary.Add(2 * time.Millisecond)) // the timer is a millisecond late on purpose
	check(cur, "", 1, false)
	advanceTo(boundary.Add(7500*time.Millisecond + 2*time.Millisecond)) // 22.5 s left
	check(cur, "", 9.0/12, false)
	advanceTo(boundary.Add(20*time.Second - time.Millisecond)) // 10.001 s left
	check(cur, "", 5.0/12, false)
	advanceTo(boundary.Add(20*time.Second + 2*time.Millisecond)) // 9.998 s left
	check(cur, "next "+next, 4.0/12, false)
	advanceTo(boundary.Add(25*time.Second + 2*time.Millisecond)) // 4.998 s left
	check(cur, "next "+next, 2.0/12, true)
	advanceTo(boundary.Add(30*time.Second + 2*time.Millisecond))
	check(next, "", 1, false)
}

// Rows the list put aside after a search or a scroll are not drawn and
// must not keep waking the window; and searching must not pile up rows.
func TestRowsPutAsideDoNotTick(t *testing.T) {
	var accounts []vault.Account
	for i := range 40 {
		accounts = append(accounts, vault.Account{Type: vault.TOTP, Issuer: fmt.Sprintf("Service %02d", i),
			Name: "alice", Secret: []byte(fmt.Sprintf("secret of account %02d", i))})
	}
	path := newVault(t, accounts)
	u, clock := start(t, path)
	for _, q := range []string{"s", "se", "ser", "serv", "service 1", "", "service", ""} {
		test.Type(u.codes.search, q)
		if q == "" {
			u.escape()
		}
	}
	shown := len(rows(u))
	if shown == 0 || shown >= 40 {
		t.Fatalf("%d of 40 rows shown, want a screenful", shown)
	}
	if n := len(u.codes.rows); n > shown+2 {
		t.Fatalf("%d rows kept after a few searches for %d lines on screen", n, shown)
	}

	u.codes.list.ScrollToBottom()
	first, last := u.codes.shownRange()
	if first < 20 || last < 39 {
		t.Fatalf("lines %d to %d on screen after scrolling to the bottom", first, last)
	}
	before := map[*codeRow]int{}
	for _, r := range u.codes.rows {
		before[r] = r.refreshes
	}
	clock.Advance(30 * time.Second)
	for _, r := range u.codes.rows {
		if r.acct == nil || (r.pos >= first && r.pos <= last) {
			continue
		}
		if got := r.refreshes - before[r]; got != 0 {
			t.Errorf("row put aside (line %d, off screen) redrawn %d times", r.pos, got)
		}
	}
	if got := rowFor(t, u, "Service 39"); got.refreshes-before[got] < 12 {
		t.Errorf("last line redrawn %d times in 30 s, want 12 or more", got.refreshes-before[got])
	}
}

// With only counter-based accounts on screen nothing changes by itself:
// no redraw, and the timer only polls the vault file.
func TestHOTPOnlyIdle(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	test.Type(u.codes.search, "yubico")
	if got := texts(objects(u)); !strings.Contains(got, "Yubico") || strings.Contains(got, "GitHub") {
		t.Fatalf("search yubico shows %q", got)
	}
	redraws, ticks := u.codes.redraws, u.ticks
	clock.Advance(30 * time.Second)
	if got := u.codes.redraws - redraws; got != 0 {
		t.Fatalf("%d redraws in 30 s with only an HOTP row shown, want 0", got)
	}
	if got := u.ticks - ticks; got > 15 {
		t.Fatalf("timer fired %d times in 30 s, want only the 15 polls", got)
	}
}

// With the Preferences tab showing, the codes do not redraw; back on the
// Codes tab they are current at once.
func TestHiddenCodesTabIdle(t *testing.T) {
	path := newVault(t, sampleAccounts(t))
	u, clock := start(t, path)
	u.tabs.SelectIndex(1)
	redraws := u.codes.redraws
	clock.Advance(45 * time.Second)
	if got := u.codes.redraws - redraws; got != 0 {
		t.Fatalf("%d redraws in 45 s behind the Preferences tab, want 0", got)
	}
	u.tabs.SelectIndex(0)
	row := rowFor(t, u, "GitHub")
	want, _ := row.acct.Code(clock.Now())
	if got := strings.ReplaceAll(row.code.Text, " ", ""); got != want {
		t.Fatalf("back on Codes the row shows %q, want the current code %q", got, want)
	}
}
