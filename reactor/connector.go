package reactor

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/internal/emit"
	"github.com/reactors-go/reactors/internal/owner"
	"github.com/reactors-go/reactors/internal/queue"
)

// Connector.closed holds the connector's state in its low bits (open,
// closedSealed, closedTerminated or closedStopping) and, in discardLock, a
// lock taken by whoever empties a closed connector's mailbox. A stopping
// connector (its reactor drains, Channel.Drain) refuses sends like a
// closed one, but its owner still delivers what is queued: for the queue
// it is open, and a sender that finds it stopping after its push leaves
// its event to the owner (or to the discard at termination).
const (
	open uint32 = iota
	closedSealed
	closedTerminated
	closedStopping

	closedMask  uint32 = 3
	discardLock uint32 = 4
)

// gone reports whether a connector whose closed word is v no longer
// delivers: sealed or terminated, not open or stopping.
func gone(v uint32) bool {
	v &= closedMask
	return v == closedSealed || v == closedTerminated
}

// Connector is the owner side of a channel: the reactor that opened it
// receives the channel's events on Events and may Seal it.
//
// Only the owning reactor may call Events, Seal and Sealed, from its
// constructor or handlers; from anywhere else Events and Seal panic with an
// error matching ErrNotOwner (which fails the calling reactor). Channel and
// Name may be called from anywhere.
type Connector[T any] struct {
	f         *frame
	q         queue.MPSC[T] // unbounded mailbox
	first     T             // an event handed over without queueing (see send)
	cx        *connExtra[T] // what most connectors do not need
	closed    atomic.Uint32 // open, closedSealed or closedTerminated
	hasFirst  bool          // owner, or the sender holding the scheduling right
	shutOwner bool          // owner: closed, deliver nothing more
	daemon    bool
	isMain    bool
	subs      emit.List[T] // owner: the stream's subscribers
}

// connExtra holds the rarely used parts of a connector, so that a
// reactor's main connector stays small.
type connExtra[T any] struct {
	fwd     Sender[T] // a forwarding channel's target (ChannelOf); no frame, no mailbox
	name    string
	ring    *queue.Ring[T] // bounded mailbox, used instead of q
	blk     *blocking      // Block policy only
	policy  Overflow
	quiet   bool   // closed-channel sends are not dead letters (clock ticks)
	onClose func() // owner: runs once when the connector closes
}

func (c *Connector[T]) init(f *frame, cfg connConfig, isMain bool) {
	c.f, c.daemon, c.isMain = f, cfg.daemon, isMain
	if (cfg.name != "" && !(isMain && cfg.name == "main")) || cfg.bound > 0 {
		c.cx = &connExtra[T]{name: cfg.name}
	}
	if cfg.bound > 0 {
		c.cx.ring = queue.NewRing[T](cfg.bound)
		c.cx.policy = cfg.policy
		if cfg.policy == Block {
			c.cx.blk = &blocking{room: make(chan struct{}, 1)}
		}
	}
	if !c.daemon {
		f.nonDaemon++
	}
}

func (c *Connector[T]) extra() *connExtra[T] {
	if c.cx == nil {
		c.cx = &connExtra[T]{name: c.Name()}
	}
	return c.cx
}

func (c *Connector[T]) ring() *queue.Ring[T] {
	if c.cx == nil {
		return nil
	}
	return c.cx.ring
}

func (c *Connector[T]) quiet() bool { return c.cx != nil && c.cx.quiet }

// Channel returns the connector's channel, the value other reactors and
// goroutines send to.
func (c *Connector[T]) Channel() Channel[T] { return Channel[T]{c: c} }

// Events returns the stream of the events sent to the channel. It completes
// when the connector is sealed, when the reactor terminates, and when the
// incarnation that subscribed fails and the reactor restarts (the next
// constructor subscribes again). Owner only.
func (c *Connector[T]) Events() events.Events[T] {
	c.f.checkOwner()
	return events.From[T]((*connStream[T])(c))
}

// connStream is a connector as the source of its Events stream. Only the
// owner may subscribe (the check of an events.Emitter, made once per
// subscription); deliveries need no check, because the runtime makes them
// only in the owner's turns (drain), so a connector pays nothing per
// event for ownership.
type connStream[T any] Connector[T]

func (s *connStream[T]) Subscribe(o events.Observer[T]) events.Subscription {
	c := (*Connector[T])(s)
	c.f.checkOwner()
	if sub := c.subs.Subscribe(o); sub != nil {
		return sub
	}
	return events.Nop() // closed: o is done already
}

