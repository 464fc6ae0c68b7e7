package protocol

import "errors"

// ErrNoCredit: a valve was asked to send an event while it holds no
// credit: the receiver has not yet made room for it. The event was not
// sent; wait for the valve's Available signal (or use BlockingValve.Offer)
// and send it again.
var ErrNoCredit = errors.New("protocol: no credit")

// Errors of links.
var (
	// ErrLinkClosed: a value was sent on a link that was closed, by its
	// owner or because its transport refused a frame (the error that
	// wraps it then wraps the transport's error too).
	ErrLinkClosed = errors.New("protocol: link closed")
)

// ErrNoLink: the two-way server's reactor terminated before it answered
// a Connect.
var ErrNoLink = errors.New("protocol: two-way server terminated before answering")
