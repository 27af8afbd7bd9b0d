// Package assets holds the files bundled into the Authdesk binary: the icon
// (drawn by assets/gen, a shield with a keyhole) and nothing that needs a GUI
// library to load, so that any package may import it.
//
// The screenshots under assets/screenshots are for the README, not embedded.
package assets

import _ "embed"

// Icon is the application icon, a 512×512 PNG. Regenerate it with
// go run ./assets/gen from the repository root.
//
//go:embed icon.png
var Icon []byte
