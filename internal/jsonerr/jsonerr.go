// Package jsonerr words encoding/json's errors for people: where in the
// input and what was wrong, without Go's type names ("invalid JSON at byte
// 17: ...", "otp.digits is a JSON string, want a whole number"). The vault
// and every importer report damaged files this way.
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Describe says what is wrong with a JSON document that json.Unmarshal
// refused. what names the value decoded ("the file"), for errors that do
// not name a field.
func Describe(err error, what string) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = what
		}
		return fmt.Sprintf("%s is a JSON %s, want %s", field, typ.Value, kind(typ.Type))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// kind names what a Go type accepts, in JSON's words.
func kind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		if t == reflect.TypeFor[json.RawMessage]() {
			return "a JSON value"
		}
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number of at least 0"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	}
	return t.String()
}