// Name returns the connector's name, "" if it has none.
func (c *Connector[T]) Name() string {
	if c.cx != nil {
		return c.cx.name
	}
	if c.isMain {
		return "main"
	}
	return ""
}

// Sealed reports whether the connector is closed. Owner only.
func (c *Connector[T]) Sealed() bool { return c.shutOwner }

// Seal closes the connector: later sends fail with ErrSealed and events
// still queued are dead-lettered with ReasonSealed (so is an event that
// races with Seal, if it is not delivered). Its Events stream completes. It
// reports whether the connector was open. Owner only.
//
// A reactor terminates once all its non-daemon connectors are sealed and
// its queues are drained.
func (c *Connector[T]) Seal() bool {
	c.f.checkOwner()
	if c.shutOwner {
		return false
	}
	c.shut(ReasonSealed)
	if x := c.f.x.Load(); x != nil {
		x.compact = true
	}
	return true
}

func (c *Connector[T]) fullName() string {
	n := c.Name()
	if n == "" {
		n = "unnamed"
	}
	return c.f.name() + "#" + n
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

// sendCtx is send; a Block mailbox waits for room at most until ctx is
// done.
func (c *Connector[T]) sendCtx(ctx context.Context, v T) error { return c.sendMode(ctx, v, modeOffer) }

// How a send is made: Send, Offer, or SendAndRun from a plain goroutine.
const (
	modeSend = iota
	modeOffer
	modeRun
)

// sendMode is send; in modeRun, a sender that wins the reactor's
// idle-to-scheduled switch runs the turn itself (see Channel.SendAndRun).
// A forwarding channel passes the mode on to a Sender that has the
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
	if r := c.ring(); r != nil {
		return c.sendBounded(ctx, r, v)
	}
	f := c.f
	if f.state.Load() == stIdle && f.state.CompareAndSwap(stIdle, stScheduled) {
		if !c.hasFirst && c.closed.Load()&closedMask == open && c.q.Drained() {
			c.first, c.hasFirst = v, true
		} else {
			c.q.Push(v)
		}
		if mode == modeRun {
			f.runHere()
		} else {
			f.schedule()
		}
	} else {
		c.q.Push(v)
		f.notify()
	}
	if gone(c.closed.Load()) {
		c.discardLate()
	}
	return nil
}

// closedErr is the error for a send to a closed connector, and the reason
// its event is dead-lettered with: ErrTerminated once its reactor has
// terminated (even if the connector was sealed before) or while it
// stops, ErrSealed otherwise.
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

// discardLate dead-letters events that reached the queue after the
// connector closed.
func (c *Connector[T]) discardLate() {
	r, _ := c.closedErr(c.closed.Load() & closedMask)
	c.discard(r)
}

// discard empties the mailbox of a closed connector and dead-letters what it
// held. After closing, every pop happens under the connector's discard
// lock, so late senders and the owner never consume concurrently; the
// dead letters are reported after unlocking, so that no handler runs under
// the lock. Waiting for the lock yields the processor: it is held only for
// the pops.
func (c *Connector[T]) discard(r Reason) {
	for {
		v := c.closed.Load()
		if v&discardLock == 0 && c.closed.CompareAndSwap(v, v|discardLock) {
			break
		}
		runtime.Gosched()
	}
	var lost []T
	if c.hasFirst {
		var zero T
		lost = append(lost, c.first)
		c.first, c.hasFirst = zero, false
	}
	for {
		v, ok := c.pop()
		if !ok {
			break
		}
		lost = append(lost, v)
	}
	c.closed.And(^discardLock)
	if len(lost) == 0 || c.quiet() {
		return
	}
	name := c.fullName()
	for _, v := range lost {
		c.f.sys.deadLetter(name, r, v)
	}
}

func (c *Connector[T]) pop() (T, bool) {
	if r := c.ring(); r != nil {
		v, ok := r.Pop()
		if ok && c.cx.blk != nil {
			c.cx.blk.signal()
		}
		return v, ok
	}
	return c.q.Pop()
}

