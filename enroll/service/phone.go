package service

// checkPhone accepts an empty number (none on file), an E.164 number
// ("+46701234567": a plus, a non-zero country code, 8–15 digits in all) or a
// national number with its leading zero and no spaces ("04123456789", as
// Salestrekker asks). Anything else — spaces, dashes, letters, a "00"
// international prefix — is refused with a message showing both forms.
func checkPhone(field, phone string) error {
	if phone == "" {
		return nil
	}
	bad := func(why string) error {
		return badRequest("invalid_phone", field,
			"%s %s: write it as +46701234567 (international) or 04123456789 (national, with the leading zero, no spaces)", field, why)
	}
	switch {
	case phone[0] == '+':
		d := phone[1:]
		if !allDigits(d) {
			return bad("may hold only digits after the +")
		}
		if d[0] == '0' {
			return bad("has no country code after the +")
		}
		if len(d) < 8 || len(d) > 15 {
			return bad("must have 8 to 15 digits after the +")
		}
	case phone[0] == '0':
		if !allDigits(phone) {
			return bad("may hold only digits")
		}
		if len(phone) > 1 && phone[1] == '0' {
			return bad("starts with 00: use + and the country code instead")
		}
		if len(phone) < 8 || len(phone) > 15 {
			return bad("must have 8 to 15 digits")
		}
	default:
		return bad("must start with + or 0")
	}
	return nil
}
