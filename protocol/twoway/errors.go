package twoway

import "errors"

// ErrNoLink: the two-way server's reactor terminated before it answered
// a [Connect]. Match it with [errors.Is].
var ErrNoLink = errors.New("twoway: server terminated before answering")
