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
// # Dependencies
//
// google.golang.org/protobuf/encoding/protowire reads and writes the
// protocol buffer wire format by field number, without generated code or a
// .proto file: the seven fields of the migration payload are decoded by
// hand on top of it, and protobuf's own module is the best-kept
// implementation of varints and length-delimited fields there is.
package formats
