package formats

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"github.com/authdesk/authdesk/vault"
)

// Google Authenticator's "Transfer accounts" QR codes:
//
//	otpauth-migration://offline?data=<base64 of a MigrationPayload>
//
//	message MigrationPayload {
//	  repeated OtpParameters otp_parameters = 1;
//	  int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
//	}
//	message OtpParameters {
//	  bytes secret = 1; string name = 2; string issuer = 3;
//	  Algorithm algorithm = 4;  // 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//	  DigitCount digits = 5;    // 0 unspecified, 1 six, 2 eight
//	  OtpType type = 6;         // 0 unspecified, 1 HOTP, 2 TOTP
//	  int64 counter = 7;
//	}
//
// The period is always 30 seconds: the payload has no field for it.

// Field numbers of MigrationPayload and OtpParameters.
const (
	fieldOTP        fieldNumber = 1
	fieldVersion    fieldNumber = 2
	fieldBatchSize  fieldNumber = 3
	fieldBatchIndex fieldNumber = 4
	fieldBatchID    fieldNumber = 5

	fieldSecret    fieldNumber = 1
	fieldName      fieldNumber = 2
	fieldIssuer    fieldNumber = 3
	fieldAlgorithm fieldNumber = 4
	fieldDigits    fieldNumber = 5
	fieldType      fieldNumber = 6
	fieldCounter   fieldNumber = 7
)

// migrationBatch is how many accounts go in one QR code, as Google
// Authenticator itself does; migrationBytes keeps a batch of long names
// well inside what a phone camera reads reliably.
const (
	migrationBatch = 10
	migrationBytes = 1000
)

var googleAlgorithms = map[uint64]vault.Algorithm{0: vault.SHA1, 1: vault.SHA1, 2: vault.SHA256, 3: vault.SHA512}

// DecodeMigration reads the accounts of one otpauth-migration URI, the
// text of one of Google Authenticator's export QR codes.
func DecodeMigration(uri string) ([]vault.Account, error) {
	payload, err := migrationData(uri)
	if err != nil {
		return nil, fmt.Errorf("google authenticator export: %w", err)
	}
	accounts, err := decodePayload(payload)
	if err != nil {
		return nil, fmt.Errorf("google authenticator export: %w", err)
	}
	return accounts, nil
}

// migrationData finds the data parameter and decodes its base64, which
// may be standard or URL-safe, padded or not, percent-encoded or not.
func migrationData(uri string) ([]byte, error) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(uri), ":")
	if !ok || !strings.EqualFold(scheme, "otpauth-migration") {
		return nil, errors.New("not an otpauth-migration uri")
	}
	_, query, _ := strings.Cut(rest, "?")
	for kv := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.EqualFold(k, "data") {
			continue
		}
		// Not QueryUnescape: a raw "+" is base64, not a space.
		v, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		v = strings.NewReplacer(" ", "+", "-", "+", "_", "/", "\n", "", "\r", "", "\t", "").Replace(v)
		data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
		if err != nil {
			return nil, fmt.Errorf("data is not base64: %w", err)
		}
		return data, nil
	}
	return nil, errors.New("the uri has no data parameter")
}

func decodePayload(b []byte) ([]vault.Account, error) {
	var accounts []vault.Account
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return nil, fmt.Errorf("payload: %w", err)
		}
		b = b[n:]
		if num == fieldOTP {
			if typ != bytesType {
				return nil, fmt.Errorf("payload: field %d has wire type %d, want %d", num, typ, bytesType)
			}
			msg, n, err := consumeBytes(b)
			if err != nil {
				return nil, fmt.Errorf("payload: account %d: %w", len(accounts)+1, err)
			}
			a, err := decodeOTPParameters(msg, len(accounts)+1)
			if err != nil {
				return nil, err
			}
			accounts = append(accounts, a)
			b = b[n:]
			continue
		}
		// version and the batch fields tell how many QR codes the export
		// spans; each code stands on its own, so they are skipped.
		if n, err = consumeField(num, typ, b); err != nil {
			return nil, fmt.Errorf("payload: field %d: %w", num, err)
		}
		b = b[n:]
	}
	if len(accounts) == 0 {
		return nil, errors.New("the payload holds no accounts")
	}
	return accounts, nil
}

