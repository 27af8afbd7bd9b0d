package ui

import "time"

// Clock is where the window gets the time and its timers from. The real one
// is the system clock; tests pass one they advance by hand, so that a code,
// a countdown and the clipboard being cleared can be checked exactly.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f, on some goroutine, once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call from Clock.AfterFunc.
type Timer interface {
	// Stop cancels the call; false if it already happened or was stopped.
	Stop() bool
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
