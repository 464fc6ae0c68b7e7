package events

// This file holds the combinators that select a part of a stream by
// position or predicate (Take, Drop, TakeWhile, DropWhile, Once, Last,
// Every, Partition) and those that group its events into slices (Batch,
// Sliding). Each subscription allocates one observer; forwarding an event
// allocates nothing except the slices Batch and Sliding emit.

// slicingMaxPrealloc caps the capacity [Batch] reserves for a group, so that
// a huge n does not reserve memory for events that may never come.
const slicingMaxPrealloc = 1024

// Take returns the first n events of e and then completes, unsubscribing
// from e at once. Errors before the n-th event are forwarded and not
// counted. If e completes first, so does the result. For n <= 0 the result
// completes on subscription without subscribing to e (Reactors.IO's take
// never completes instead). It buffers nothing.
func (e Events[T]) Take(n int) Events[T] {
	if n <= 0 {
		return Events[T]{src: sourceFunc[T](func(down Observer[T]) Subscription {
			down.OnDone()
			return Nop()
		})}
	}
	return transformSource(e, func(down Observer[T]) *takeObserver[T] {
		return &takeObserver[T]{transformEnd: transformEndTo(down), left: n}
	})
}

type takeObserver[T any] struct {
	transformEnd[T]
	left int // events still to forward
}

func (o *takeObserver[T]) OnEvent(v T) {
	if o.ended || o.left == 0 {
		return
	}
	o.left-- // before forwarding: a re-entrant event sees the new count
	o.down.OnEvent(v)
	if o.left == 0 {
		o.up.cancel()
		o.done() // no-op if the downstream unsubscribed meanwhile
	}
}

// Once returns the first event of e and then completes: Take(1).
func (e Events[T]) Once() Events[T] { return e.Take(1) }

// Drop returns the events of e after the first n. Errors are forwarded and
// not counted. For n <= 0 it returns e. It buffers nothing.
func (e Events[T]) Drop(n int) Events[T] {
	if n <= 0 {
		return e
	}
	return derive(e, func(down Observer[T]) Observer[T] {
		return &dropObserver[T]{transformPass: transformPass[T]{down}, left: n}
	})
}

type dropObserver[T any] struct {
	transformPass[T]
	left int // events still to drop
}

func (o *dropObserver[T]) OnEvent(v T) {
	if o.left > 0 {
		o.left--
		return
	}
	o.down.OnEvent(v)
}

// TakeWhile returns the events of e up to the first one for which p
// reports false; at that event (which is not emitted) the result completes
// and unsubscribes from e. Errors before it are forwarded. It buffers
// nothing.
func (e Events[T]) TakeWhile(p func(T) bool) Events[T] {
	return transformSource(e, func(down Observer[T]) *takeWhileObserver[T] {
		return &takeWhileObserver[T]{transformEnd: transformEndTo(down), p: p}
	})
}

type takeWhileObserver[T any] struct {
	transformEnd[T]
	p func(T) bool
}

func (o *takeWhileObserver[T]) OnEvent(v T) {
	if o.ended {
		return
	}
	if o.p(v) {
		o.down.OnEvent(v)
		return
	}
	o.up.cancel()
	o.done()
}

// DropWhile drops the events of e while p reports true and forwards every
// event from the first one for which it reports false (p is not called
// after that). Errors are always forwarded. It buffers nothing.
func (e Events[T]) DropWhile(p func(T) bool) Events[T] {
	return derive(e, func(down Observer[T]) Observer[T] {
		return &dropWhileObserver[T]{transformPass: transformPass[T]{down}, p: p}
	})
}

type dropWhileObserver[T any] struct {
	transformPass[T]
	p      func(T) bool
	passed bool // an event failed p: forward everything
}

func (o *dropWhileObserver[T]) OnEvent(v T) {
	if !o.passed {
		if o.p(v) {
			return
		}
		o.passed = true
	}
	o.down.OnEvent(v)
}

// Last emits the last event of e when e completes, then completes; if e
// had no events it just completes. Errors are forwarded as they come. It
// holds one event per subscription.
func (e Events[T]) Last() Events[T] {
	return transformSource(e, func(down Observer[T]) *lastObserver[T] {
		return &lastObserver[T]{transformEnd: transformEndTo(down)}
	})
}

type lastObserver[T any] struct {
	transformEnd[T]
	last T
	has  bool
}

