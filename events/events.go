package events

// Source is anything that can be subscribed to. Stream implementations (an
// [Emitter], an [IVar], a combinator) implement it; users rarely need to.
type Source[T any] interface {
	Subscribe(o Observer[T]) Subscription
}

// Events is a stream of T values. It is a small value (one interface) that
// may be copied freely; copies denote the same stream. The zero value is a
// stream that never emits and never completes.
type Events[T any] struct {
	src Source[T]
}

// From returns the stream of src.
func From[T any](src Source[T]) Events[T] { return Events[T]{src: src} }

// Subscribe adds o as an observer of the stream and returns the
// subscription that removes it.
func (e Events[T]) Subscribe(o Observer[T]) Subscription {
	if e.src == nil {
		return Nop()
	}
	return e.src.Subscribe(o)
}

// OnEvent calls f with every event. Errors are unhandled: they fail the
// reactor (see the package rules). It allocates nothing beyond what the
// source needs to record the subscription.
func (e Events[T]) OnEvent(f func(T)) Subscription {
	return e.Subscribe(eventFunc[T](f))
}

// OnError calls f with every error and ignores events and completion.
func (e Events[T]) OnError(f func(error)) Subscription {
	return e.Subscribe(errorFunc[T](f))
}

// OnDone calls f when the stream completes. Errors are unhandled.
func (e Events[T]) OnDone(f func()) Subscription {
	return e.Subscribe(doneFunc[T](f))
}

// OnEventOrDone calls event with every event and done on completion.
// Errors are unhandled.
func (e Events[T]) OnEventOrDone(event func(T), done func()) Subscription {
	return e.Subscribe(&Funcs[T]{Event: event, Done: done})
}
