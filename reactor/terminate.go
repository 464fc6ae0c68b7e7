package reactor

// terminate ends the reactor: [Terminated], connectors closed and their
// queues dead-lettered with reason, name released, watchers told. A reactor
// that never needed its side record terminates without allocating one.
func (f *frame) terminate(err error, reason Reason) {
	x := f.x.Load()
	if x != nil {
		if x.timer != nil {
			x.timer.Stop()
		}
		x.mu.Lock()
		x.err = err
		x.mu.Unlock()
		f.emitLifeSafe(Lifecycle{Phase: Terminated})
		f.safely(true, x.life.Close)
	}
	f.state.Store(stDead)
	f.safely(true, func() { f.typed().shut(reason) })
	if x != nil {
		for _, p := range x.conns {
			f.safely(true, func() { p.shut(reason) })
		}
		x.conns = nil
		f.publishConns(x)
		// Release the name and leave the live list first, so that whoever
		// sees Done closed (or is told by a watch) can reuse the name.
		if x.name != "" {
			f.sys.names.releaseReactor(x.name, f)
		}
	}
	f.sys.unregister(f)
	// A watcher may create the side record at any time. It checks
	// flagEnded after creating it, and we load the record after setting
	// the flag, so at least one side finishes the record (endLocked).
	f.flags.Or(flagEnded)
	if x = f.x.Load(); x == nil {
		return
	}
	x.mu.Lock()
	w, first := x.endLocked()
	err = x.err
	x.mu.Unlock()
	x.told(w, first, err)
}

// endLocked records the end of the reactor in x, once: it returns the
// watchers to call (after unlocking) and reports whether this call
// recorded the end, so that its caller must then finish the record
// (told). x.mu must be held.
func (x *extra) endLocked() (w []func(error), first bool) {
	if x.ended {
		return nil, false
	}
	x.ended = true
	w = x.watchers
	x.watchers = nil
	return w, true
}

// told calls the watchers w with err and then, if first, closes done:
// whoever sees [Channel.Done] closed knows that every watcher registered before
// the end has run (a router no longer holds the reactor's channel).
func (x *extra) told(w []func(error), first bool, err error) {
	for _, fn := range w {
		fn(err)
	}
	if !first {
		return
	}
	x.mu.Lock()
	x.finished = true
	if x.done != nil {
		close(x.done)
	}
	x.mu.Unlock()
}

// lockEnded locks x.mu and, if the reactor has terminated, records the
// end; it returns the watchers the caller must call after unlocking, and
// whether it recorded the end (see told).
func (f *frame) lockEnded(x *extra) ([]func(error), bool) {
	x.mu.Lock()
	if f.flags.Load()&flagEnded != 0 {
		return x.endLocked()
	}
	return nil, false
}

// onTerminate calls fn(err) when the reactor terminates, at once (on the
// caller's goroutine) if it already has. Otherwise fn runs on the
// terminating reactor's goroutine and must not block.
func (f *frame) onTerminate(fn func(error)) {
	x := f.ensureExtra()
	fire, first := f.lockEnded(x)
	if x.ended {
		fire = append(fire, fn)
	} else {
		x.watchers = append(x.watchers, fn)
	}
	err := x.err
	x.mu.Unlock()
	x.told(fire, first, err)
}

// doneChan returns a channel closed when the reactor terminates.
func (f *frame) doneChan() <-chan struct{} {
	x := f.ensureExtra()
	fire, first := f.lockEnded(x)
	if x.done == nil {
		x.done = make(chan struct{})
		if x.finished {
			close(x.done)
		}
	}
	done, err := x.done, x.err
	x.mu.Unlock()
	x.told(fire, first, err)
	return done
}
