package events

// This file holds the higher-order combinators: streams of streams
// (Flatten, Mux, First, ConcatAll) and GroupBy, which makes them.
//
// A nested stream may complete while it is being subscribed to, before its
// Subscribe has returned the handle (an IVar that is already set). In
// Reactors.IO that crashed the postfix union (bug #64). Here every nested
// subscription is held in an upstream, which unsubscribes a handle that
// arrives after its stream was cancelled or completed, and the record of a
// nested stream is linked in before its Subscribe is called.

// nestedLink is the record of one subscription to a nested stream, linked
// into the nestedList of the combinator that holds it.
type nestedLink struct {
	up         upstream
	prev, next *nestedLink
	linked     bool
}

// nestedList is a set of nested subscriptions: adding and removing is O(1)
// and allocates nothing.
type nestedList struct {
	head *nestedLink
	n    int
}

func (l *nestedList) add(x *nestedLink) {
	x.prev, x.next, x.linked = nil, l.head, true
	if l.head != nil {
		l.head.prev = x
	}
	l.head = x
	l.n++
}

func (l *nestedList) remove(x *nestedLink) {
	if !x.linked {
		return
	}
	if x.prev != nil {
		x.prev.next = x.next
	} else {
		l.head = x.next
	}
	if x.next != nil {
		x.next.prev = x.prev
	}
	x.prev, x.next, x.linked = nil, nil, false
	l.n--
}

// cancelAll unsubscribes every member and empties the list. The list is
// detached first, so an Unsubscribe that calls back into the combinator
// sees an empty list.
func (l *nestedList) cancelAll() {
	x := l.head
	l.head, l.n = nil, 0
	for x != nil {
		next := x.next
		x.prev, x.next, x.linked = nil, nil, false
		x.up.cancel()
		x = next
	}
}

// Flatten merges the events and errors of every stream that ee emits (the
// postfix union of Reactors.IO), each from the moment it is emitted; a
// stream emitted twice is subscribed twice. Errors of ee are forwarded too.
// The result completes when ee and every stream it emitted have completed.
// It buffers nothing; each nested stream costs one allocation.
func Flatten[T any](ee Events[Events[T]]) Events[T] { return nestedFlatten(ee.Subscribe) }

// nestedFlatten is [Flatten] of the stream that outer subscribes to.
func nestedFlatten[T any](outer func(Observer[Events[T]]) Subscription) Events[T] {
	return Events[T]{src: sourceFunc[T](func(down Observer[T]) Subscription {
		st := new(nestedFlat[T])
		st.down = down
		st.outer.set(outer((*nestedFlatOuter[T])(st)))
		return st
	})}
}

type nestedFlat[T any] struct {
	combineDown[T]
	outer     upstream
	live      nestedList // nested streams not completed
	outerDone bool
}

type nestedFlatOuter[T any] nestedFlat[T]

type nestedFlatInner[T any] struct {
	nestedLink
	st   *nestedFlat[T]
	done bool
}

func (o *nestedFlatOuter[T]) OnEvent(e Events[T]) {
	if o.ended {
		return
	}
	in := &nestedFlatInner[T]{st: (*nestedFlat[T])(o)}
	o.live.add(&in.nestedLink)
	in.up.set(e.Subscribe(in))
}

func (o *nestedFlatOuter[T]) OnDone() {
	o.outerDone = true
	o.outer.cancel()
	(*nestedFlat[T])(o).check()
}

func (in *nestedFlatInner[T]) OnEvent(v T)       { in.st.OnEvent(v) }
func (in *nestedFlatInner[T]) OnError(err error) { in.st.OnError(err) }

func (in *nestedFlatInner[T]) OnDone() {
	if in.done {
		return
	}
	in.done = true
	in.st.live.remove(&in.nestedLink)
	in.up.cancel() // releases a handle that Subscribe has not returned yet
	in.st.check()
}

func (st *nestedFlat[T]) check() {
	if st.outerDone && st.live.n == 0 {
		st.done()
	}
}

func (st *nestedFlat[T]) Unsubscribe() {
	st.ended = true
	st.outer.cancel()
	st.live.cancelAll()
}

// Mux forwards the events and errors of the stream that ee emitted last:
// when ee emits a stream, the previous one is unsubscribed. Errors of ee
// are forwarded too. The result completes when ee has completed and so has
// the current nested stream (or there is none). It buffers nothing; each
// nested stream costs one allocation.
func Mux[T any](ee Events[Events[T]]) Events[T] {
	return Events[T]{src: sourceFunc[T](func(down Observer[T]) Subscription {
		st := new(nestedMux[T])
		st.down = down
		st.outer.set(ee.Subscribe((*nestedMuxOuter[T])(st)))
		return st
	})}
}

type nestedMux[T any] struct {
	combineDown[T]
	outer     upstream
	cur       *nestedMuxInner[T] // nil when no nested stream is live
	outerDone bool
}

type nestedMuxOuter[T any] nestedMux[T]

