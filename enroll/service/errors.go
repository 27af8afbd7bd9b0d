package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/authdesk/authdesk/enroll"
)

// maxBody is the largest request body accepted; larger ones get 413.
const maxBody = 64 << 10

// apiError builds the error a handler returns to refuse a request.
func apiError(status int, code, field, format string, args ...any) *enroll.Error {
	return &enroll.Error{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func badRequest(code, field, format string, args ...any) *enroll.Error {
	return apiError(http.StatusBadRequest, code, field, format, args...)
}

func tooMany(retry time.Duration) *enroll.Error {
	e := apiError(http.StatusTooManyRequests, "too_many_attempts", "",
		"too many wrong tries; try again in %d seconds", int(retry.Round(time.Second)/time.Second))
	e.RetryAfter = retry
	return e
}

// isCode reports whether err is an API error with the given code.
func isCode(err error, code string) bool {
	var e *enroll.Error
	return errors.As(err, &e) && e.Code == code
}

// sentRecently is a code asked for again within codeResendGap.
func sentRecently(retry time.Duration) *enroll.Error {
	e := apiError(http.StatusTooManyRequests, "code_sent_recently", "",
		"a code was sent moments ago; ask for another in %d seconds", int((retry+time.Second-1)/time.Second))
	e.RetryAfter = retry
	return e
}

var (
	errReauth = apiError(http.StatusForbidden, "reauth_required", "",
		"enter your password again to make this change (POST /v1/reauth)")
	errNotFound = apiError(http.StatusNotFound, "not_found", "", "no such resource")
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		json.NewEncoder(w).Encode(v)
	}
}

func writeError(w http.ResponseWriter, e *enroll.Error) {
	if e.Status == http.StatusTooManyRequests {
		secs := int((e.RetryAfter + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, e.Status, enroll.ErrorBody{Error: e})
}

// decode reads the JSON request body into v strictly: unknown fields, wrong
// types, trailing data and bodies over 64 KiB are refused with an error that
// names the problem.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return badRequest("invalid_json", "", "request body has data after the JSON object")
	}
	return nil
}

// decodeOptional is decode for requests whose body may be empty.
func decodeOptional(r *http.Request, v any) error {
	err := decode(r, v)
	if isCode(err, "empty_body") {
		return nil
	}
	return err
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return apiError(http.StatusRequestEntityTooLarge, "body_too_large", "", "request body is over %d KiB", maxBody>>10)
	case errors.Is(err, io.EOF):
		return badRequest("empty_body", "", "request body is empty; send a JSON object")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid_json", "", "request body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return badRequest("invalid_json", "", "request body must be a JSON object")
		}
		return badRequest("invalid_type", field, "%s must be a JSON %s", field, jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest("unknown_field", field, "unknown field %q", field)
	}
	return badRequest("invalid_json", "", "request body is not valid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "ptr":
		return "string or null"
	case "int", "int64", "uint64", "float64":
		return "number"
	}
	return "value of the right type"
}

// checkText refuses a text field that is too long or holds control
// characters (NUL, line breaks): everything else, quotes and semicolons
// included, is stored exactly as given.
func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return badRequest("invalid_value", field, "%s is not valid UTF-8", field)
	}
	if utf8.RuneCountInString(v) > max {
		return badRequest("too_long", field, "%s is longer than %d characters", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return badRequest("invalid_value", field, "%s must not contain control characters", field)
		}
	}
	return nil
}

func required(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return badRequest("required", field, "%s is required", field)
	}
	return nil
}
