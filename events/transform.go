package events

import "strconv"

// This file holds the combinators that transform, filter, fold and
// materialize the events of one stream. Each subscription allocates one
// observer; forwarding an event allocates nothing unless the user function
// does (FlatMap's slices are the user's).

// transformEnd is the downstream side of a combinator that may call its
// observer more than once per upstream call (an event then done, the elements
// of a slice) or that ends early. It is also the [Subscription] the
// combinator returns: [Subscription.Unsubscribe] stops every later emission,
// even one already decided in the current call, and unsubscribes from the
// source. Subscribing such a combinator is one allocation: the observer,
// which embeds this.
type transformEnd[T any] struct {
	ender[T]
	up upstream
}

// Unsubscribe ends the downstream without notifying it and releases the
// source (now or, during Subscribe, as soon as its handle is known).
func (t *transformEnd[T]) Unsubscribe() {
	t.ended = true
	t.up.cancel()
}

// transformEndTo returns a transformEnd emitting to down.
func transformEndTo[T any](down Observer[T]) transformEnd[T] {
	return transformEnd[T]{ender: ender[T]{down: down}}
}

func (t *transformEnd[T]) end() *transformEnd[T] { return t }

// OnDone forwards done once; observers that emit something first override
// it.
func (t *transformEnd[T]) OnDone() { t.done() }

// transformPass forwards errors and done unchanged. The combinators that
// emit at most once per upstream call embed it and add OnEvent.
type transformPass[U any] struct{ down Observer[U] }

func (p transformPass[U]) OnError(err error) { p.down.OnError(err) }
func (p transformPass[U]) OnDone()           { p.down.OnDone() }

// transformSource returns a stream whose subscribers each get an observer
// made by mk; o.end() must return its embedded transformEnd, which records
// the source's subscription and is the returned [Subscription].
func transformSource[T, U any, O interface {
	Observer[T]
	end() *transformEnd[U]
}](src Events[T], mk func(down Observer[U]) O) Events[U] {
	return Events[U]{src: sourceFunc[U](func(down Observer[U]) Subscription {
		o := mk(down)
		t := o.end()
		t.up.set(src.Subscribe(o))
		return t
	})}
}

// Map returns the stream of f applied to each event of e. Errors and done
// are forwarded. It buffers nothing; forwarding an event allocates nothing.
func Map[T, U any](e Events[T], f func(T) U) Events[U] {
	return derive(e, func(down Observer[U]) Observer[T] {
		return &mapObserver[T, U]{transformPass[U]{down}, f}
	})
}

type mapObserver[T, U any] struct {
	transformPass[U]
	f func(T) U
}

func (o *mapObserver[T, U]) OnEvent(v T) { o.down.OnEvent(o.f(v)) }

// TryMap is [Map] for a function that can fail: an event for which f returns
// a non-nil error becomes that error on the result stream (which goes on).
// It buffers nothing.
func TryMap[T, U any](e Events[T], f func(T) (U, error)) Events[U] {
	return derive(e, func(down Observer[U]) Observer[T] {
		return &tryMapObserver[T, U]{transformPass[U]{down}, f}
	})
}

type tryMapObserver[T, U any] struct {
	transformPass[U]
	f func(T) (U, error)
}

func (o *tryMapObserver[T, U]) OnEvent(v T) {
	u, err := o.f(v)
	if err != nil {
		o.down.OnError(err)
		return
	}
	o.down.OnEvent(u)
}

// Filter returns the events of e for which p reports true. It buffers
// nothing; forwarding an event allocates nothing.
func (e Events[T]) Filter(p func(T) bool) Events[T] {
	return derive(e, func(down Observer[T]) Observer[T] {
		return &filterObserver[T]{transformPass[T]{down}, p}
	})
}

type filterObserver[T any] struct {
	transformPass[T]
	p func(T) bool
}

func (o *filterObserver[T]) OnEvent(v T) {
	if o.p(v) {
		o.down.OnEvent(v)
	}
}

// Collect maps and filters in one step: for each event of e, f returns the
// value to emit and whether to emit it. It buffers nothing.
func Collect[T, U any](e Events[T], f func(T) (U, bool)) Events[U] {
	return derive(e, func(down Observer[U]) Observer[T] {
		return &collectObserver[T, U]{transformPass[U]{down}, f}
	})
}