// drain delivers up to budget events. Owner only.
func (c *Connector[T]) drain(budget int) int {
	n := 0
	if c.f.flags.Load() != 0 && c.f.interrupted() {
		return 0 // the reactor stops: what is queued is dead-lettered
	}
	if c.hasFirst {
		v := c.first
		var zero T
		c.first, c.hasFirst = zero, false
		c.deliver(v)
		n++
	}
	popped := false
	// A stop request (Shutdown, Stop) ends the turn after the handler
	// that is running, and a drain request closes the connectors to new
	// sends there: one load of the frame's flags per event.
	for n < budget && !c.shutOwner && (c.f.flags.Load() == 0 || !c.f.interrupted()) {
		v, ok := c.pop()
		if !ok {
			break
		}
		if !popped {
			// Once per batch: the frame's line is read by every sender.
			popped = true
			c.f.queued = true
		}
		c.deliver(v)
		n++
	}
	// For Channel.Len: once per batch, not per event. Not once the
	// connector is closed (a handler sealed it): from then on the queue is
	// popped only under the discard lock, by late senders too, and Len
	// no longer matters.
	if popped && !c.shutOwner {
		c.q.Publish()
	}
	return n
}

func (c *Connector[T]) deliver(v T) {
	if !c.subs.HasSubscribers() {
		c.f.sys.deadLetter(c.fullName(), ReasonUnhandled, v)
		return
	}
	c.subs.Emit(v) // owner: drain runs in the owner's turn
}

func (c *Connector[T]) pending() bool {
	if c.shutOwner {
		return false
	}
	if c.hasFirst {
		return true
	}
	if r := c.ring(); r != nil {
		return r.Len() > 0
	}
	return !c.q.Empty()
}

// claimed reports whether a sender has claimed a slot of the unbounded
// queue that the owner has not read (see frame.claimedAny).
func (c *Connector[T]) claimed() bool {
	return !c.shutOwner && c.ring() == nil && !c.q.Drained()
}

// shut closes the connector (owner): senders see it closed, queued events
// are dead-lettered with r, the stream completes.
func (c *Connector[T]) shut(r Reason) {
	if c.shutOwner {
		return
	}
	c.shutOwner = true
	code := closedSealed
	if r != ReasonSealed {
		code = closedTerminated
	}
	for { // replace the state bits, keeping discardLock
		v := c.closed.Load()
		if c.closed.CompareAndSwap(v, v&^closedMask|code) {
			break
		}
	}
	if !c.daemon {
		c.f.nonDaemon--
	}
	if x := c.f.x.Load(); x != nil && x.name != "" && c.Name() != "" {
		c.f.sys.names.releaseChannel(x.name+"#"+c.Name(), c)
	}
	c.discard(r)
	if cx := c.cx; cx != nil {
		if cx.blk != nil {
			cx.blk.signal()
		}
		if h := cx.onClose; h != nil {
			cx.onClose = nil
			h()
		}
	}
	c.subs.Close()
}

// stopping refuses later sends; queued events are still delivered
// (Channel.Drain). A closed connector stays as it is. Owner only.
func (c *Connector[T]) stopping() {
	c.closed.CompareAndSwap(open, closedStopping)
}

// reset ends the stream of a failed incarnation for the connector that
// outlives it (the main one): its subscribers are told Done, as those of
// the incarnation's opened connectors are by shut, and the next
// constructor subscribes to a fresh list.
func (c *Connector[T]) reset() {
	defer func() { c.subs = emit.List[T]{} }()
	c.subs.Close()
}

func (c *Connector[T]) trim() {
	if !c.shutOwner {
		c.q.Release()
	}
}
func (c *Connector[T]) sealed() bool     { return c.shutOwner }
func (c *Connector[T]) keepsAlive() bool { return !c.shutOwner && !c.daemon }
func (c *Connector[T]) connName() string { return c.Name() }

// Channel is the send side of a connector: a small value (one pointer)
// that can be copied, compared, used as a map key and sent to other
// reactors. Two channels are equal when they deliver to the same connector.
// The zero Channel refuses every send with ErrNilChannel.
//
// All methods are safe for concurrent use.
type Channel[T any] struct {
	c *Connector[T]
}

// Send delivers v to the channel's reactor, asynchronously.
//
// Events of one sender arrive in the order sent (per-sender FIFO on one
// channel). Send does not block and does not allocate on the fast path,
// except with a bounded mailbox of the Block policy. A nil error means the
// event was accepted: it will be delivered, or, if the connector closes or
// the reactor terminates first, dead-lettered; it is never silently lost.
// Errors: ErrSealed or ErrTerminated if the channel was already closed
// (the event is dead-lettered), ErrFull from a full Fail mailbox,
// ErrNilChannel on the zero Channel.
//
// Send synchronizes before the handler that receives v. v must not be
// mutated after Send.
func (ch Channel[T]) Send(v T) error {
	if ch.c == nil {
		return ErrNilChannel
	}
	return ch.c.send(v)
}

