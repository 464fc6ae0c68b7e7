package events

// Signal is a value that changes over time: it always has a current value
// ([Signal.Get]), and its stream ([Signal.Changes]) emits every new value. A
// signal built from a stream ([Events.ToSignal]) follows that stream until it
// completes or the signal is unsubscribed.
//
// A Signal belongs to one reactor, like every stream. The zero value is not
// usable; create one with [NewSignal] or ToSignal.
type Signal[T any] struct {
	v    T
	em   Emitter[T]
	up   upstream // the followed stream, if any
	done bool
}

// NewSignal returns a signal holding init, changed only by [Signal.Set].
func NewSignal[T any](init T) *Signal[T] { return &Signal[T]{v: init} }

// ToSignal returns a signal that starts at init and takes the value of every
// event of e. Errors of e are forwarded to the signal's subscribers. When e
// completes, the signal keeps its last value and its [Signal.Changes] stream
// completes. [Signal.Unsubscribe] detaches it from e.
func (e Events[T]) ToSignal(init T) *Signal[T] {
	s := &Signal[T]{v: init}
	s.up.set(e.Subscribe(&Funcs[T]{
		Event: s.Set,
		Error: s.em.EmitError,
		Done:  s.close,
	}))
	return s
}

// Get returns the current value.
func (s *Signal[T]) Get() T {
	s.em.check()
	return s.v
}

// Set makes v the current value and emits it. It does nothing after the
// signal completed.
func (s *Signal[T]) Set(v T) {
	if s.done {
		return
	}
	s.v = v
	s.em.Emit(v)
}

// Changes returns the stream of the signal's new values. A subscriber does
// not get the current value; read it with [Signal.Get].
func (s *Signal[T]) Changes() Events[T] { return s.em.Events() }

// Done reports whether the signal has stopped changing.
func (s *Signal[T]) Done() bool { return s.done }

// Unsubscribe detaches the signal from the stream it follows and completes
// its [Signal.Changes] stream. The current value stays readable.
func (s *Signal[T]) Unsubscribe() {
	s.up.cancel()
	s.close()
}

func (s *Signal[T]) close() {
	if s.done {
		return
	}
	s.done = true
	s.up.cancel()
	s.em.Close()
}

// ZipSignals returns a signal whose value is f(a.Get(), b.Get()), updated
// whenever a or b changes. It completes when both have completed.
// [Signal.Unsubscribe] detaches it from both.
func ZipSignals[A, B, R any](a *Signal[A], b *Signal[B], f func(A, B) R) *Signal[R] {
	s := &Signal[R]{v: f(a.v, b.v)}
	left := 2
	end := func() {
		if left--; left == 0 {
			s.close()
		}
	}
	sa := a.Changes().Subscribe(&Funcs[A]{
		Event: func(A) { s.Set(f(a.v, b.v)) },
		Error: s.em.EmitError,
		Done:  end,
	})
	sb := b.Changes().Subscribe(&Funcs[B]{
		Event: func(B) { s.Set(f(a.v, b.v)) },
		Error: s.em.EmitError,
		Done:  end,
	})
	s.up.set(Composite(sa, sb))
	return s
}

// Aggregate returns a signal holding op folded over the current values of
// signals, in order: op(...op(op(s0, s1), s2)..., sn-1). op must be
// associative; it need not be commutative. A change of one input costs O(log
// n) calls of op: the values sit in a balanced tree of partial results, and
// only the path from the changed leaf to the root is recomputed. It panics if
// signals is empty. [Signal.Unsubscribe] detaches it from every input.
func Aggregate[T any](signals []*Signal[T], op func(T, T) T) *Signal[T] {
	if len(signals) == 0 {
		panic("events: Aggregate of no signals")
	}
	n := len(signals)
	size := 1
	for size < n {
		size *= 2
	}
	// tree[size+i] is leaf i; tree[k] = op(tree[2k], tree[2k+1]) where both
	// children exist. has marks the nodes that cover at least one leaf.
	tree := make([]T, 2*size)
	has := make([]bool, 2*size)
	for i, in := range signals {
		tree[size+i], has[size+i] = in.v, true
	}
	combine := func(k int) {
		l, r := 2*k, 2*k+1
		switch {
		case has[l] && has[r]:
			tree[k], has[k] = op(tree[l], tree[r]), true
		case has[l]:
			tree[k], has[k] = tree[l], true
		}
	}
	for k := size - 1; k >= 1; k-- {
		combine(k)
	}
	s := &Signal[T]{v: tree[1]}
	subs := make([]Subscription, 0, n)
	left := n
	for i, in := range signals {
		subs = append(subs, in.Changes().Subscribe(&Funcs[T]{
			Event: func(v T) {
				k := size + i
				tree[k] = v
				for k /= 2; k >= 1; k /= 2 {
					combine(k)
				}
				s.Set(tree[1])
			},
			Error: s.em.EmitError,
			Done: func() {
				if left--; left == 0 {
					s.close()
				}
			},
		}))
	}
	s.up.set(Composite(subs...))
	return s
}