type collectObserver[T, U any] struct {
	transformPass[U]
	f func(T) (U, bool)
}

func (o *collectObserver[T, U]) OnEvent(v T) {
	if u, ok := o.f(v); ok {
		o.down.OnEvent(u)
	}
}

// Scan returns the running fold of e: for each event v it sets the
// accumulator to f(acc, v) and emits it. The accumulator starts at z for
// each subscription, and z itself is not emitted (Reactors.IO's scanPast).
// It holds one U per subscription; forwarding an event allocates nothing
// beyond what f allocates.
func Scan[T, U any](e Events[T], z U, f func(U, T) U) Events[U] {
	return derive(e, func(down Observer[U]) Observer[T] {
		return &scanObserver[T, U]{transformPass[U]{down}, f, z}
	})
}

type scanObserver[T, U any] struct {
	transformPass[U]
	f   func(U, T) U
	acc U
}

func (o *scanObserver[T, U]) OnEvent(v T) {
	o.acc = o.f(o.acc, v)
	o.down.OnEvent(o.acc)
}

// Reduce folds e like [Scan] but emits only the final accumulator, once,
// when e completes, and then completes (Reactors.IO's reducePast). If e
// completes without events it emits z. Errors are forwarded as they come.
// It holds one U per subscription.
func Reduce[T, U any](e Events[T], z U, f func(U, T) U) Events[U] {
	return transformSource(e, func(down Observer[U]) *reduceObserver[T, U] {
		return &reduceObserver[T, U]{transformEnd: transformEndTo(down), f: f, acc: z}
	})
}

type reduceObserver[T, U any] struct {
	transformEnd[U]
	f   func(U, T) U
	acc U
}

func (o *reduceObserver[T, U]) OnEvent(v T) {
	if !o.ended {
		o.acc = o.f(o.acc, v)
	}
}

func (o *reduceObserver[T, U]) OnDone() {
	if o.ended {
		return
	}
	o.down.OnEvent(o.acc)
	o.done() // no-op if the downstream unsubscribed while handling the event
}

// Count returns the running number of events of e: 1, 2, 3... Errors are
// not counted. It buffers nothing.
func (e Events[T]) Count() Events[int] {
	return derive(e, func(down Observer[int]) Observer[T] {
		return &countObserver[T]{transformPass: transformPass[int]{down}}
	})
}

type countObserver[T any] struct {
	transformPass[int]
	n int
}

func (o *countObserver[T]) OnEvent(T) {
	o.n++
	o.down.OnEvent(o.n)
}

// Changed drops each event of e equal (==) to the event before it; the
// first event always passes. Unlike Reactors.IO's changed(initial) it takes
// no initial value. It holds the last event per subscription.
func Changed[T comparable](e Events[T]) Events[T] {
	return derive(e, func(down Observer[T]) Observer[T] {
		return &changedObserver[T]{transformPass: transformPass[T]{down}}
	})
}

type changedObserver[T comparable] struct {
	transformPass[T]
	last T
	seen bool
}

func (o *changedObserver[T]) OnEvent(v T) {
	if o.seen && v == o.last {
		return
	}
	o.last, o.seen = v, true
	o.down.OnEvent(v)
}

// FlatMap emits, for each event of e, the elements of f's slice in order
// (none for an empty slice). The slice is only read, during the call. If
// the downstream unsubscribes, or e completes re-entrantly, while a slice
// is being emitted, its remaining elements are dropped. It buffers
// nothing.
func FlatMap[T, U any](e Events[T], f func(T) []U) Events[U] {
	return transformSource(e, func(down Observer[U]) *flatMapObserver[T, U] {
		return &flatMapObserver[T, U]{transformEnd: transformEndTo(down), f: f}
	})
}

type flatMapObserver[T, U any] struct {
	transformEnd[U]
	f func(T) []U
}

func (o *flatMapObserver[T, U]) OnEvent(v T) {
	if o.ended {
		return
	}
	for _, u := range o.f(v) {
		if o.ended {
			return
		}
		o.down.OnEvent(u)
	}
}

