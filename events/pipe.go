package events

// This file holds the sinks that hand a stream's events on: Pipe to a
// channel and ToIVar.

// Pipe sends every event of e to s (a reactor.Channel, say), until e
// completes or the returned subscription is unsubscribed. The error of a
// failed Send goes nowhere: Pipe drops it. For a channel that has been
// closed, the channel itself reports the event as a dead letter; an event
// refused by a full mailbox of the Fail policy (ErrFull) or by the zero
// Channel is not a dead letter and is lost. [Events.Subscribe] with
// [Events.OnEvent] and call Send to handle the error. Errors of e are
// unhandled, as with OnEvent: they fail the reactor. Pipe allocates one
// closure; it panics if s is nil.
func (e Events[T]) Pipe(s interface{ Send(T) error }) Subscription {
	if s == nil {
		panic("events: Pipe to nil")
	}
	return e.OnEvent(func(v T) { _ = s.Send(v) })
}

// ToIVar subscribes to e and returns an [IVar] that it completes with the
// first event of e, and then unsubscribes. An error before that event
// fails the IVar with that error; completion without an event fails it
// with [ErrNoEvent]. If the IVar is completed by other means first, the next
// event or error of e only unsubscribes. Unlike the combinators, ToIVar
// subscribes at once, and only once; it allocates the IVar and its
// observer together.
func (e Events[T]) ToIVar() *IVar[T] {
	o := new(pipeToIVar[T])
	o.up.set(e.Subscribe(o))
	return &o.iv
}

type pipeToIVar[T any] struct {
	iv IVar[T]
	up upstream
}

func (o *pipeToIVar[T]) OnEvent(v T) {
	o.up.cancel()
	o.iv.TrySet(v)
}

func (o *pipeToIVar[T]) OnError(err error) {
	o.up.cancel()
	o.iv.TryFail(err)
}

func (o *pipeToIVar[T]) OnDone() {
	o.up.cancel()
	o.iv.TryFail(ErrNoEvent)
}
