package events

import "slices"

// This file holds the combinators that join two or more streams: Union,
// Merge, Concat, Zip, ZipAll, After, Until and Defer.
//
// Merge and Concat are Flatten and ConcatAll (nested.go) of a fixed stream
// of streams. The others allocate one state record per subscription, which
// is also the returned Subscription; a two-input combinator observes its
// inputs through pointer conversions of that record (combineZipA,
// combineGateIn), so no further observer is allocated. Events are
// forwarded without allocating, except to grow a buffer. An input that
// completes, or is no longer needed, is unsubscribed through its upstream,
// which copes with an input that completes while being subscribed to.

// combineDown is the downstream side of a combinator: an ender whose
// OnEvent (and ender's OnError) forward until it has ended. Embedded in a
// combinator's state, it gives every observer view of the state those two
// methods.
type combineDown[T any] struct{ ender[T] }

func (d *combineDown[T]) OnEvent(v T) {
	if !d.ended {
		d.down.OnEvent(v)
	}
}

// combineQueue is a FIFO buffer. A drained queue reuses its array, so a
// steady state of push and pop allocates nothing.
type combineQueue[T any] struct {
	items []T
	head  int
}

func (q *combineQueue[T]) len() int { return len(q.items) - q.head }

func (q *combineQueue[T]) push(v T) {
	if q.head > 0 && len(q.items) == cap(q.items) && q.head >= len(q.items)/2 {
		// Reuse the consumed half instead of growing the array.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, v)
}

// front returns the oldest item; the queue must not be empty.
func (q *combineQueue[T]) front() T { return q.items[q.head] }

// pop removes and returns the oldest item; the queue must not be empty.
func (q *combineQueue[T]) pop() T {
	v := q.items[q.head]
	var zero T
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return v
}

// reset drops the items and releases the array.
func (q *combineQueue[T]) reset() { q.items, q.head = nil, 0 }

// combineEmpty is the source of a stream that completes at once.
func combineEmpty[T any](o Observer[T]) Subscription {
	o.OnDone()
	return Nop()
}

// combineStreams returns the Subscribe function of a stream that emits each
// of es and completes, all while being subscribed to: [Merge] and
// [Events.Concat] are [Flatten] and [ConcatAll] of it. (It is not an
// Events[Events[T]]: methods of Events[T] that used one would instantiate
// Events without end.)
func combineStreams[T any](es ...Events[T]) func(Observer[Events[T]]) Subscription {
	return func(o Observer[Events[T]]) Subscription {
		for _, e := range es {
			o.OnEvent(e)
		}
		o.OnDone()
		return Nop()
	}
}

// Union returns the events of e and of every stream in others, in the
// order they are emitted (see [Merge]). It completes when all of them have
// completed.
func (e Events[T]) Union(others ...Events[T]) Events[T] {
	return Merge(append([]Events[T]{e}, others...)...)
}

// Merge returns the events and errors of every stream in es, in the order
// they are emitted. It completes when all of es have completed; Merge()
// completes at once, and Merge(e) is e. It is [Flatten] of a stream of es:
// it buffers nothing, and a subscription allocates its state and one
// record per stream.
func Merge[T any](es ...Events[T]) Events[T] {
	if len(es) == 1 {
		return es[0]
	}
	return nestedFlatten(combineStreams(slices.Clone(es)...)) // the caller may reuse es
}

// Concat returns the events of e and then those of next. Both are
// subscribed at once; next's events are buffered until e completes, then
// flushed in order. The buffer is unbounded: it holds every event next
// emits before e completes, so do not concatenate after a stream that may
// never complete. Errors of either stream are forwarded as they occur, not
// buffered. The result completes when both have completed. It is
// [ConcatAll] of a stream of e and next: a subscription allocates its state
// and one record per stream.
func (e Events[T]) Concat(next Events[T]) Events[T] {
	return nestedConcatAll(combineStreams(e, next))
}

// Zip pairs the events of a and b in order, the n-th event of a with the
// n-th event of b, and emits f of each pair (Reactors.IO's sync). The
// faster side is buffered until the other catches up; the buffer is
// unbounded, so zip only streams that advance at about the same rate.
// Errors of either side are forwarded as they occur. The result completes,
// dropping the other side's buffer and unsubscribing from it, as soon as a
// side has completed and has no buffered event left to pair.
func Zip[T, U, R any](a Events[T], b Events[U], f func(T, U) R) Events[R] {
	return Events[R]{src: sourceFunc[R](func(down Observer[R]) Subscription {
		st := &combineZip[T, U, R]{f: f}
		st.down = down
		st.a.set(a.Subscribe((*combineZipA[T, U, R])(st)))
		if !st.ended {
			st.b.set(b.Subscribe((*combineZipB[T, U, R])(st)))
		}
		return st
	})}
}

type combineZip[T, U, R any] struct {
	combineDown[R]
	f            func(T, U) R
	a, b         upstream
	qa           combineQueue[T] // at most one of qa and qb is non-empty
	qb           combineQueue[U]
	aDone, bDone bool
}

type combineZipA[T, U, R any] combineZip[T, U, R]
type combineZipB[T, U, R any] combineZip[T, U, R]

func (z *combineZipA[T, U, R]) OnEvent(v T) {
	st := (*combineZip[T, U, R])(z)
	switch {
	case st.ended:
	case st.qb.len() == 0:
		st.qa.push(v)
	default:
		st.down.OnEvent(st.f(v, st.qb.pop()))
		st.check()
	}
}

func (z *combineZipA[T, U, R]) OnDone() {
	z.aDone = true
	z.a.cancel()
	(*combineZip[T, U, R])(z).check()
}

func (z *combineZipB[T, U, R]) OnEvent(v U) {
	st := (*combineZip[T, U, R])(z)
	switch {
	case st.ended:
	case st.qa.len() == 0:
		st.qb.push(v)
	default:
		st.down.OnEvent(st.f(st.qa.pop(), v))
		st.check()
	}
}

func (z *combineZipB[T, U, R]) OnDone() {
	z.bDone = true
	z.b.cancel()
	(*combineZip[T, U, R])(z).check()
}

// check ends the stream once no more pair can be formed.
func (st *combineZip[T, U, R]) check() {
	if !st.ended && (st.aDone && st.qa.len() == 0 || st.bDone && st.qb.len() == 0) {
		st.Unsubscribe()
		st.down.OnDone()
	}
}

func (st *combineZip[T, U, R]) Unsubscribe() {
	st.ended = true
	st.qa.reset()
	st.qb.reset()
	st.a.cancel()
	st.b.cancel()
}

// ZipAll is [Zip] for any number of streams: each time every stream of es
// has an event that is not yet paired, it emits a fresh slice holding the
// oldest of each, in the order of es. It buffers the events of the faster
// streams without bound, forwards errors as they occur, and completes as
// soon as one stream has completed with no buffered event left. ZipAll()
// completes at once. Each tuple allocates its slice.
func ZipAll[T any](es ...Events[T]) Events[[]T] {
	if len(es) == 0 {
		return Events[[]T]{src: sourceFunc[[]T](combineEmpty[[]T])}
	}
	es = slices.Clone(es)
	return Events[[]T]{src: sourceFunc[[]T](func(down Observer[[]T]) Subscription {
		st := new(combineZipAll[T])
		st.down = down
		st.ins = make([]combineZipAllIn[T], len(es))
		for i := range st.ins {
			st.ins[i].st = st
		}
		for i, in := range es {
			if st.ended {
				break
			}
			st.ins[i].up.set(in.Subscribe(&st.ins[i]))
		}
		return st
	})}
}

type combineZipAll[T any] struct {
	combineDown[[]T]
	ins   []combineZipAllIn[T]
	ready int // inputs with a buffered event
}

type combineZipAllIn[T any] struct {
	st   *combineZipAll[T]
	up   upstream
	q    combineQueue[T]
	done bool
}

func (in *combineZipAllIn[T]) OnEvent(v T) {
	st := in.st
	if st.ended {
		return
	}
	if in.q.len() == 0 {
		st.ready++
	}
	in.q.push(v)
	if st.ready < len(st.ins) {
		return
	}
	tuple := make([]T, len(st.ins))
	exhausted := false
	for i := range st.ins {
		x := &st.ins[i]
		tuple[i] = x.q.pop()
		if x.q.len() == 0 {
			st.ready--
			exhausted = exhausted || x.done
		}
	}
	st.down.OnEvent(tuple)
	if exhausted {
		st.end()
	}
}

func (in *combineZipAllIn[T]) OnError(err error) { in.st.OnError(err) }

func (in *combineZipAllIn[T]) OnDone() {
	in.done = true
	in.up.cancel()
	if in.q.len() == 0 {
		in.st.end()
	}
}

func (st *combineZipAll[T]) end() {
	if !st.ended {
		st.Unsubscribe()
		st.down.OnDone()
	}
}

func (st *combineZipAll[T]) Unsubscribe() {
	st.ended = true
	for i := range st.ins {
		st.ins[i].q.reset()
		st.ins[i].up.cancel()
	}
}

// combineGated is the state of [After], [Until] and [Defer]: a stream e, which
// it observes itself, and the stream that controls it, which it observes
// through combineGateIn.
type combineGated[T any] struct {
	combineDown[T]
	ev, gate upstream
	until    bool            // Until: the gate ends the stream instead of opening it
	buffer   bool            // Defer: e's events wait in buf until the gate opens
	open     bool            // e's events pass: the gate has emitted, or Until
	buf      combineQueue[T] // Defer: e's events until the gate opens and while they are flushed
	flushing bool
	evDone   bool
}

type combineGateIn[T, X any] combineGated[T]

// combineGate subscribes to gate before e, so that a gate that emits while
// being subscribed to (a completed [IVar]) acts before e's first event, and e
// is not subscribed at all if that ends the stream.
func combineGate[T, X any](e Events[T], gate Events[X], until, buffer bool) Events[T] {
	return Events[T]{src: sourceFunc[T](func(down Observer[T]) Subscription {
		st := &combineGated[T]{until: until, buffer: buffer, open: until}
		st.down = down
		st.gate.set(gate.Subscribe((*combineGateIn[T, X])(st)))
		if !st.ended {
			st.ev.set(e.Subscribe(st))
		}
		return st
	})}
}

func (st *combineGated[T]) OnEvent(v T) {
	switch {
	case st.ended:
	case st.open && !st.flushing:
		st.down.OnEvent(v)
	case st.buffer:
		st.buf.push(v)
	}
}

func (st *combineGated[T]) OnDone() {
	st.evDone = true
	st.ev.cancel()
	if !st.flushing && (st.open || !st.buffer) {
		st.end()
	}
}

func (st *combineGated[T]) end() {
	if !st.ended {
		st.Unsubscribe()
		st.down.OnDone()
	}
}

func (st *combineGated[T]) Unsubscribe() {
	st.ended = true
	st.buf.reset()
	st.ev.cancel()
	st.gate.cancel()
}

func (g *combineGateIn[T, X]) OnEvent(X) {
	st := (*combineGated[T])(g)
	if st.until {
		st.end()
		return
	}
	if st.open || st.ended {
		return
	}
	st.open = true
	st.gate.cancel()
	// An event that e emits while the buffer is flushed (a handler
	// emitting on it) joins the buffer, behind the older ones.
	st.flushing = true
	for st.buf.len() > 0 && !st.ended {
		st.down.OnEvent(st.buf.pop())
	}
	st.flushing = false
	st.buf.reset()
	if st.evDone {
		st.end()
	}
}

func (g *combineGateIn[T, X]) OnError(err error) {
	if g.until || !g.open {
		(*combineGated[T])(g).OnError(err)
	}
}

func (g *combineGateIn[T, X]) OnDone() {
	switch {
	case g.until:
		g.gate.cancel()
	case !g.open:
		(*combineGated[T])(g).end()
	}
}

// After drops the events of e until start emits its first event, then
// forwards them; start is unsubscribed at that point. It is subscribed
// before e, so if start emits while being subscribed (a completed [IVar])
// no event of e is dropped. Errors of start are forwarded until it emits.
// If start completes without emitting, the result completes (and e is
// unsubscribed); it also completes when e does. It buffers nothing.
func After[T, X any](e Events[T], start Events[X]) Events[T] {
	return combineGate[T, X](e, start, false, false)
}

// Until forwards the events of e until stop emits its first event; then
// the result completes and both streams are unsubscribed. It is subscribed
// to stop before e, so a stop that emits while being subscribed (a
// completed [IVar]) completes the result without subscribing to e. Errors of
// both streams are forwarded. If stop completes without emitting, e is
// forwarded to its end. It buffers nothing.
func Until[T, X any](e Events[T], stop Events[X]) Events[T] {
	return combineGate[T, X](e, stop, true, false)
}

// Defer buffers the events of e until gate emits its first event, then
// emits the buffered events in order and forwards the rest; gate is
// unsubscribed at that point. The buffer is unbounded: it holds every event
// e emits before gate does. Errors of e are forwarded as they occur, and
// those of gate until it emits. If e completes first, the result completes
// after the flush. If gate completes without emitting, the buffered events
// are dropped and the result completes, as with [After] (Reactors.IO's defer
// would never complete). If gate emits while being subscribed to (a
// completed [IVar]), nothing is buffered.
func Defer[T, X any](e Events[T], gate Events[X]) Events[T] {
	return combineGate[T, X](e, gate, false, true)
}
