// Package formats moves accounts between Authdesk and other authenticators:
// the files and QR codes they export, and the ones they import.
//
// For a file, Detect tells its format and Import reads it. For one scanned
// QR code, ParseAny takes the text and returns its accounts, or says what
// the code holds instead (a web address, Wi-Fi settings, a bare key).
// Every error names what is wrong and where: the line of a list, the
// account of an export.
//
// # Formats
//
// otpauth URIs ("uri"): Google's Key Uri Format,
// https://github.com/google/google-authenticator/wiki/Key-Uri-Format,
// parsed by vault.ParseURI. A list holds one URI a line, which is what Aegis
// ("Export as plain text"), Ente Auth (plain export, with an extra
// codeDisplay parameter) and many scripts write. Blank lines and # comments
// are skipped. EncodeURIList writes one.
//
// Google Authenticator ("google"): "Transfer accounts" shows QR codes of
// otpauth-migration://offline?data=… where data is a base64 protocol buffer,
// MigrationPayload (see google.go for the message). Google has published no
// specification; the message is the one reverse-engineered by the community
// (dim13/otpauth, Aegis's GoogleAuthInfo, krissrex's extractor); the tests
// check it against a payload assembled byte by byte. Google Authenticator has no period field
// (always 30 s), 6 or 8 digits, and no Steam. DecodeMigration reads one
// code; EncodeMigration writes the codes for the app to scan, ten accounts
// each, as the app does.
//
// Aegis ("aegis"): the Aegis vault format, https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md,
// plain or encrypted with a password slot. It is also Authdesk's own vault
// format, so package vault reads it (vault.DecodeAegis) and Import hands
// the file over.
//
// 2FAS Authenticator ("2fas"): the .2fas backup, JSON with a services
// list, schema versions 1 to 4. 2FAS has published no specification; the
// format is what its open-source apps write (github.com/twofas/2fas-android:
// BackupContent for the JSON, BackupCipherImpl and BackupKeyGeneratorPbkdf
// for the encryption) and what Aegis's TwoFASImporter reads. An encrypted
// backup holds servicesEncrypted, "ciphertext+tag:salt:iv" in base64:
// PBKDF2-HMAC-SHA256 with 10,000 iterations makes the AES-256-GCM key. Its
// reference field, a fixed text sealed under the same key, tells a wrong
// password from a damaged file. A service's issuer is its name in 2FAS;
// tokenType is TOTP, HOTP or STEAM. Decode2FAS reads one.
//
// andOTP ("andotp"): a JSON list of entries as andOTP's Entry.toJSON writes
// them (github.com/andOTP/andOTP, Database/Entry.java), or that list
// encrypted: a 4-byte big-endian PBKDF2-HMAC-SHA1 iteration count, a
// 12-byte salt, a 12-byte nonce, then AES-256-GCM ciphertext and tag, as
// andOTP's BackupHelper writes it and Aegis's AndOtpImporter reads it.
// andOTP picks 140,000 to 160,000 iterations; a file asking for more than
// 10,000,000 is refused before the key derivation, which it would
// otherwise stall. The older encrypted format (the key a bare SHA-256 of
// the password) is not read, nor are mOTP entries: either is an error
// saying so. DecodeAndOTP reads one.
//
// # Dependencies
//
// Only the standard library decrypts the 2FAS and andOTP backups:
// crypto/pbkdf2 (in it since Go 1.24) and crypto/aes with crypto/cipher's
// GCM are what both apps use, and need no third-party code.
//
// google.golang.org/protobuf/encoding/protowire reads and writes the
// protocol buffer wire format by field number, without generated code or a
// .proto file: the seven fields of the migration payload are decoded by
// hand on top of it, and protobuf's own module is the best-kept
// implementation of varints and length-delimited fields there is.
package formats
