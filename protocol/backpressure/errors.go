package backpressure

import "errors"

// ErrNoCredit: a valve was asked to send an event while it holds no credit:
// the receiver has not yet made room for it. The event was not sent; wait for
// the valve's [Valve.Available] signal (or use [BlockingValve.Offer]) and
// send it again. Match it with [errors.Is].
var ErrNoCredit = errors.New("backpressure: no credit")
