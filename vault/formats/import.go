package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/authdesk/authdesk/vault"
)

// Format is a kind of export file Import reads.
type Format string

const (
	URIList Format = "uri"    // otpauth URIs (and otpauth-migration URIs), one a line
	Aegis   Format = "aegis"  // an Aegis vault export, plain or password-encrypted
	Google  Format = "google" // Google Authenticator otpauth-migration URIs, one a line
	TwoFAS  Format = "2fas"   // a 2FAS Authenticator backup, plain or password-encrypted
	AndOTP  Format = "andotp" // an andOTP backup, plain JSON or password-encrypted
)

// Detect tells the format of an export file from its content, or says what
// the file looks like when Import cannot read it.
func Detect(data []byte) (Format, error) {
	text := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))
	// Text never passes: its first byte makes the iteration count too large.
	_, andOTPErr := andOTPIterations(data, andOTPMaxIterations)
	switch {
	case andOTPErr == nil:
		return AndOTP, nil
	case len(text) == 0:
		return "", errors.New("the file is empty")
	case text[0] == '{':
		var top map[string]json.RawMessage
		if err := json.Unmarshal(text, &top); err != nil {
			return "", fmt.Errorf("the file starts like JSON but is not: %w", err)
		}
		_, header := top["header"]
		_, db := top["db"]
		_, services := top["services"]
		_, servicesEncrypted := top["servicesEncrypted"]
		switch {
		case header && db:
			return Aegis, nil
		case services || servicesEncrypted:
			return TwoFAS, nil
		}
		return "", errors.New("the file is JSON but not an Aegis export or a 2FAS backup")
	case text[0] == '[':
		return AndOTP, nil
	case !utf8.Valid(text):
		return "", errors.New("the file is binary, not an export authdesk reads")
	}

	format := Format("")
	for line := range strings.Lines(string(text)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		scheme, _, _ := strings.Cut(strings.ToLower(line), ":")
		switch {
		case scheme == "otpauth":
			return URIList, nil
		case scheme == "otpauth-migration":
			format = Google
		case format == "":
			return "", fmt.Errorf("unknown format: the first line holds %s", describe(line))
		}
	}
	if format == "" {
		return "", errors.New("the file holds only comments")
	}
	return format, nil
}

// Import reads the accounts of an export file. An empty format means
// Detect's. The password opens an encrypted Aegis, 2FAS or andOTP file
// (nil for one gives an error wrapping vault.ErrLocked); the other formats
// ignore it. The accounts are normalized and valid, ready for vault.DB.Add.
func Import(data []byte, format Format, password []byte) ([]vault.Account, error) {
	if format == "" {
		var err error
		if format, err = Detect(data); err != nil {
			return nil, err
		}
	}
	switch format {
	case URIList:
		return DecodeURIList(data)
	case Google:
		return decodeLines(data, true)
	case Aegis:
		return vault.DecodeAegis(data, password)
	case TwoFAS:
		return Decode2FAS(data, password)
	case AndOTP:
		return DecodeAndOTP(data, password)
	}
	return nil, fmt.Errorf("unknown format %q (want uri, aegis, google, 2fas or andotp)", format)
}