type nestedMuxInner[T any] struct {
	st *nestedMux[T]
	up upstream
}

func (o *nestedMuxOuter[T]) OnEvent(e Events[T]) {
	if o.ended {
		return
	}
	if o.cur != nil {
		o.cur.up.cancel()
	}
	in := &nestedMuxInner[T]{st: (*nestedMux[T])(o)}
	o.cur = in
	in.up.set(e.Subscribe(in))
}

func (o *nestedMuxOuter[T]) OnDone() {
	o.outerDone = true
	o.outer.cancel()
	(*nestedMux[T])(o).check()
}

// The guards on st.cur matter while a replaced stream's handle is not
// known yet: cancel cannot stop it before Subscribe returns.
func (in *nestedMuxInner[T]) OnEvent(v T) {
	if in.st.cur == in {
		in.st.OnEvent(v)
	}
}

func (in *nestedMuxInner[T]) OnError(err error) {
	if in.st.cur == in {
		in.st.OnError(err)
	}
}

func (in *nestedMuxInner[T]) OnDone() {
	in.up.cancel()
	if in.st.cur == in {
		in.st.cur = nil
		in.st.check()
	}
}

func (st *nestedMux[T]) check() {
	if st.outerDone && st.cur == nil {
		st.done()
	}
}

func (st *nestedMux[T]) Unsubscribe() {
	st.ended = true
	st.outer.cancel()
	if st.cur != nil {
		st.cur.up.cancel()
		st.cur = nil
	}
}

// First forwards the events of the first stream emitted by ee that emits
// an event, whichever order the streams were emitted in. At that event ee
// and every other nested stream are unsubscribed, and the result completes
// when the chosen stream does. Until then, errors of ee and of every
// nested stream are forwarded, and the result completes if ee and all the
// nested streams complete without an event. It buffers nothing; each
// nested stream costs one allocation.
func First[T any](ee Events[Events[T]]) Events[T] {
	return Events[T]{src: sourceFunc[T](func(down Observer[T]) Subscription {
		st := new(nestedFirst[T])
		st.down = down
		st.outer.set(ee.Subscribe((*nestedFirstOuter[T])(st)))
		return st
	})}
}

type nestedFirst[T any] struct {
	combineDown[T]
	outer      upstream
	candidates nestedList // nested streams before the choice
	chosen     *nestedFirstInner[T]
	outerDone  bool
}

type nestedFirstOuter[T any] nestedFirst[T]

type nestedFirstInner[T any] struct {
	nestedLink
	st *nestedFirst[T]
}

func (o *nestedFirstOuter[T]) OnEvent(e Events[T]) {
	if o.ended || o.chosen != nil {
		return
	}
	in := &nestedFirstInner[T]{st: (*nestedFirst[T])(o)}
	o.candidates.add(&in.nestedLink)
	in.up.set(e.Subscribe(in))
}

func (o *nestedFirstOuter[T]) OnDone() {
	o.outerDone = true
	o.outer.cancel()
	(*nestedFirst[T])(o).check()
}

func (in *nestedFirstInner[T]) OnEvent(v T) {
	st := in.st
	if st.chosen == nil && !st.ended {
		st.chosen = in
		st.candidates.remove(&in.nestedLink)
		st.outer.cancel()
		st.candidates.cancelAll()
	}
	if st.chosen == in {
		st.OnEvent(v)
	}
}

func (in *nestedFirstInner[T]) OnError(err error) {
	if in.st.chosen == nil || in.st.chosen == in {
		in.st.OnError(err)
	}
}

func (in *nestedFirstInner[T]) OnDone() {
	st := in.st
	in.up.cancel()
	switch st.chosen {
	case in:
		st.done()
	case nil:
		st.candidates.remove(&in.nestedLink)
		st.check()
	}
}

func (st *nestedFirst[T]) check() {
	if st.outerDone && st.chosen == nil && st.candidates.n == 0 {
		st.done()
	}
}

func (st *nestedFirst[T]) Unsubscribe() {
	st.ended = true
	st.outer.cancel()
	st.candidates.cancelAll()
	if st.chosen != nil {
		st.chosen.up.cancel()
	}
}

// ConcatAll emits the events of the streams that ee emits one stream after
// another, in the order ee emitted them (the postfix concat of
// Reactors.IO). Every nested stream is subscribed as soon as it is
// emitted; the events of all but the oldest live one are buffered until
// the streams before it complete. The buffers are unbounded: a nested
// stream that never completes holds back, and makes the result buffer,
// everything emitted after it. Errors are forwarded as they occur. The
// result completes when ee and every nested stream have completed. Each
// nested stream costs one allocation, plus its buffer.
func ConcatAll[T any](ee Events[Events[T]]) Events[T] { return nestedConcatAll(ee.Subscribe) }

// nestedConcatAll is [ConcatAll] of the stream that outer subscribes to.
func nestedConcatAll[T any](outer func(Observer[Events[T]]) Subscription) Events[T] {
	return Events[T]{src: sourceFunc[T](func(down Observer[T]) Subscription {
		st := new(nestedSeq[T])
		st.down = down
		st.outer.set(outer((*nestedSeqOuter[T])(st)))
		return st
	})}
}

