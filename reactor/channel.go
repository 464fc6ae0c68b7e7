package reactor

import (
	"context"

	"github.com/reactors-go/reactors/internal/owner"
)

// Channel is the send side of a connector: a small value (one pointer)
// that can be copied, compared, used as a map key and sent to other
// reactors. Two channels are equal when they deliver to the same connector.
// The zero Channel refuses every send with [ErrNilChannel].
//
// All methods are safe for concurrent use.
type Channel[T any] struct {
	c *Connector[T]
}

// Send delivers v to the channel's reactor, asynchronously.
//
// Events of one sender arrive in the order sent (per-sender FIFO on one
// channel). Send does not block and does not allocate on the fast path,
// except with a bounded mailbox of the [Block] policy. A nil error means the
// event was accepted: it will be delivered, or, if the connector closes or
// the reactor terminates first, dead-lettered; it is never silently lost.
// Errors: [ErrSealed] or [ErrTerminated] if the channel was already closed
// (the event is dead-lettered), [ErrFull] from a full [Fail] mailbox,
// [ErrNilChannel] on the zero [Channel].
//
// Send synchronizes before the handler that receives v. v must not be
// mutated after Send.
func (ch Channel[T]) Send(v T) error {
	if ch.c == nil {
		return ErrNilChannel
	}
	return ch.c.send(v)
}

// SendAndRun is [Channel.Offer] for a plain goroutine that is about to wait for
// the reactor's answer (request/reply): if the reactor is idle, the
// caller runs a turn of one event, v, on the calling goroutine, before
// SendAndRun returns, instead of waking a pool worker for it. The turn
// is an ordinary turn (serial with every other turn of the reactor,
// lifecycle events included) that handles v alone, so the caller never
// runs other senders' work; only the goroutine differs, so an answer the
// handler sends to the caller is already there when SendAndRun returns.
// Events sent meanwhile go to a pool worker after the turn. It saves a
// worker wake-up and two goroutine switches per request.
//
// The caller cannot give up while it runs the handler, whatever its
// context says: a caller with a deadline to keep uses
// [Channel.SendAndYield] and waits for the answer alongside its context
// (server.Ask does).
//
// From inside a reactor, for a reactor with a dedicated scheduler, for a
// bounded mailbox, when the reactor is busy, or when all of the few
// goroutine slots lent for such turns are taken, SendAndRun is Offer
// (ctx matters only for a full [Block] mailbox). A forwarding channel
// passes it on to its [Sender]'s SendAndRun, if it has one (a router
// does). Errors are Offer's.
func (ch Channel[T]) SendAndRun(ctx context.Context, v T) error {
	return ch.sendFromGoroutine(ctx, v, modeRun)
}

// SendAndYield is [Channel.Offer] for a plain goroutine that is about to
// wait for the reactor's answer alongside a context that can end
// (request/reply with a deadline), where [Channel.SendAndRun] does not
// fit: a caller cannot give up while it runs a handler. If the send
// wakes the goroutine that runs the reactor's turn (a parked pool
// worker, or the reactor's dedicated goroutine), SendAndYield yields
// the caller's processor once ([runtime.Gosched]) before it returns.
// The woken goroutine was made runnable on that processor and runs
// next: a short turn is usually over, and its answer there, when
// SendAndYield returns, so the caller finds it without parking and
// without being woken. A long turn runs on while the caller, runnable
// all along, resumes on the next free processor; it never runs the
// turn itself. On two cores this saves about a quarter of a request's
// cost (server.Ask with a deadline: 870 ns to 640 ns); the caller pays
// with its place on the processor (it resumes behind the goroutines
// already queued for the process's processors).
//
// From inside a reactor, for a bounded mailbox, or when the send does
// not wake a goroutine (the reactor is busy, every worker is busy),
// SendAndYield is Offer. A forwarding channel passes it on to its
// [Sender]'s SendAndYield, if it has one (a router does), else to its
// Offer. Errors are Offer's.
func (ch Channel[T]) SendAndYield(ctx context.Context, v T) error {
	return ch.sendFromGoroutine(ctx, v, modeYield)
}

// sendFromGoroutine sends v in mode (modeRun or modeYield) from a plain
// goroutine; from a reactor's turn it is Offer.
func (ch Channel[T]) sendFromGoroutine(ctx context.Context, v T, mode int) error {
	if ch.c == nil {
		return ErrNilChannel
	}
	if owner.Current() != 0 {
		mode = modeOffer
	}
	return ch.c.sendMode(ctx, v, mode)
}

