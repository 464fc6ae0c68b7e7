package reactortest

import "time"

// Clock is the time source of a faulty channel's delays ([Delay], [Jitter],
// [Decision.Delay]). The default is package time's clock, which
// testing/synctest replaces with virtual time inside a bubble; a
// [ManualClock] gives tests explicit control.
//
// Implementations must be safe for concurrent use, must not call f from
// inside [Clock.AfterFunc], and must not hold a lock of their own while
// calling f: f takes the faulty channel's lock, and the channel calls
// [Clock.Now] and AfterFunc while holding it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f, once, when d has passed, and returns a [Timer]
	// that can cancel the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call of [Clock.AfterFunc].
type Timer interface {
	// Stop cancels the call. It reports whether it did so: false if the
	// call has already happened, started or been cancelled.
	Stop() bool
}

// realClock is package time's clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
