package reactortest

import (
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
)

// Reaction is one reaction of a stream under test (an event, an error or
// its completion, as events.Reaction says) with the virtual time since
// the Stream that recorded it started. Stream.Expect compares reactions
// with reflect.DeepEqual, errors by their presence only: build the wanted
// ones with EventAt, ErrorAt and DoneAt.
type Reaction[T any] struct {
	At time.Duration // since the Stream started
	events.Reaction[T]
}

// EventAt returns the reaction "event v at virtual time at".
func EventAt[T any](at time.Duration, v T) Reaction[T] {
	return Reaction[T]{At: at, Reaction: events.Reaction[T]{Kind: events.EventReaction, Value: v}}
}

// ErrorAt returns the reaction "an error at virtual time at", without the
// error itself: Stream.Expect matches it with any non-nil error, and
// Stream.ExpectError returns the error to check.
func ErrorAt[T any](at time.Duration) Reaction[T] {
	return Reaction[T]{At: at, Reaction: events.Reaction[T]{Kind: events.ErrorReaction}}
}

// DoneAt returns the reaction "completion at virtual time at".
func DoneAt[T any](at time.Duration) Reaction[T] {
	return Reaction[T]{At: at, Reaction: events.Reaction[T]{Kind: events.DoneReaction}}
}

// String returns "event V at D", "error (E) at D" ("error at D" without
// an error) or "done at D": the form of Stream's failure messages.
func (r Reaction[T]) String() string {
	switch r.Kind {
	case events.EventReaction:
		return fmt.Sprintf("event %v at %v", r.Value, r.At)
	case events.ErrorReaction:
		if r.Err == nil {
			return fmt.Sprintf("error at %v", r.At)
		}
		return fmt.Sprintf("error (%v) at %v", r.Err, r.At)
	}
	return fmt.Sprintf("%v at %v", r.Kind, r.At)
}
