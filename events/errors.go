package events

import (
	"errors"

	"github.com/reactors-go/reactors/internal/owner"
)

// ErrNotOwner is the error of a stream used outside the reactor that owns
// it; such a use panics with an error matching it (see [Emitter]).
var ErrNotOwner = owner.ErrNotOwner

// ErrNoEvent is the failure of an [IVar] made by [Events.ToIVar] whose stream
// completed without an event.
var ErrNoEvent = errors.New("events: stream completed without an event")

// ErrNotCompleted is returned by [IVar.Value] before the [IVar] is assigned or
// failed.
var ErrNotCompleted = errors.New("events: ivar not completed")

// UnhandledError is the panic value of an observer that received an error it
// has no handler for. Inside a reactor it fails the reactor with this error.
type UnhandledError struct {
	Err error
}

func (e *UnhandledError) Error() string { return "events: unhandled error: " + e.Err.Error() }

// Unwrap returns the unhandled error.
func (e *UnhandledError) Unwrap() error { return e.Err }
