package protocol

import "errors"

// ErrNoLink: the two-way server's reactor terminated before it answered
// a Connect.
var ErrNoLink = errors.New("protocol: two-way server terminated before answering")
