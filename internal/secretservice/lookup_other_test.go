//go:build !linux

package secretservice

import (
	"errors"
	"testing"
)

func TestLookupUnsupported(t *testing.T) {
	if got, err := Lookup("s", "u"); !errors.Is(err, ErrUnsupported) || got != nil {
		t.Errorf("Lookup: %q, %v; want ErrUnsupported", got, err)
	}
}
