package protocol

import "errors"

// Errors of the patterns. Match them with errors.Is: the errors the
// patterns emit or return wrap them with context.
var (
	// ErrRetriesExhausted: a retry's schedule ran out and no attempt
	// answered. The error that wraps it also wraps the last error of an
	// attempt, if there was one.
	ErrRetriesExhausted = errors.New("protocol: retries exhausted")
	// ErrTimeout: a stream given to Timeout went silent for longer than
	// its interval.
	ErrTimeout = errors.New("protocol: timeout")
)