// Recover turns errors into events: for each error of e, f returns the
// event to emit instead and true, or false to forward the error unchanged.
// It buffers nothing.
func (e Events[T]) Recover(f func(error) (T, bool)) Events[T] {
	return derive(e, func(down Observer[T]) Observer[T] {
		return &recoverObserver[T]{transformPass[T]{down}, f}
	})
}

type recoverObserver[T any] struct {
	transformPass[T]
	f func(error) (T, bool)
}

func (o *recoverObserver[T]) OnEvent(v T) { o.down.OnEvent(v) }
func (o *recoverObserver[T]) OnError(err error) {
	if v, ok := o.f(err); ok {
		o.down.OnEvent(v)
		return
	}
	o.down.OnError(err)
}

// IgnoreErrors returns e without its errors: events and done are forwarded,
// errors dropped. It buffers nothing.
func (e Events[T]) IgnoreErrors() Events[T] {
	return derive(e, func(down Observer[T]) Observer[T] {
		return &ignoreErrorsObserver[T]{transformPass[T]{down}}
	})
}

type ignoreErrorsObserver[T any] struct{ transformPass[T] }

func (o *ignoreErrorsObserver[T]) OnEvent(v T)   { o.down.OnEvent(v) }
func (o *ignoreErrorsObserver[T]) OnError(error) {}

// ReactionKind says what a [Reaction] records.
type ReactionKind uint8

// The kinds of [Reaction]. The zero Reaction is an EventReaction.
const (
	EventReaction ReactionKind = iota // an event: Value is set
	ErrorReaction                     // an error: Err is set
	DoneReaction                      // completion: neither is set
)

// String returns "event", "error" or "done".
func (k ReactionKind) String() string {
	switch k {
	case EventReaction:
		return "event"
	case ErrorReaction:
		return "error"
	case DoneReaction:
		return "done"
	}
	return "ReactionKind(" + strconv.Itoa(int(k)) + ")"
}

// Reaction is one thing a stream did (an event, an error or its
// completion) as a value: the events of [Materialize].
type Reaction[T any] struct {
	Kind  ReactionKind
	Value T     // the event, if Kind is EventReaction
	Err   error // the error, if Kind is ErrorReaction
}

// Materialize returns every event, error and the completion of e as
// [Reaction] events: after the [DoneReaction] event the result completes. It
// emits no errors. It buffers nothing.
//
// It is a function, not a method: Go rejects a method of Events[T] whose
// result is Events[Reaction[T]] (an instantiation cycle).
func Materialize[T any](e Events[T]) Events[Reaction[T]] {
	return transformSource(e, func(down Observer[Reaction[T]]) *materializeObserver[T] {
		return &materializeObserver[T]{transformEnd: transformEndTo(down)}
	})
}

type materializeObserver[T any] struct {
	transformEnd[Reaction[T]]
}

func (o *materializeObserver[T]) OnEvent(v T) {
	if !o.ended {
		o.down.OnEvent(Reaction[T]{Kind: EventReaction, Value: v})
	}
}

func (o *materializeObserver[T]) OnError(err error) {
	if !o.ended {
		o.down.OnEvent(Reaction[T]{Kind: ErrorReaction, Err: err})
	}
}

func (o *materializeObserver[T]) OnDone() {
	if o.ended {
		return
	}
	o.down.OnEvent(Reaction[T]{Kind: DoneReaction})
	o.done()
}

// Done returns a stream that emits one event when e completes and then
// completes; e's events are ignored and its errors forwarded (Reactors.IO's
// done). It buffers nothing.
func (e Events[T]) Done() Events[struct{}] {
	return transformSource(e, func(down Observer[struct{}]) *doneObserver[T] {
		return &doneObserver[T]{transformEnd: transformEndTo(down)}
	})
}

type doneObserver[T any] struct {
	transformEnd[struct{}]
}

func (o *doneObserver[T]) OnEvent(T) {}

func (o *doneObserver[T]) OnDone() {
	if o.ended {
		return
	}
	o.down.OnEvent(struct{}{})
	o.done()
}
