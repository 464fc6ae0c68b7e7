package server

import (
	"errors"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
)

// Errors of request/reply. Match them with [errors.Is].
var (
	// ErrServerFailed: the server's handler panicked (or its reactor
	// failed) while it held the request.
	ErrServerFailed = errors.New("server: failed before replying")
	// ErrServerTerminated: the server is gone: its reactor had
	// terminated (or was stopping, or its channel was sealed) when the
	// request was sent, terminated with the request queued, or
	// terminated while the ask waited. [Ask] reports each of these with an
	// error matching it, and so does a remote ask (remote.ServerError).
	ErrServerTerminated = errors.New("server: terminated before replying")
	// ErrUndelivered: the request was dead-lettered on its way to a
	// server, for a reason an [UndeliveredError] gives.
	ErrUndelivered = errors.New("server: request undelivered")
)

// UndeliveredError answers a request that was dead-lettered anywhere on its
// way to a server (see [reactor.Undeliverable]): the channel that
// dead-lettered it and the reason. It matches [ErrUndelivered], and also
// [ErrServerTerminated] when the reason says the server is gone (terminated,
// stopped, shut down, sealed). Err is the error of the send that was refused,
// if the asker saw one (a router's ErrNoRoute, [reactor.ErrTerminated]), or
// the runtime's error for the reason; [UndeliveredError.Unwrap] returns it.
type UndeliveredError struct {
	Channel string
	Reason  reactor.Reason
	Err     error
}

func (e *UndeliveredError) Error() string {
	return fmt.Sprintf("server: request undelivered to %s: %s", e.Channel, e.Reason)
}

// Is matches [ErrUndelivered], and [ErrServerTerminated] for a server that
// is gone.
func (e *UndeliveredError) Is(target error) bool {
	switch target {
	case ErrUndelivered:
		return true
	case ErrServerTerminated:
		return gone(e.Reason)
	}
	return false
}

// Unwrap returns Err.
func (e *UndeliveredError) Unwrap() error { return e.Err }

// gone reports whether a dead letter's reason means the server is gone.
func gone(r reactor.Reason) bool {
	switch r {
	case reactor.ReasonTerminated, reactor.ReasonStopped, reactor.ReasonShutdown, reactor.ReasonSealed:
		return true
	}
	return false
}

// reasonErr is the runtime's error for a dead letter's reason, if any.
func reasonErr(r reactor.Reason) error {
	switch r {
	case reactor.ReasonTerminated, reactor.ReasonStopped, reactor.ReasonShutdown:
		return reactor.ErrTerminated
	case reactor.ReasonSealed:
		return reactor.ErrSealed
	}
	return nil
}

// ErrNilFunc: [Spawn], [Open], [Call] or [CallIn] was given a nil function.
// Nothing was started or sent.
var ErrNilFunc = errors.New("server: nil function")

// ErrNoReply: an asynchronous server's reply stream completed without a
// value ([ServeAsync]).
var ErrNoReply = errors.New("server: reply stream ended without a value")
