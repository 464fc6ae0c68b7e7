package reactor

import (
	"errors"
	"fmt"

	"github.com/reactors-go/reactors/internal/owner"
)

// Errors returned by the runtime. Match them with [errors.Is]: returned errors
// may wrap them with context.
var (
	// ErrSealed: the channel's connector was sealed by its owner.
	ErrSealed = errors.New("reactor: channel sealed")
	// ErrTerminated: the reactor owning the channel has terminated.
	ErrTerminated = errors.New("reactor: reactor terminated")
	// ErrFull: a bounded mailbox with the [Fail] policy (or the [Block] policy,
	// when the sender runs inside a reactor) has no room.
	ErrFull = errors.New("reactor: mailbox full")
	// ErrNilChannel: [Channel.Send] on the zero [Channel].
	ErrNilChannel = errors.New("reactor: send on zero channel")
	// ErrDuplicateName: a live reactor, or a channel of the same reactor,
	// already has the name.
	ErrDuplicateName = errors.New("reactor: duplicate name")
	// ErrInvalidName: a reactor or channel name is empty or contains '#' or
	// a space or control character.
	ErrInvalidName = errors.New("reactor: invalid name")
	// ErrNotFound: no channel is registered under the name.
	ErrNotFound = errors.New("reactor: name not found")
	// ErrWrongType: the channel registered under the name carries another
	// event type than the one asked for.
	ErrWrongType = errors.New("reactor: channel has another event type")
	// ErrClosed: the system is shutting down or shut down.
	ErrClosed = errors.New("reactor: system closed")
	// ErrNilSystem: a nil [*System] was given where a system is needed.
	ErrNilSystem = errors.New("reactor: nil system")
	// ErrInvalidOption: an option holds a value outside its range (a
	// mailbox bound below 1, an unknown [Overflow] policy or [Scheduler], a
	// negative [RestartPolicy] field). [Spawn], [Run] and [Open] return it,
	// wrapped with the option, and start or open nothing.
	ErrInvalidOption = errors.New("reactor: invalid option")
	// ErrExpired: a reply was sent to a receiver that has stopped waiting
	// for it (its deadline passed, or it already has the answer it wanted).
	// The reply is dead-lettered with [ReasonExpired].
	ErrExpired = errors.New("reactor: receiver stopped waiting")
	// ErrNotOwner: a reactor's owner-side object (its [Reactor] value, a
	// connector's [Connector.Events] or [Connector.Seal], a stream) was used
	// outside the reactor's own turns. The call panics with an error matching
	// it, which fails the calling reactor. It is [events.ErrNotOwner].
	ErrNotOwner = owner.ErrNotOwner
	// ErrNoReactor: a forwarding channel ([ChannelOf]) was asked for what
	// only a reactor's channel has ([Channel.Stop], [Channel.Drain]).
	ErrNoReactor = errors.New("reactor: channel has no reactor")
	// ErrInsideReactor: a call that blocks until another reactor answers
	// (server.Ask, a dht.Table operation, a scatter-gather) was made from
	// a reactor's constructor or handler, where it would wait for ever
	// on work that the waiting reactor holds up. Use the In form of the
	// call there (server.AskIn, dht's GetIn).
	ErrInsideReactor = errors.New("reactor: blocking call inside a reactor")
	// ErrTimeout: a stream given to [Timeout] went silent for longer than
	// its interval.
	ErrTimeout = errors.New("reactor: timeout")
)

// Inside reports whether the calling goroutine is running a reactor's
// constructor or handler, on any scheduler (or a caller-run step). Calls
// that block until a reactor answers check it and fail with
// [ErrInsideReactor] instead of waiting for ever. It costs about 3 ns and
// allocates nothing. Where goroutines cannot be identified (see
// [ErrNotOwner]), it reports false.
func Inside() bool { return owner.Current() != 0 }

// errClosedWhileWaiting tells sendBounded that the connector closed while a
// [Block] sender waited; the sender then refuses the event like any send to
// a closed channel. It never reaches callers.
var errClosedWhileWaiting = errors.New("reactor: closed while waiting for room")

// PanicError is the failure of a reactor whose constructor or handler
// panicked: the panic value and the stack of the panicking goroutine.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("reactor: panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error, so [errors.Is] and
// [errors.As] see through the panic.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
