package server

import "errors"

// Errors of request/reply. Match them with errors.Is.
var (
	// ErrServerFailed: the server's handler panicked (or its reactor
	// failed) while it held the request.
	ErrServerFailed = errors.New("server: failed before replying")
	// ErrServerTerminated: the server's reactor terminated before the
	// reply arrived.
	ErrServerTerminated = errors.New("server: terminated before replying")
)

// ErrNilFunc: Spawn, Open, Call or CallIn was given a nil function. Nothing
// was started or sent.
var ErrNilFunc = errors.New("server: nil function")

// ErrNoReply: an asynchronous server's reply stream completed without a
// value (ServeAsync).
var ErrNoReply = errors.New("server: reply stream ended without a value")