// SendAndRun is Offer for a plain goroutine that is about to wait for
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
// context says: a caller with a deadline to keep uses Offer and waits
// for the answer alongside its context (server.Ask does).
//
// From inside a reactor, for a reactor with a dedicated scheduler, for a
// bounded mailbox, when the reactor is busy, or when all of the few
// goroutine slots lent for such turns are taken, SendAndRun is Offer
// (ctx matters only for a full Block mailbox). A forwarding channel
// passes it on to its Sender's SendAndRun, if it has one (a router
// does). Errors are Offer's.
func (ch Channel[T]) SendAndRun(ctx context.Context, v T) error {
	if ch.c == nil {
		return ErrNilChannel
	}
	mode := modeOffer
	if owner.Current() == 0 {
		mode = modeRun
	}
	return ch.c.sendMode(ctx, v, mode)
}

// Offer is Send that, on a full mailbox of the Block policy, waits at most
// until ctx is done; it then returns ctx.Err() and the event is not sent.
// For every other mailbox it is Send.
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
// zero Channel and forwarding channels (ChannelOf) report 0.
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

// System returns the system of the reactor owning ch, or nil for the zero
// Channel and forwarding channels (ChannelOf). Protocols use it to report
// dead letters of replies meant for ch's reactor.
func (ch Channel[T]) System() *System {
	if ch.c == nil || ch.c.f == nil {
		return nil
	}
	return ch.c.f.sys
}

// AfterTerminate arranges for f(err) to run once when the reactor owning
// ch terminates, err being what Err then returns: at once, on the calling
// goroutine, if it already has; otherwise on the goroutine of the
// reactor's last turn, where f must not block. It reports false, and
// never calls f, for the zero Channel and forwarding channels. f stays
// registered until the reactor terminates (there is no way to take it
// back), so register once per interested party (a reusable reply slot,
// a registry entry), not once per event. It is context.AfterFunc for
// reactors, and costs a lock, an append and a small allocation.
//
// f runs isolated like a handler: a panic in f goes no further (neither
// the reactor's goroutine nor the caller's unwinds) and is told to the
// system's failure handler as a final Failure of the reactor, with a
// *PanicError. A nil f panics at once.
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
// terminates, after the functions registered with AfterTerminate before
// then have run (so a router or path no longer holds ch once Done is
// closed). The first call allocates it; later calls return the same
// channel. A forwarding channel (ChannelOf) returns its Sender's Done if
// the Sender has one (a remote channel's is closed with its node, a
// router's by Router.Close); otherwise it returns nil, on which a
// receive blocks for ever: such a channel (a path of router.Paths, say)
// has no end of its own, so wait on the Done of the reactors behind it.
// The zero Channel, behind which nothing runs, returns a closed channel.
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

// closedDone is the Done of the zero Channel: closed from the start.
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

// Sender is a destination a Channel can forward to instead of a reactor's
// own connector: a router, a remote channel. Send must be safe for
// concurrent use and follow Channel.Send's contract (per-sender FIFO where
// it delivers to one place, no silent loss); Name names the destination
// for dead letters and logs.
//
// A Sender may also have the methods
//
//	Offer(ctx context.Context, v T) error
//	SendAndRun(ctx context.Context, v T) error
//
// with the contracts of Channel's methods of those names; the forwarding
// channel's Offer and SendAndRun then call them (a router passes them on
// to the target it picks). Without them, both call Send.
type Sender[T any] interface {
	Send(v T) error
	Name() string
}

// forward makes an Offer or SendAndRun through a forwarding channel.
func forward[T any](s Sender[T], ctx context.Context, v T, mode int) error {
	if mode == modeRun {
		if r, ok := s.(interface {
			SendAndRun(context.Context, T) error
		}); ok {
			return r.SendAndRun(ctx, v)
		}
	}
	if o, ok := s.(interface {
		Offer(context.Context, T) error
	}); ok {
		return o.Offer(ctx, v)
	}
	return s.Send(v)
}

// ChannelOf returns a Channel whose sends go to s, so that protocols can
// hand out ordinary channels. Each call makes a new channel (a small
// allocation): channels from two calls are not equal, so call it once per
// destination and share the result. Its Done is s's Done if s has one
// (see Channel.Done), else nil; its Err is nil. A nil s panics.
func ChannelOf[T any](s Sender[T]) Channel[T] {
	if s == nil {
		panic("reactor: ChannelOf with a nil Sender")
	}
	return Channel[T]{c: &Connector[T]{cx: &connExtra[T]{fwd: s}}}
}