// Offer is [Channel.Send] that, on a full mailbox of the [Block] policy,
// waits at most until ctx is done; it then returns ctx.Err() and the event is
// not sent. For every other mailbox it is Send.
func (ch Channel[T]) Offer(ctx context.Context, v T) error {
	if ch.c == nil {
		return ErrNilChannel
	}
	return ch.c.sendCtx(ctx, v)
}

// Name returns "reactor#channel" for the channel.
func (ch Channel[T]) Name() string {
	if ch.c == nil {
		return ""
	}
	if cx := ch.c.cx; cx != nil && cx.fwd != nil {
		return cx.fwd.Name()
	}
	return ch.c.fullName()
}

// Len returns about how many events wait in the channel's mailbox: sent
// and not yet taken by the reactor. Events of the reactor's current turn
// may still count until the turn ends, and the figure is stale by the
// sends under way; use it as a load signal (router.SmallestQueue), not for
// synchronization. It costs a few atomic loads and allocates nothing. The
// zero [Channel] and forwarding channels ([ChannelOf]) report 0.
func (ch Channel[T]) Len() int {
	c := ch.c
	if c == nil || c.f == nil {
		return 0
	}
	if r := c.ring(); r != nil {
		return r.Len()
	}
	return c.q.Len()
}

// System returns the system of the reactor owning ch; for a forwarding
// channel ([ChannelOf]), the system its [Sender] names if it has a method
// System() *System (a router's does), else nil; nil for the zero
// [Channel]. Protocols use it to report dead letters of replies meant for
// ch's reactor, and [server.Ask] to find the system's hooks.
//
// [server.Ask]: https://pkg.go.dev/github.com/reactors-go/reactors/server#Ask
func (ch Channel[T]) System() *System {
	switch {
	case ch.c == nil:
		return nil
	case ch.c.f != nil:
		return ch.c.f.sys
	case ch.c.cx != nil && ch.c.cx.fwd != nil:
		if s, ok := ch.c.cx.fwd.(interface{ System() *System }); ok {
			return s.System()
		}
	}
	return nil
}

// Forwards reports whether ch is a forwarding channel ([ChannelOf]): its
// sends go to a [Sender], not to a reactor's connector, so it has no
// reactor to watch ([Watch], [Channel.AfterTerminate]). False for the zero
// [Channel].
func (ch Channel[T]) Forwards() bool {
	return ch.c != nil && ch.c.f == nil && ch.c.cx != nil && ch.c.cx.fwd != nil
}

// AfterTerminate arranges for f(err) to run once when the reactor owning ch
// terminates, err being what [Channel.Err] then returns: at once, on the
// calling goroutine, if it already has; otherwise on the goroutine of the
// reactor's last turn, where f must not block. It reports false, and never
// calls f, for the zero [Channel] and forwarding channels. f stays registered
// until the reactor terminates (there is no way to take it back), so register
// once per interested party (a reusable reply slot, a registry entry), not
// once per event. It is [context.AfterFunc] for reactors, and costs a lock,
// an append and a small allocation.
//
// f runs isolated like a handler: a panic in f goes no further (neither
// the reactor's goroutine nor the caller's unwinds) and is told to the
// system's failure handler as a final [Failure] of the reactor, with a
// [*PanicError]. A nil f panics at once.
func (ch Channel[T]) AfterTerminate(f func(err error)) bool {
	if f == nil {
		panic("reactor: AfterTerminate with a nil function")
	}
	if ch.c == nil || ch.c.f == nil {
		return false
	}
	ch.c.f.onTerminate(ch.c.f.guarded(f))
	return true
}

// Done returns a channel that is closed when the reactor owning ch
// terminates, after the functions registered with [Channel.AfterTerminate] before
// then have run (so a router or path no longer holds ch once Done is
// closed). The first call allocates it; later calls return the same
// channel. A forwarding channel ([ChannelOf]) returns its [Sender]'s Done if
// the Sender has one (a remote channel's is closed with its node, a
// router's by Router.Close); otherwise it returns nil, on which a
// receive blocks for ever: such a channel (a path of router.Paths, say)
// has no end of its own, so wait on the Done of the reactors behind it.
// The zero [Channel], behind which nothing runs, returns a closed channel.
func (ch Channel[T]) Done() <-chan struct{} {
	if ch.c == nil {
		return closedDone
	}
	if ch.c.f == nil {
		if d, ok := ch.c.cx.fwd.(interface{ Done() <-chan struct{} }); ok {
			return d.Done()
		}
		return nil
	}
	return ch.c.f.doneChan()
}