type nestedSeq[T any] struct {
	combineDown[T]
	outer     upstream
	queue     combineQueue[*nestedSeqInner[T]] // nested streams in order; the front one is current
	flushing  bool
	outerDone bool
}

type nestedSeqOuter[T any] nestedSeq[T]

type nestedSeqInner[T any] struct {
	st   *nestedSeq[T]
	up   upstream
	buf  combineQueue[T]
	done bool
}

func (o *nestedSeqOuter[T]) OnEvent(e Events[T]) {
	if o.ended {
		return
	}
	in := &nestedSeqInner[T]{st: (*nestedSeq[T])(o)}
	o.queue.push(in)
	in.up.set(e.Subscribe(in))
}

func (o *nestedSeqOuter[T]) OnDone() {
	o.outerDone = true
	o.outer.cancel()
	(*nestedSeq[T])(o).advance()
}

func (in *nestedSeqInner[T]) OnEvent(v T) {
	st := in.st
	switch {
	case st.ended || in.done:
	case st.queue.front() == in && !st.flushing:
		st.down.OnEvent(v)
	default:
		in.buf.push(v)
	}
}

func (in *nestedSeqInner[T]) OnError(err error) { in.st.OnError(err) }

func (in *nestedSeqInner[T]) OnDone() {
	if in.done {
		return
	}
	in.done = true
	in.up.cancel()
	in.st.advance()
}

// advance flushes the current stream's buffer and, while the current
// stream has completed, drops it and flushes the next one. An event that
// arrives meanwhile (a handler emitting) is buffered behind the older
// ones, so the order holds.
func (st *nestedSeq[T]) advance() {
	if st.flushing {
		return // the running advance will see the change
	}
	st.flushing = true
	for !st.ended && st.queue.len() > 0 {
		in := st.queue.front()
		for in.buf.len() > 0 && !st.ended {
			st.down.OnEvent(in.buf.pop())
		}
		if st.ended || !in.done {
			break // unsubscribed by a handler, or the current stream is live
		}
		in.buf.reset()
		st.queue.pop()
	}
	st.flushing = false
	if st.outerDone && st.queue.len() == 0 {
		st.done()
	}
}

func (st *nestedSeq[T]) Unsubscribe() {
	st.ended = true
	st.outer.cancel()
	for st.queue.len() > 0 {
		in := st.queue.pop()
		in.buf.reset()
		in.up.cancel()
	}
}

// Group is one group of a [GroupBy] stream: a key and the stream of the
// events that map to it.
type Group[K comparable, T any] struct {
	Key    K
	Events Events[T]
}

// GroupBy splits e by key: the first time it sees a key it emits a [Group]
// for it, then every event with that key goes to the group's stream, the
// first one right after the Group was emitted. Group streams are hot: an
// event of a group emitted while nobody observes the group's Events is
// lost, so subscribe to it in the handler that receives the Group. Errors
// of e are forwarded to the GroupBy stream only. Every group completes when
// e completes (before the GroupBy stream does) or when the GroupBy
// subscription is unsubscribed. Each subscription keeps a map of its keys
// and one [Emitter] per key, for as long as it lasts; a new key costs a few
// allocations, an event of a known key none.
func GroupBy[T any, K comparable](e Events[T], key func(T) K) Events[Group[K, T]] {
	return Events[Group[K, T]]{src: sourceFunc[Group[K, T]](func(down Observer[Group[K, T]]) Subscription {
		st := &nestedGroupBy[T, K]{key: key}
		st.down = down
		st.up.set(e.Subscribe(st))
		return st
	})}
}

type nestedGroupBy[T any, K comparable] struct {
	combineDown[Group[K, T]]
	key    func(T) K
	up     upstream
	groups map[K]*Emitter[T]
	order  []*Emitter[T] // the groups in the order created, to close them in order
}

func (st *nestedGroupBy[T, K]) OnEvent(v T) {
	if st.ended {
		return
	}
	k := st.key(v)
	em := st.groups[k]
	if em == nil {
		if st.groups == nil {
			st.groups = make(map[K]*Emitter[T])
		}
		em = new(Emitter[T])
		st.groups[k] = em
		st.order = append(st.order, em)
		st.down.OnEvent(Group[K, T]{Key: k, Events: em.Events()})
	}
	em.Emit(v) // does nothing if the handler unsubscribed: the group is closed
}

func (st *nestedGroupBy[T, K]) OnDone() {
	if !st.ended {
		st.Unsubscribe()
		st.down.OnDone()
	}
}

// Unsubscribe stops the grouping and completes every group.
func (st *nestedGroupBy[T, K]) Unsubscribe() {
	if st.ended {
		return
	}
	st.ended = true
	st.up.cancel()
	order := st.order
	st.groups, st.order = nil, nil
	for _, em := range order {
		em.Close()
	}
}
