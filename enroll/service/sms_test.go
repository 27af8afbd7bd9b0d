package service

import "testing"

func TestCheckPhone(t *testing.T) {
	for _, tc := range []struct {
		phone string
		ok    bool
	}{
		{"", true},
		{"+46701234567", true},       // E.164, Sweden
		{"+14155552671", true},       // E.164, USA
		{"+442071838750", true},      // E.164, UK
		{"04123456789", true},        // Salestrekker's national example
		{"0701234567", true},         // Swedish mobile, national
		{"+123456789012345", true},   // 15 digits, the E.164 maximum
		{"+1234567890123456", false}, // 16 digits
		{"+4670", false},             // too short
		{"+046701234567", false},     // no country code
		{"0046701234567", false},     // 00 prefix
		{"4123456789", false},        // no leading 0 or +
		{"0412 345 678", false},      // spaces
		{"0412-345-678", false},      // dashes
		{"+46 70 123 45 67", false},
		{"07012345ab", false},
		{"+", false},
		{"0", false},
		{"0123456", false}, // 7 digits
		{"++46701234567", false},
		{"０７０１２３４５６７", false}, // full-width digits
		{"070123456\n7", false},
	} {
		err := checkPhone("phone", tc.phone)
		if (err == nil) != tc.ok {
			t.Errorf("checkPhone(%q) = %v, want ok=%v", tc.phone, err, tc.ok)
		}
	}
}