// closedDone is the [Channel.Done] of the zero [Channel]: closed from the start.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Err returns the error the owning reactor terminated with: nil while it
// runs or if it terminated normally or by shutdown.
func (ch Channel[T]) Err() error {
	if ch.c == nil || ch.c.f == nil {
		return nil
	}
	x := ch.c.f.x.Load()
	if x == nil {
		return nil // failures always allocate the side record
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// send enqueues v and makes sure a turn will see it.
//
// Fast path: a sender that wins the reactor's idle-to-scheduled switch and
// finds the mailbox empty hands v over in a plain field, skipping the
// queue. The switch comes first: while the sender holds the scheduling
// right no turn runs, so the check of the queue and the write of first
// cannot race with the consumer, and an earlier event of the same sender,
// already published in the queue, cannot be overtaken.
func (c *Connector[T]) send(v T) error { return c.sendMode(context.Background(), v, modeSend) }

// sendCtx is send; a [Block] mailbox waits for room at most until ctx is
// done.
func (c *Connector[T]) sendCtx(ctx context.Context, v T) error { return c.sendMode(ctx, v, modeOffer) }

// How a send is made: [Channel.Send], [Channel.Offer], or
// [Channel.SendAndRun] or [Channel.SendAndYield] from a plain goroutine.
const (
	modeSend = iota
	modeOffer
	modeRun   // SendAndRun from a plain goroutine
	modeYield // SendAndYield from a plain goroutine
)

// sendMode is send; in modeRun, a sender that wins the reactor's
// idle-to-scheduled switch runs the turn itself (see [Channel.SendAndRun]).
// A forwarding channel passes the mode on to a [Sender] that has the
// matching method (see Sender).
func (c *Connector[T]) sendMode(ctx context.Context, v T, mode int) error {
	if cx := c.cx; cx != nil && cx.fwd != nil {
		if mode != modeSend {
			return forward(cx.fwd, ctx, v, mode)
		}
		return cx.fwd.Send(v)
	}
	if c.closed.Load()&closedMask != open {
		return c.refuse(v)
	}
	f := c.f
	if r := c.ring(); r != nil {
		if o := f.sys.obs; o != nil {
			o.sampleSend(f.id)
		}
		return c.sendBounded(ctx, r, v)
	}
	// The flow map samples about one send in FlowSample (see
	// observer.flow) without a random draw per send: see samplePush and
	// sampleHanded.
	var sample bool
	if f.state.Load() == stIdle && f.state.CompareAndSwap(stIdle, stScheduled) {
		if !c.hasFirst && c.closed.Load()&closedMask == open && c.q.Drained() {
			c.first, c.hasFirst = v, true
			sample = f.sampleHanded()
		} else {
			sample = samplePush(c.q.Push(v) + f.obs.Load())
		}
		switch mode {
		case modeRun:
			f.runHere()
		case modeYield:
			f.scheduleYield()
		default:
			f.schedule()
		}
	} else {
		sample = samplePush(c.q.Push(v) + f.obs.Load())
		f.notify()
	}
	if sample {
		if o := f.sys.obs; o != nil {
			o.flow(f.id)
		}
	}
	if gone(c.closed.Load()) {
		c.discardLate()
	}
	return nil
}

// closedErr is the error for a send to a closed connector, and the reason
// its event is dead-lettered with: [ErrTerminated] once its reactor has
// terminated (even if the connector was sealed before) or while it
// stops, [ErrSealed] otherwise.
func (c *Connector[T]) closedErr(closed uint32) (Reason, error) {
	switch {
	case closed == closedStopping:
		return ReasonStopped, ErrTerminated
	case closed == closedTerminated || c.f.state.Load()&stDead != 0:
		return ReasonTerminated, ErrTerminated
	}
	return ReasonSealed, ErrSealed
}

// refuse answers a send to a closed connector: v is dead-lettered (unless
// the connector is quiet) with the reason matching the returned error.
func (c *Connector[T]) refuse(v T) error {
	r, err := c.closedErr(c.closed.Load() & closedMask)
	if !c.quiet() {
		c.f.sys.deadLetter(c.fullName(), r, v)
	}
	return err
}
