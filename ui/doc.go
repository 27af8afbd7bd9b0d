// Package ui is the Authdesk window: the screens a person sees (unlock,
// codes, add account, preferences) and the tray. It holds no business logic:
// codes, URIs, duplicates and the vault file belong to package vault, QR
// images to vault/scan, other apps' formats to vault/formats. The screens
// only call them and show what they return.
//
// # Threading
//
// Every widget is touched on the Fyne goroutine only (FyneApp.toml sets
// [Migrations] fyneDo = true, so Fyne no longer forgives mistakes). That
// goroutine runs event callbacks (taps, keys, dialogs) and anything passed to
// fyne.Do. Work that may block runs elsewhere and hands its result back with
// fyne.Do, through App.background:
//
//   - opening and creating the vault (a keyring call over D-Bus, scrypt for a
//     password slot);
//   - capturing the screen and decoding QR codes in it;
//   - reading an image from the clipboard (an xclip or wl-paste process).
//
// The vault itself is used from the Fyne goroutine only once it is open
// (Accounts, Edit, Reload), so it needs no locking of ours.
//
// One timer drives the whole window (App.scheduleTick). It is set for the
// next instant something on screen changes (a step of a countdown ring,
// the next code appearing 10 s before the end of the period, the new code
// at the boundary, to the millisecond) or for the next look at the vault
// file, every 2 s, whichever comes first; its callback does fyne.Do
// (App.tick), which redraws only the rows on screen whose text or ring
// changed, reloads the vault when its stat says authctl changed it, and
// locks the window after the idle time. The rings move in steps of 2.5 s
// (a twelfth of a 30-second period): Fyne repaints the whole window for
// any change, so an idle window repaints 12 times a period, not 30. It is
// stopped when the app stops (Lifecycle().SetOnStopped), and so is the
// clipboard timer. Tests inject a Clock whose time and timers they advance
// by hand, and count the timer's calls and the rows' redraws.
//
// # Keyboard and dialogs
//
// Dialogs are dialog.CustomDialog with buttons of ours (dialogs.go): a
// widget.Button swallows Esc once it has the focus, so a dialog built from
// Fyne's ready-made ones would not close on Esc after a click or a Tab.
//
// # Dependencies
//
// fyne.io/fyne/v2 is the toolkit: one Go code base for Linux, macOS and
// Windows, a system tray, and a test driver that runs screens without a
// display. Nothing else here is a GUI library; xclip and wl-paste are used,
// when present, only because Fyne's clipboard carries text, not images.
// github.com/godbus/dbus/v5 (already under go-keyring and Fyne's tray)
// asks the session bus whether a tray host is running before the tray is
// set up: Fyne's tray costs a hidden GL window, for nothing when no panel
// shows it.
package ui
