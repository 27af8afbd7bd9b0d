//go:build !linux

package vault

func newScratch(n int) *scratch { return &scratch{buf: make([]byte, n)} }
