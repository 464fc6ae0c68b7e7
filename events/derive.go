package events

// This file holds the machinery every combinator is built from.
//
// A combinator's stream is cold: each subscription to it subscribes to the
// upstream stream(s) afresh with its own intermediate observer, so the
// state of a combinator (a counter, a buffer) belongs to one subscription.
// Subscribing allocates the intermediate observer; forwarding an event
// allocates nothing.

// sourceFunc adapts a function to [Source].
type sourceFunc[T any] func(Observer[T]) Subscription

func (f sourceFunc[T]) Subscribe(o Observer[T]) Subscription { return f(o) }

// derive returns a stream whose subscribers each get an observer of src
// made by mk from the downstream observer.
func derive[T, U any](src Events[T], mk func(down Observer[U]) Observer[T]) Events[U] {
	return Events[U]{src: sourceFunc[U](func(down Observer[U]) Subscription {
		return src.Subscribe(mk(down))
	})}
}

// upstream holds a combinator's subscription to its source and copes with
// a source that completes while being subscribed to (Reactors.IO bug #64):
// if the combinator ends (cancel) before Subscribe has returned the
// handle, the handle is unsubscribed as soon as it arrives.
type upstream struct {
	sub       Subscription
	cancelled bool
}

// set records the subscription returned by Subscribe.
func (u *upstream) set(s Subscription) {
	if u.cancelled {
		s.Unsubscribe()
		return
	}
	u.sub = s
}

// cancel unsubscribes from the source, now or as soon as the handle is
// known. It is idempotent.
func (u *upstream) cancel() {
	if u.cancelled {
		return
	}
	u.cancelled = true
	if s := u.sub; s != nil {
		u.sub = nil
		s.Unsubscribe()
	}
}

// Unsubscribe makes *upstream a [Subscription].
func (u *upstream) Unsubscribe() { u.cancel() }

// ender is the downstream side of a combinator that can end early (take,
// once, until): it forwards done at most once and reports whether the
// stream has ended.
type ender[T any] struct {
	down  Observer[T]
	ended bool
}

// OnError forwards err unless the stream has ended; combinator observers
// embedding an ender inherit it.
func (e *ender[T]) OnError(err error) {
	if !e.ended {
		e.down.OnError(err)
	}
}

// done ends the downstream once.
func (e *ender[T]) done() {
	if !e.ended {
		e.ended = true
		e.down.OnDone()
	}
}
