package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is Fyne's default theme in the icon's blue, with the light or
// dark variant forced when the user picked one in Preferences.
type appTheme struct {
	fyne.Theme
	variant string // themeSystem, themeLight or themeDark
}

const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

var (
	brandLight = color.NRGBA{0x2f, 0x5f, 0xe0, 0xff}
	brandDark  = color.NRGBA{0x6b, 0x95, 0xff, 0xff}
)

func newAppTheme(variant string) *appTheme {
	return &appTheme{Theme: theme.DefaultTheme(), variant: variant}
}

func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch t.variant {
	case themeLight:
		v = theme.VariantLight
	case themeDark:
		v = theme.VariantDark
	}
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameFocus:
		c := brandLight
		if v == theme.VariantDark {
			c = brandDark
		}
		if n == theme.ColorNameFocus {
			c.A = 0x60
		}
		return c
	case theme.ColorNameSelection:
		c := brandLight
		if v == theme.VariantDark {
			c = brandDark
		}
		c.A = 0x40
		return c
	}
	return t.Theme.Color(n, v)
}

// isDark reports which variant is showing, for the few colours the theme
// does not name (avatars, the countdown ring).
func (t *appTheme) isDark() bool {
	switch t.variant {
	case themeLight:
		return false
	case themeDark:
		return true
	}
	return fyne.CurrentApp().Settings().ThemeVariant() == theme.VariantDark
}
