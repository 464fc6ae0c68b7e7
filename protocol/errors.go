package protocol

import "errors"

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
