//go:build !linux

package main

import "time"

func procStart() (time.Time, bool) { return time.Time{}, false }
