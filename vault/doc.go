// Package vault keeps Authdesk's accounts: the one-time-password maths
// (HOTP, TOTP, Steam Guard), otpauth URIs, and the encrypted vault file
// that holds the secrets.
//
// # The three functions a newcomer needs
//
//	v, err := vault.Open(path, vault.Options{Prompt: askPassword}) // or vault.Create the first time
//	accounts := v.Accounts()                                       // a copy, in the user's order
//	err = v.Edit(func(db *vault.DB) error {                        // locked, reloaded, saved atomically
//		_, err := db.Add(account)
//		return err
//	})
//
// [DefaultPath] says where the vault lives. Edit is the only way to change
// it: it takes a lock that other processes (the app, authctl) respect,
// reloads the file if one of them saved it meanwhile, runs the function on
// a copy, and writes the result with a temp file, fsync and rename, keeping
// the previous file as vault.json.bak. The app calls [Vault.Reload] to see
// the others' changes.
//
// # Codes and URIs
//
// [Account.Code] is the whole of the OTP maths: HMAC of the counter (the
// time step for TOTP), dynamic truncation, then decimal digits or, for
// Steam, five characters of Steam's alphabet (RFC 4226, RFC 6238). It is
// computed here rather than with github.com/pquerna/otp because we hold the
// raw key: pquerna takes base32 text and fails on the spaced secrets users
// type. pquerna stays as the cross-check in the tests, beside the RFC
// vectors and oathtool. [ParseURI] reads Google's Key Uri Format as real
// exporters write it (lowercase, padded or spaced secrets, issuer in the
// label and/or parameter, extra parameters) and names the field at fault.
//
// # The file is an Aegis vault
//
// vault.json is in the format of the Aegis Authenticator app
// (github.com/beemdevelopment/Aegis, docs/vault.md): JSON whose "db" is the
// database sealed with AES-256-GCM under a random 256-bit master key. Aegis's
// format is the most trusted open one in the field: published, small,
// reviewed, built only from AES-GCM and scrypt. Adopting it means nothing
// here is home-grown cryptography, an export to Aegis is a copy
// ([Vault.ExportAegis]), an import from Aegis is exact ([DecodeAegis]), and
// a user can check or rescue their vault with Aegis's own decrypt.py. We
// write database version 3 and read 1 to 3; icons, groups and entries of
// types Authdesk does not show (Yandex, mOTP) are kept through every save.
//
// # Slots
//
// The master key never reaches the disk as it is. Each slot in the file's
// header holds a copy of it, sealed (wrapped) with AES-256-GCM under that
// slot's own key, and any one slot opens the vault — the LUKS design. Two
// kinds are made here:
//
//   - the keyring slot (Aegis type 0, "raw"): its key is 32 random bytes
//     kept in the OS keyring (service "authdesk", user "vault-<slot
//     uuid>"), so the app opens the vault silently once the person has
//     logged in. Open asks the keyring once, however many accounts there
//     are: a keyring call is a D-Bus round trip, or a process on macOS.
//   - the password slot (Aegis type 1): its key is scrypt(password, salt)
//     with N=32768, r=8, p=1, as Aegis. It is what opens the vault where no
//     keyring answers — a headless machine, a locked keyring, another
//     computer — and what an export to Aegis carries.
//
// When the keyring fails, Open asks the [Prompt] it was given for the
// password and says why ("no keyring answered (...)"); with no Prompt it
// fails with [ErrLocked] and says how to fix it. Changing the password only
// re-wraps the master key: the database is not re-keyed. A vault that came
// from another computer (or from Aegis) opens by its password until
// [Vault.AddKeyring] gives this computer's keyring a slot of its own.
//
// # Reading fast
//
// Every authctl command reads the whole vault, so reading is tuned for a
// fresh process: a strict one-pass JSON reader for the shapes Aegis and
// Authdesk write (anything else goes to encoding/json, and fuzz tests check
// the two agree), decryption in place, one huge-page mapping for the file on
// Linux, and [Find] for a search that needs only some accounts. On Linux the
// keyring slot's key is read through internal/secretservice (three D-Bus
// round trips), and through go-keyring everywhere else.
//
// # Damage
//
// A file that does not parse or authenticate is never written over: Open
// fails with an error that names the file and what is wrong ("...: not a
// vault file: invalid JSON at byte 17", "...: authentication failed: the
// file was modified or is corrupt (AES-GCM tag mismatch)"), and Edit
// refuses to save over it. vault.json.bak holds the version before the
// last save.
//
// # Dependencies
//
//   - github.com/zalando/go-keyring: one API over the Secret Service
//     (Linux, through godbus, no cgo), the macOS Keychain and the Windows
//     Credential Manager; small and widely used. It writes every keyring
//     entry and reads them wherever internal/secretservice does not.
//   - github.com/gofrs/flock: the inter-process lock, flock(2) on Unix and
//     LockFileEx on Windows behind one type; the maintained fork of the
//     standard choice.
//   - golang.org/x/crypto/scrypt: the KDF the Aegis format prescribes, from
//     the Go team. AES-GCM is the standard library's.
//   - github.com/google/uuid: the version-4 UUIDs Aegis gives entries and
//     slots, and their parsing.
package vault
