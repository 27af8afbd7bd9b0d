package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// updateTray fills the system tray menu (where the desktop has one): the
// pinned accounts, click to copy, and showing or hiding the window. Fyne
// adds Quit. A locked window lists no accounts.
func (u *App) updateTray() {
	d, ok := u.app.(desktop.App)
	if !ok || !u.hasTray {
		return
	}
	var items []*fyne.MenuItem
	for _, a := range u.accounts {
		if !a.Favorite {
			continue
		}
		a := a
		items = append(items, fyne.NewMenuItem("Copy "+a.Label(), func() { u.copyCode(a) }))
	}
	if len(items) > 0 {
		items = append(items, fyne.NewMenuItemSeparator())
	}
	items = append(items,
		fyne.NewMenuItem("Show Authdesk", func() {
			u.win.Show()
			u.win.RequestFocus()
		}),
		fyne.NewMenuItem("Hide Authdesk", u.win.Hide),
	)
	if u.vault != nil && u.vault.HasPassword() {
		items = append(items, fyne.NewMenuItem("Lock", func() { u.lock("Locked: enter the vault password") }))
	}
	if !u.trayIcon {
		u.trayIcon = true
		d.SetSystemTrayIcon(u.win.Icon())
	}
	d.SetSystemTrayMenu(fyne.NewMenu("Authdesk", items...))
}
