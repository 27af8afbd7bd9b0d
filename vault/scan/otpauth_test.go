package scan

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestOTPAuthKeeps(t *testing.T) {
	in := []string{
		"https://example.com/setup",
		"  otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\n",
		"OTPAUTH://TOTP/B?SECRET=JBSWY3DPEHPK3PXP", // alphanumeric-mode QR codes are upper case
		"otpauth-migration://offline?data=CjEKCkhlbGxv",
	}
	want := []string{
		"otpauth://totp/A?secret=JBSWY3DPEHPK3PXP",
		"OTPAUTH://TOTP/B?SECRET=JBSWY3DPEHPK3PXP",
		"otpauth-migration://offline?data=CjEKCkhlbGxv",
	}
	got, err := OTPAuth(in)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("OTPAuth = %q, %v; want %q", got, err, want)
	}
}

// TestOTPAuthExplains: when no payload is an otpauth URI, the error says what
// the code held — and never repeats a secret.
func TestOTPAuthExplains(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"https://example.com/account/2fa?token=" + secret},
			"the QR code holds a web address (https://example.com/…), not an otpauth URI"},
		{[]string{"https://example.com"}, "the QR code holds a web address (https://example.com), not an otpauth URI"},
		{[]string{"http://user:" + secret + "@example.com/"}, "a web address (http://example.com)"},
		{[]string{"WIFI:S:home;T:WPA;P:" + secret + ";;"}, "the QR code holds Wi-Fi network settings, not an otpauth URI"},
		{[]string{"BEGIN:VCARD\nVERSION:3.0\nFN:Alice\nEND:VCARD"}, "a contact card"},
		{[]string{"mailto:alice@example.com"}, "an e-mail address"},
		{[]string{"tel:+15551234567"}, "a phone number"},
		{[]string{secret}, "what looks like a bare secret key (not shown"},
		{[]string{"jbsw y3dp ehpk 3pxp"}, "what looks like a bare secret key (not shown"},
		{[]string{"otpauth:/totp/A?secret=" + secret}, "a malformed otpauth URI (not shown"},
		{[]string{"steam://run/440"}, "the QR code holds a steam: link, not an otpauth URI"},
		{[]string{"Hello, world"}, `the QR code holds text ("Hello, world"), not an otpauth URI`},
		{[]string{"Thank you for visiting our booth at the conference!"}, `text ("Thank you for visiting …")`},
		{[]string{"beep\x07\x1b[2J"}, `text ("beep  [2J")`},
		{[]string{""}, "nothing (it is empty)"},
		{[]string{"https://a.example", "tel:1"},
			"the 2 QR codes hold a web address (https://a.example) and a phone number, none of them an otpauth URI"},
		{[]string{"a", "b", "c", "d", "e"}, `the 5 QR codes hold text ("a"), text ("b"), text ("c") and 2 more`},
	} {
		_, err := OTPAuth(c.in)
		if err == nil {
			t.Errorf("OTPAuth(%q): no error", c.in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) {
			t.Errorf("OTPAuth(%q):\n got %s\nwant %s", c.in, msg, c.want)
		}
		if strings.Contains(strings.ToUpper(strings.ReplaceAll(msg, " ", "")), secret) {
			t.Errorf("OTPAuth(%q): the error repeats the secret: %s", c.in, msg)
		}
	}
	if _, err := OTPAuth(nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("OTPAuth(nil) = %v, want ErrNotFound", err)
	}
}