func (o *lastObserver[T]) OnEvent(v T) {
	if !o.ended {
		o.last, o.has = v, true
	}
}

func (o *lastObserver[T]) OnDone() {
	if o.ended {
		return
	}
	if o.has {
		v := o.last
		var zero T
		o.last, o.has = zero, false // release the event
		o.down.OnEvent(v)
	}
	o.done()
}

// Every returns every n-th event of e: the n-th, the 2n-th, and so on
// (what Reactors.IO's each(n) does; its doc diagram shows the 1st, (n+1)-th
// ... instead). Errors are forwarded and not counted. It panics if n < 1.
// It buffers nothing.
func (e Events[T]) Every(n int) Events[T] {
	if n < 1 {
		panic("events: Every needs n >= 1")
	}
	return derive(e, func(down Observer[T]) Observer[T] {
		return &everyObserver[T]{transformPass: transformPass[T]{down}, n: n}
	})
}

type everyObserver[T any] struct {
	transformPass[T]
	n, c int // c counts the events since the last one forwarded
}

func (o *everyObserver[T]) OnEvent(v T) {
	o.c++
	if o.c == o.n {
		o.c = 0
		o.down.OnEvent(v)
	}
}

// Partition splits e into the events for which p reports true and those
// for which it reports false. The two streams are independent and cold:
// each subscription to either subscribes to e and calls p once per event.
// They buffer nothing.
func (e Events[T]) Partition(p func(T) bool) (Events[T], Events[T]) {
	return e.Filter(p), e.Filter(func(v T) bool { return !p(v) })
}

// Batch groups the events of e into slices of n, emitted when full; when e
// completes, a last shorter group, if any, is emitted before completion.
// Errors are forwarded as they come and do not break a group. Each emitted
// slice is new and belongs to the receiver. It buffers up to n-1 events per
// subscription and allocates one slice per group (more for groups longer
// than 1024 events, whose capacity grows as they fill). It panics if n < 1.
//
// It is a function, not a method: Go rejects a method of Events[T] whose
// result is Events[[]T] (an instantiation cycle).
func Batch[T any](e Events[T], n int) Events[[]T] {
	if n < 1 {
		panic("events: Batch needs n >= 1")
	}
	return transformSource(e, func(down Observer[[]T]) *batchObserver[T] {
		return &batchObserver[T]{transformEnd: transformEndTo(down), n: n}
	})
}

type batchObserver[T any] struct {
	transformEnd[[]T]
	n   int
	buf []T // the group being filled; nil between groups
}

func (o *batchObserver[T]) OnEvent(v T) {
	if o.ended {
		return
	}
	if o.buf == nil {
		o.buf = make([]T, 0, min(o.n, slicingMaxPrealloc))
	}
	o.buf = append(o.buf, v)
	if len(o.buf) == o.n {
		out := o.buf
		o.buf = nil // a re-entrant event starts the next group
		o.down.OnEvent(out)
	}
}

func (o *batchObserver[T]) OnDone() {
	if o.ended {
		return
	}
	if out := o.buf; len(out) > 0 {
		o.buf = nil
		o.down.OnEvent(out)
	}
	o.done()
}

// Sliding emits, after each event of e, the last up to n events, oldest
// first: a window that grows to n and then slides by one. Each emitted
// slice is new and belongs to the receiver. It holds up to n events per
// subscription and allocates one slice of up to n events per event. It
// panics if n < 1. Reactors.IO's sliding emits the window newest first.
//
// It is a function, not a method: Go rejects a method of Events[T] whose
// result is Events[[]T] (an instantiation cycle).
func Sliding[T any](e Events[T], n int) Events[[]T] {
	if n < 1 {
		panic("events: Sliding needs n >= 1")
	}
	return derive(e, func(down Observer[[]T]) Observer[T] {
		return &slidingObserver[T]{transformPass: transformPass[[]T]{down}, n: n}
	})
}

type slidingObserver[T any] struct {
	transformPass[[]T]
	n    int
	ring []T // the window; once full, ring[head] is the oldest event
	head int
}

func (o *slidingObserver[T]) OnEvent(v T) {
	if len(o.ring) < o.n {
		o.ring = append(o.ring, v)
	} else {
		o.ring[o.head] = v
		o.head++
		if o.head == o.n {
			o.head = 0
		}
	}
	out := make([]T, len(o.ring))
	k := copy(out, o.ring[o.head:])
	copy(out[k:], o.ring[:o.head])
	o.down.OnEvent(out)
}
