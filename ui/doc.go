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
// One timer drives the whole window: Clock.AfterFunc fires once a second, on
// the second, and its callback does fyne.Do(App.tick), which redraws the
// visible rows whose text changed, reloads the vault every few seconds when
// authctl changed it, and locks the window after the idle time. It is stopped
// when the app stops (Lifecycle().SetOnStopped), and so is the clipboard
// timer. Tests inject a Clock whose time and timers they advance by hand.
//
// # Dependencies
//
// fyne.io/fyne/v2 is the toolkit: one Go code base for Linux, macOS and
// Windows, a system tray, and a test driver that runs screens without a
// display. Nothing else here is a GUI library; xclip and wl-paste are used,
// when present, only because Fyne's clipboard carries text, not images.
package ui