// decodeOTPParameters reads the i-th (from 1) OtpParameters message.
func decodeOTPParameters(b []byte, i int) (vault.Account, error) {
	var (
		secret               []byte
		name, issuer         string
		alg, digits, otpType uint64
		counter              uint64
	)
	for len(b) > 0 {
		num, typ, n, err := consumeTag(b)
		if err != nil {
			return vault.Account{}, fmt.Errorf("account %d: %w", i, err)
		}
		b = b[n:]
		want := varintType
		switch num {
		case fieldSecret, fieldName, fieldIssuer:
			want = bytesType
		case fieldAlgorithm, fieldDigits, fieldType, fieldCounter:
		default:
			want = typ // unknown: skipped below
		}
		if typ != want {
			return vault.Account{}, fmt.Errorf("account %d: field %d has wire type %d, want %d", i, num, typ, want)
		}
		var v uint64
		var bytes []byte
		switch {
		case num == fieldSecret || num == fieldName || num == fieldIssuer:
			bytes, n, err = consumeBytes(b)
		case typ == varintType:
			v, n, err = consumeVarint(b)
		default:
			n, err = consumeField(num, typ, b)
		}
		if err != nil {
			return vault.Account{}, fmt.Errorf("account %d: field %d: %w", i, num, err)
		}
		b = b[n:]
		switch num {
		case fieldSecret:
			secret = bytes
		case fieldName:
			name = string(bytes)
		case fieldIssuer:
			issuer = string(bytes)
		case fieldAlgorithm:
			alg = v
		case fieldDigits:
			digits = v
		case fieldType:
			otpType = v
		case fieldCounter:
			counter = v
		}
	}

	a := vault.Account{Secret: secret, Counter: counter}
	a.Issuer, a.Name = vault.SplitLabel(name, issuer)
	label := strconv.Itoa(i)
	if l := a.Label(); l != "" {
		label = strconv.Quote(l)
	}
	var ok bool
	if a.Algorithm, ok = googleAlgorithms[alg]; !ok {
		if alg == 4 {
			return vault.Account{}, fmt.Errorf("account %s uses MD5, which authdesk does not support", label)
		}
		return vault.Account{}, fmt.Errorf("account %s: unknown algorithm %d", label, alg)
	}
	switch digits {
	case 0, 1:
		a.Digits = 6
	case 2:
		a.Digits = 8
	default:
		return vault.Account{}, fmt.Errorf("account %s: unknown digit count %d", label, digits)
	}
	switch otpType {
	case 0, 2:
		a.Type = vault.TOTP
	case 1:
		a.Type = vault.HOTP
	default:
		return vault.Account{}, fmt.Errorf("account %s: unknown type %d", label, otpType)
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return vault.Account{}, fmt.Errorf("account %s: %w", label, err)
	}
	return a, nil
}

// EncodeMigration writes accounts as otpauth-migration URIs for Google
// Authenticator to scan, one per QR code, at most ten accounts each.
// Google Authenticator knows only 6 or 8 digits, 30-second periods and no
// Steam: an account outside that is an error naming it, and nothing is
// written.
func EncodeMigration(accounts []vault.Account) ([]string, error) {
	if len(accounts) == 0 {
		return nil, errors.New("google authenticator export: no accounts to export")
	}
	var batches [][]byte
	var batch []byte
	count := 0
	for _, a := range accounts {
		msg, err := encodeOTPParameters(a)
		if err != nil {
			return nil, fmt.Errorf("google authenticator export: account %q: %w", a.Label(), err)
		}
		if count == migrationBatch || count > 0 && len(batch)+len(msg) > migrationBytes {
			batches = append(batches, batch)
			batch, count = nil, 0
		}
		batch = appendTag(batch, fieldOTP, bytesType)
		batch = appendBytes(batch, msg)
		count++
	}
	batches = append(batches, batch)

	id := rand.Int32() // ties the QR codes of one export together
	uris := make([]string, len(batches))
	for i, b := range batches {
		for _, f := range []struct {
			num fieldNumber
			v   int
		}{{fieldVersion, 1}, {fieldBatchSize, len(batches)}, {fieldBatchIndex, i}, {fieldBatchID, int(id)}} {
			b = appendTag(b, f.num, varintType)
			b = appendVarint(b, uint64(f.v))
		}
		uris[i] = "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(b))
	}
	return uris, nil
}

func encodeOTPParameters(a vault.Account) ([]byte, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var alg, digits, otpType uint64
	switch a.Algorithm {
	case vault.SHA1:
		alg = 1
	case vault.SHA256:
		alg = 2
	case vault.SHA512:
		alg = 3
	}
	switch a.Type {
	case vault.TOTP:
		otpType = 2
		if a.Period != 30 {
			return nil, fmt.Errorf("google authenticator has only 30-second periods, not %d", a.Period)
		}
	case vault.HOTP:
		otpType = 1
	default:
		return nil, fmt.Errorf("google authenticator has no %s codes", a.Type)
	}
	switch a.Digits {
	case 6:
		digits = 1
	case 8:
		digits = 2
	default:
		return nil, fmt.Errorf("google authenticator shows only 6 or 8 digits, not %d", a.Digits)
	}
	// The name carries the issuer too only when it holds a colon, so that
	// a reader splitting "Issuer:Name" gets the name back whole.
	name := a.Name
	if strings.Contains(name, ":") {
		name = vault.JoinLabel(a.Issuer, a.Name)
	}
	var b []byte
	b = appendTag(b, fieldSecret, bytesType)
	b = appendBytes(b, a.Secret)
	b = appendTag(b, fieldName, bytesType)
	b = appendString(b, name)
	b = appendTag(b, fieldIssuer, bytesType)
	b = appendString(b, a.Issuer)
	for _, f := range []struct {
		num fieldNumber
		v   uint64
	}{{fieldAlgorithm, alg}, {fieldDigits, digits}, {fieldType, otpType}} {
		b = appendTag(b, f.num, varintType)
		b = appendVarint(b, f.v)
	}
	if a.Type == vault.HOTP {
		b = appendTag(b, fieldCounter, varintType)
		b = appendVarint(b, a.Counter)
	}
	return b, nil
}
