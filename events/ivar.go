package events

// IVar is a single-assignment variable that is also a stream: it completes
// once, with a value (emitted, then done) or a failure (an error, then
// done). Subscribers that arrive after completion get the value or the
// error, then done, at once.
//
// It is the result type of asynchronous operations inside a reactor (an ask,
// a timeout). The zero value is an unassigned IVar; an IVar must not be
// copied after first use. Like every stream, an IVar belongs to one
// reactor.
type IVar[T any] struct {
	em    Emitter[T]
	v     T
	err   error
	state uint8 // 0 open, 1 assigned, 2 failed
}

// Events returns the [IVar]'s stream.
func (iv *IVar[T]) Events() Events[T] { return Events[T]{src: iv} }

// Subscribe adds o; on a completed [IVar] it replays the outcome to o at once.
func (iv *IVar[T]) Subscribe(o Observer[T]) Subscription {
	iv.em.check()
	switch iv.state {
	case 1:
		o.OnEvent(iv.v)
		o.OnDone()
		return Nop()
	case 2:
		o.OnError(iv.err)
		o.OnDone()
		return Nop()
	}
	return iv.em.Subscribe(o)
}

// TrySet assigns v if the [IVar] is not completed yet and reports whether it
// did.
func (iv *IVar[T]) TrySet(v T) bool {
	if iv.state != 0 {
		return false
	}
	iv.v, iv.state = v, 1
	iv.em.Emit(v)
	iv.em.Close()
	return true
}

// Set assigns v. It panics if the [IVar] is already completed: assigning twice
// is a programming error.
func (iv *IVar[T]) Set(v T) {
	if !iv.TrySet(v) {
		panic("events: IVar completed twice")
	}
}

// TryFail fails the [IVar] with err if it is not completed yet and reports
// whether it did.
func (iv *IVar[T]) TryFail(err error) bool {
	if iv.state != 0 {
		return false
	}
	iv.err, iv.state = err, 2
	iv.em.EmitError(err)
	iv.em.Close()
	return true
}

// Fail fails the [IVar] with err. It panics if the IVar is already completed.
func (iv *IVar[T]) Fail(err error) {
	if !iv.TryFail(err) {
		panic("events: IVar completed twice")
	}
}

// Completed reports whether the [IVar] was assigned or failed.
func (iv *IVar[T]) Completed() bool { return iv.state != 0 }

// Value returns the assigned value, the failure, or [ErrNotCompleted].
func (iv *IVar[T]) Value() (T, error) {
	iv.em.check()
	switch iv.state {
	case 1:
		return iv.v, nil
	case 2:
		var zero T
		return zero, iv.err
	}
	var zero T
	return zero, ErrNotCompleted
}
