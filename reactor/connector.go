package reactor

import (
	"runtime"
	"sync/atomic"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/internal/emit"
	"github.com/reactors-go/reactors/internal/queue"
)

// Connector.closed holds the connector's state in its low bits (open,
// closedSealed, closedTerminated or closedStopping) and, in discardLock, a
// lock taken by whoever empties a closed connector's mailbox. A stopping
// connector (its reactor drains, [Channel.Drain]) refuses sends like a
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
// receives the channel's events on [Connector.Events] and may
// [Connector.Seal] it.
//
// Only the owning reactor may call Events, Seal and [Connector.Sealed], from
// its constructor or handlers; from anywhere else Events and Seal panic with
// an error matching [ErrNotOwner] (which fails the calling reactor).
// [Connector.Channel] and [Connector.Name] may be called from anywhere.
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

// Open opens another connector on reactor o, carrying U. Owner only: call
// it from o's constructor or handlers. With a named reactor, a named
// connector is registered as "reactor#name".
//
// Errors: [ErrInvalidName], [ErrDuplicateName] (another connector of o has the
// name), [ErrInvalidOption] (a [Bounded] out of range), [ErrTerminated] (o has
// terminated). On error nothing was opened.
func Open[U any](o Owner, opts ...ConnOption) (*Connector[U], error) {
	f := o.frame()
	f.checkOwner()
	if f.state.Load()&stDead != 0 {
		return nil, ErrTerminated
	}
	cfg := connOptions(connConfig{}, opts)
	if cfg.err != nil {
		return nil, cfg.err
	}
	x := f.ensureExtra()
	if cfg.name != "" {
		if err := validName(cfg.name); err != nil {
			return nil, err
		}
		if f.typed().connName() == cfg.name && !f.typed().sealed() {
			return nil, ErrDuplicateName
		}
		for _, p := range x.conns {
			if p.connName() == cfg.name && !p.sealed() {
				return nil, ErrDuplicateName
			}
		}
	}
	c := &Connector[U]{}
	c.init(f, cfg, false)
	if f.draining {
		c.stopping()
	}
	x.conns = append(x.conns, c)
	f.publishConns(x)
	if x.name != "" && cfg.name != "" {
		f.sys.names.publish(x.name+"#"+cfg.name, c)
	}
	return c, nil
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
// owner may subscribe (the check of an [events.Emitter], made once per
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

// Seal closes the connector: later sends fail with [ErrSealed] and events
// still queued are dead-lettered with [ReasonSealed] (so is an event that
// races with Seal, if it is not delivered). Its [Connector.Events] stream
// completes. It reports whether the connector was open. Owner only.
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
	if c.f.flags.Load()&flagsRequests != 0 && c.f.interrupted() {
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
	for n < budget && !c.shutOwner && (c.f.flags.Load()&flagsRequests == 0 || !c.f.interrupted()) {
		v, ok := c.pop()
		if !ok {
			break
		}
		if !popped {
			// Once per batch, and only if it changes: the frame's line
			// is read by every sender, and a busy reactor keeps queued
			// set from turn to turn (see turnOf).
			popped = true
			if !c.f.queued {
				c.f.queued = true
			}
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
	if !c.subs.Emit(v) { // owner: drain runs in the owner's turn
		c.f.sys.deadLetter(c.fullName(), ReasonUnhandled, v)
	}
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
// ([Channel.Drain]). A closed connector stays as it is. Owner only.
func (c *Connector[T]) stopping() {
	c.closed.CompareAndSwap(open, closedStopping)
}

// reset ends the stream of a failed incarnation for the connector that
// outlives it (the main one): its subscribers are told Done, as those of
// the incarnation's opened connectors are by shut, and the next
// constructor subscribes to a list reopened with its inline slot spent,
// so that a handle kept from the failed incarnation cannot remove the
// next one's first subscriber.
func (c *Connector[T]) reset() {
	defer c.subs.Reopen()
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
