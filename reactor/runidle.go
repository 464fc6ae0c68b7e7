package reactor

import "github.com/reactors-go/reactors/internal/owner"

// RunIfIdle runs fn on the calling goroutine as a step of the channel's
// reactor, if that reactor is idle at the moment of the call, and
// reports whether it did. It is the hook behind caller-runs fast paths
// of protocols (package dht applies an operation to an idle shard this
// way, without a request or a reply): fn reads and writes the reactor's
// own state as a handler would.
//
// Serial processing holds: the caller takes the reactor's scheduling
// right with the same atomic switch a sender takes, so fn runs while no
// turn of the reactor runs, and every earlier turn synchronizes before
// fn, which synchronizes before every later turn. Events sent meanwhile
// wait in the mailbox and are handled by a turn scheduled after fn. An
// idle reactor has no event waiting that was sent before RunIfIdle was
// called, so fn never overtakes an earlier send of the caller.
//
// fn is not part of a turn: no lifecycle event ([Scheduled], [Preempted])
// marks it and it does not count against a turn's budget. It must not
// block, and it must not seal or open connectors (a reactor that should
// end is only noticed by its next turn). The reactor's streams accept
// fn's calls, as in a handler. If fn panics, the reactor is released
// and the panic goes on in the caller: it does not fail the reactor.
//
// RunIfIdle returns false, without running fn, when the reactor is
// running or scheduled, has terminated or is stopping or restarting, has
// a dedicated scheduler, when the channel is closed, forwarding (see
// [ChannelOf]) or the zero [Channel], when it is called from inside a
// reactor (turns do not nest), or when all of the few goroutine slots
// lent for caller-run turns are taken (see [Channel.SendAndRun]). The caller then
// takes its ordinary path, a send. It costs two atomic operations on the
// reactor's state and allocates nothing.
func (ch Channel[T]) RunIfIdle(fn func()) bool {
	f := ch.idleFrame()
	if f == nil || owner.Current() != 0 {
		return false
	}
	s := owner.Guest()
	if s == nil {
		return false
	}
	defer s.Release()
	return f.runIdle(s, fn)
}

// A Guest is a goroutine slot lent to a plain goroutine for a run of
// caller-run steps, one after another, on reactors that may all differ
// ([Channel.RunIfIdleAs]): it pays once for what [Channel.RunIfIdle] pays per
// call, the check that the caller is no reactor and the claim of a slot.
// Package dht applies the parts of a batch that fall on idle shards this way.
//
// Only the goroutine that took it may use it, and only until it calls
// [Guest.Release], which it must do (a deferred call is right). While it holds
// a Guest, the goroutine must not call RunIfIdle or [Channel.SendAndRun], nor run
// anything that may (a plain [Channel.Send] does not). The zero Guest is none:
// RunIfIdleAs refuses it.
type Guest struct {
	s *owner.Slot
}

// TakeGuest lends the calling goroutine a [Guest]. It reports false, with the
// zero Guest, when it is called from inside a reactor or all of the few
// goroutine slots lent for caller-run turns are taken (see
// [Channel.SendAndRun]); the caller then takes its ordinary path, a send. It
// costs one atomic operation per slot tried and allocates nothing.
func TakeGuest() (Guest, bool) {
	if owner.Current() != 0 {
		return Guest{}, false
	}
	s := owner.Guest()
	return Guest{s: s}, s != nil
}

// Release gives g's slot back. It accepts the zero [Guest], and g must not
// be used afterwards.
func (g Guest) Release() {
	if g.s != nil {
		g.s.Release()
	}
}

// RunIfIdleAs is [Channel.RunIfIdle] run by the goroutine holding g: it runs fn
// as a step of the channel's reactor if that reactor is idle, with the
// same guarantees and limits as RunIfIdle, and reports whether it did.
// It refuses (returns false) the zero [Guest]. It costs two atomic
// operations on the reactor's state and allocates nothing.
func (ch Channel[T]) RunIfIdleAs(g Guest, fn func()) bool {
	f := ch.idleFrame()
	if f == nil || g.s == nil {
		return false
	}
	return f.runIdle(g.s, fn)
}

// idleFrame returns the frame of the channel's reactor if [Channel.RunIfIdle] may
// try it: a plain, open channel of a pooled reactor that is neither
// stopping nor restarting. Otherwise it returns nil.
func (ch Channel[T]) idleFrame() *frame {
	c := ch.c
	if c == nil || (c.cx != nil && c.cx.fwd != nil) || c.closed.Load()&closedMask != open {
		return nil
	}
	f := c.f
	if f.flags.Load() != 0 { // a reactor with its own loop, or a request pending
		return nil
	}
	return f
}

// runIdle runs fn as a step of f if f is idle, with the goroutine's
// guest slot s naming f meanwhile.
func (f *frame) runIdle(s *owner.Slot, fn func()) bool {
	if f.state.Load() != stIdle || !f.state.CompareAndSwap(stIdle, stScheduled) {
		return false
	}
	if f.flags.Load()&flagsRequests != 0 { // a stop or restart came meanwhile: a turn handles it
		f.schedule()
		return false
	}
	defer func() {
		s.Set(0)
		if f.release() { // sent to meanwhile
			f.schedule()
		}
	}()
	s.Set(f.id)
	fn()
	f.countHandled(1) // a step counts as an event handled (ReactorInfo.Handled)
	return true
}
