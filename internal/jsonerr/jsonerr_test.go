package jsonerr

import (
	"encoding/json"
	"testing"
)

func TestDescribe(t *testing.T) {
	var v struct {
		Digits int             `json:"digits"`
		Name   string          `json:"name"`
		Raw    json.RawMessage `json:"raw"`
		Fav    bool            `json:"fav"`
		N      uint            `json:"n"`
	}
	for in, want := range map[string]string{
		`{"digits":"6"}`: "digits is a JSON string, want a whole number",
		`{"name":7}`:     "name is a JSON number, want a string",
		`{"fav":"yes"}`:  "fav is a JSON string, want true or false",
		`{"n":-1}`:       "n is a JSON number -1, want a whole number of at least 0",
		`{"digits":6,}`:  "invalid JSON at byte 13: invalid character '}' looking for beginning of object key string",
		`[1]`:            "the file is a JSON array, want an object",
	} {
		err := json.Unmarshal([]byte(in), &v)
		if err == nil {
			t.Fatalf("%s: no error", in)
		}
		if got := Describe(err, "the file"); got != want {
			t.Errorf("%s:\n got %q\nwant %q", in, got, want)
		}
	}
}
