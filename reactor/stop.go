package reactor

// Stop asks the reactor owning ch to terminate after the handler it is
// running, if any: the events still queued on its channels, and those
// sent later, are dead-lettered with [ReasonStopped], and later sends
// return [ErrTerminated]. It is the immediate stop, for any holder of any
// of the reactor's channels; [Channel.Drain] is the graceful one.
//
// Stop does not wait: [Channel.Done] is closed once the reactor has
// terminated ([Terminated] is its last lifecycle event; [Channel.Err] reports
// nil). A reactor waiting to restart terminates without restarting. Stopping
// a reactor that has terminated, or is stopping, does nothing. Stop from the
// reactor's own handler ends its turn after that handler. It costs two atomic
// operations, and a wake-up of the reactor if it is idle.
//
// It returns [ErrNilChannel] for the zero [Channel] and [ErrNoReactor] for a
// forwarding channel ([ChannelOf]), which has no reactor to stop.
func (ch Channel[T]) Stop() error { return ch.request(flagHalt) }

// Drain asks the reactor owning ch to terminate once it has handled the
// events queued on its channels. The request takes effect after the
// handler running when Drain is called (at once if none runs): from then
// on the reactor's channels refuse new sends ([ErrTerminated], the event
// dead-lettered with [ReasonStopped]), the reactor handles what is queued
// in the usual order, and it terminates when nothing is left, whether or
// not its connectors are sealed. Every event sent before Drain was
// called is handled, unless the reactor fails or is stopped first; a
// send that races with Drain is either handled or refused, never lost.
//
// Drain does not wait: [Channel.Done] is closed once the reactor has terminated.
// Like [Channel.Stop], it is a no-op on a terminated reactor and errs on the zero
// and forwarding channels. A Stop or [System.Shutdown] during a drain ends it at
// once.
func (ch Channel[T]) Drain() error { return ch.request(flagDrain) }

// request sets a stop flag on the channel's reactor and makes sure a turn
// sees it.
func (ch Channel[T]) request(flag uint32) error {
	c := ch.c
	if c == nil {
		return ErrNilChannel
	}
	f := c.f
	if f == nil {
		return ErrNoReactor
	}
	if f.flags.Load()&flag != 0 {
		return nil
	}
	f.flags.Or(flag)
	f.notify()
	return nil
}

// interrupted runs before an event of a turn when the frame's flags are
// set: it applies a drain request, once, and reports whether a stop
// request ends the turn. Owner only.
func (f *frame) interrupted() bool {
	fl := f.flags.Load()
	if fl&flagDrain != 0 && !f.draining {
		f.draining = true
		f.stopping()
	}
	return fl&flagsHalting != 0
}

// stopping closes every connector of a draining reactor to new sends.
// Owner only.
func (f *frame) stopping() {
	f.typed().stopping()
	if x := f.x.Load(); x != nil {
		for _, p := range x.conns {
			p.stopping()
		}
	}
}

// haltReason is the dead-letter reason of the events a halted reactor
// leaves queued: a system shutdown wins over a [Channel.Stop].
func haltReason(fl uint32) Reason {
	if fl&flagStop != 0 {
		return ReasonShutdown
	}
	return ReasonStopped
}
