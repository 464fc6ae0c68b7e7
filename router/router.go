package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
)

// Router routes events to a set of target channels by a [Policy]. Create one
// with [New]; its [Router.Channel] is what senders use.
//
// All methods are safe for concurrent use. Routing happens on the
// sender's goroutine: a send loads the current target set (one atomic
// load), asks the policy, and sends to the chosen target's channel; it
// allocates nothing on its own. Membership changes copy the target set,
// so they cost O(targets) and are meant to be rare next to sends.
type Router[T any] struct {
	sys    *reactor.System
	policy Policy[T]
	name   string
	ch     reactor.Channel[T]

	// Shortcuts for built-in policies, set at [New] (at most one): Send picks
	// inline or with a direct call, exactly as the policy's Pick would,
	// instead of through the interface.
	rr  *roundRobin[T]
	hs  *hashPolicy[T]
	rnd *random[T]
	drr *deficitRoundRobin[T]
	bc  bool // policy is Broadcast's

	counting bool // count routed events per target (Stats): the system has introspection

	mu      sync.Mutex                   // serializes Add, Remove and Close
	set     atomic.Pointer[memberSet[T]] // the current targets, replaced whole
	done    chan struct{}                // closed by Close
	watched watches[reactor.Channel[T]]  // guarded by mu: targets whose termination removes them
}

// memberSet pairs the targets with the [Members] the policy sees.
type memberSet[T any] struct {
	m       Members
	targets []reactor.Channel[T]
	closed  bool // the router was closed: the set stays empty

	// routed counts the events sent to each target, for Stats; nil
	// unless the router counts (its system has introspection on).
	routed []*counter
}

// counter is one target's count of routed events, on a cache line of its
// own so that senders to different targets do not share one.
type counter struct {
	n atomic.Uint64
	_ [56]byte
}

// count adds one routed event to target i.
func (s *memberSet[T]) count(i int) {
	if s.routed != nil {
		s.routed[i].n.Add(1)
	}
}

// countAll adds one routed event to every target (a broadcast).
func (s *memberSet[T]) countAll() {
	for _, c := range s.routed {
		c.n.Add(1)
	}
}

// carryCounts gives next the counters old had for the same targets, and
// fresh ones to new targets.
func carryCounts[T any](old, next *memberSet[T]) {
	next.routed = make([]*counter, len(next.targets))
	for i, t := range next.targets {
		if j := indexOf(old.targets, t); j >= 0 && j < len(old.routed) {
			next.routed[i] = old.routed[j]
		} else {
			next.routed[i] = new(counter)
		}
	}
}

// newMemberSet returns a set over targets with the given keys, whose
// [Members] report the targets' queue lengths.
func newMemberSet[T any](targets []reactor.Channel[T], keys []uint64) *memberSet[T] {
	s := &memberSet[T]{targets: targets, m: Members{keys: keys}}
	s.m.load = func(i int) int { return s.targets[i].Len() }
	return s
}

// New returns a router with no targets that routes by p. sys receives the
// router's dead letters (ReasonNoRoute); name names the router in them
// and in Channel().Name(). A nil sys or p panics, here rather than at
// the first send.
func New[T any](sys *reactor.System, name string, p Policy[T]) *Router[T] {
	if sys == nil {
		panic("router: New with a nil system")
	}
	if p == nil {
		panic("router: New with a nil policy")
	}
	r := &Router[T]{sys: sys, policy: p, name: name, done: make(chan struct{}), counting: sys.Introspection()}
	switch p := p.(type) {
	case *roundRobin[T]:
		r.rr = p
	case *hashPolicy[T]:
		r.hs = p
	case *random[T]:
		r.rnd = p
	case *deficitRoundRobin[T]:
		r.drr = p
	case broadcast[T]:
		r.bc = true
	}
	r.set.Store(newMemberSet[T](nil, nil))
	r.ch = reactor.ChannelOf[T](r)
	return r
}

// Channel returns the router's channel: sending to it routes the event.
// It is the same value on every call.
func (r *Router[T]) Channel() reactor.Channel[T] { return r.ch }

// Name returns the router's name.
func (r *Router[T]) Name() string { return r.name }

// System returns the router's system; the router's channel reports it
// too ([reactor.Channel.System]), so that an ask through the router
// reaches the system's hooks and metrics.
func (r *Router[T]) System() *reactor.System { return r.sys }

// Close ends the router, as Channel.Stop ends a reactor: it drops every
// target and closes [Router.Done]. Every later send to
// the router's channel fails with an error matching
// [reactor.ErrTerminated] and dead-letters its event with
// [reactor.ReasonStopped] (an ask through it gets
// server.ErrServerTerminated); a send already under way may still reach
// a target. Later calls to [Router.Add] fail the same way; Close again does
// nothing. The targets themselves are not touched: stop them apart.
func (r *Router[T]) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set.Load().closed {
		return
	}
	closed := newMemberSet[T](nil, nil)
	closed.closed = true
	r.set.Store(closed)
	close(r.done)
}

// Done returns a channel that [Router.Close] closes; the router's channel returns
// it from its own Done. A router lives until closed: the termination of
// its targets does not end it (they leave its set, and sends find no
// route).
func (r *Router[T]) Done() <-chan struct{} { return r.done }

// Add appends targets to the router's set, in order. A target already
// present is not added twice. A send that starts after Add returns can be
// routed to the new targets. The zero [reactor.Channel] is refused.
//
// A target that is a reactor's channel leaves the set by itself when its
// reactor terminates, as if removed (Akka's routers drop their dead
// routees): a send that starts after the termination completed (after
// [Router.Done] is closed) is not routed to it. A send that races with the
// termination may still reach it; it then fails with
// [reactor.ErrTerminated] and its event is dead-lettered (an ask through
// the router gets server.ErrServerTerminated). Forwarding targets (other
// routers, remote channels) have no reactor to watch and stay until
// removed. Adding a terminated reactor's channel adds nothing. Each
// target is watched once ([reactor.Channel.AfterTerminate]), however
// often it is added again.
func (r *Router[T]) Add(targets ...reactor.Channel[T]) error {
	for _, t := range targets {
		if t == (reactor.Channel[T]{}) {
			return fmt.Errorf("router %s: add: %w", r.name, reactor.ErrNilChannel)
		}
	}
	r.mu.Lock()
	old := r.set.Load()
	if old.closed {
		r.mu.Unlock()
		return fmt.Errorf("router %s: add: %w", r.name, reactor.ErrTerminated)
	}
	next := newMemberSet(append([]reactor.Channel[T](nil), old.targets...), append([]uint64(nil), old.m.keys...))
	n := len(next.targets)
	for _, t := range targets {
		if indexOf(next.targets, t) >= 0 {
			continue
		}
		next.targets = append(next.targets, t)
		next.m.keys = append(next.m.keys, KeyOf(t.Name()))
	}
	if r.counting {
		carryCounts(old, next)
	}
	r.set.Store(next)
	r.mu.Unlock()
	for _, t := range next.targets[n:] {
		watch(&r.mu, &r.watched, t, t, func() { r.dropTerminated(t) })
	}
	return nil
}

// dropTerminated removes target t, whose reactor has terminated. It runs
// on the goroutine of that reactor's last turn and takes only r.mu.
func (r *Router[T]) dropTerminated(t reactor.Channel[T]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removeLocked([]reactor.Channel[T]{t})
	r.watched.forget(t)
}

// Remove takes targets out of the router's set; absent ones are ignored.
// A send that starts after Remove returns is not routed to them (a send
// already under way may still deliver to a removed target).
func (r *Router[T]) Remove(targets ...reactor.Channel[T]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removeLocked(targets)
}

func (r *Router[T]) removeLocked(targets []reactor.Channel[T]) {
	old := r.set.Load()
	if old.closed {
		return
	}
	next := newMemberSet[T](nil, nil)
	for i, t := range old.targets {
		if indexOf(targets, t) < 0 {
			next.targets = append(next.targets, t)
			next.m.keys = append(next.m.keys, old.m.keys[i])
		}
	}
	if r.counting {
		carryCounts(old, next)
	}
	r.set.Store(next)
}

// Targets returns the current targets, in order.
func (r *Router[T]) Targets() []reactor.Channel[T] {
	return append([]reactor.Channel[T](nil), r.set.Load().targets...)
}

func indexOf[T any](cs []reactor.Channel[T], c reactor.Channel[T]) int {
	for i, x := range cs {
		if x == c {
			return i
		}
	}
	return -1
}

// Send routes v: the policy picks the target(s) and v is sent to each.
// It returns [ErrNoRoute] (and dead-letters v) when the policy picks none,
// and the target's Send error otherwise; for a broadcast, the errors of
// every failed target, joined. Send follows [reactor.Channel.Send]'s
// contract for each target it sends to.
func (r *Router[T]) Send(v T) error {
	set := r.set.Load()
	if n := len(set.targets); n > 0 {
		// The shortcuts pick exactly as Pick would (a non-empty set).
		i := -1
		switch {
		case r.rr != nil:
			i = reduce(r.rr.next.Add(1)-1, n)
		case r.hs != nil:
			i = reduce(hashKey(r.hs.key(v)), n)
		case r.rnd != nil:
			i = r.rnd.Pick(v, &set.m)
		case r.drr != nil:
			i = r.drr.Pick(v, &set.m)
		case r.bc:
			set.countAll()
			return sendAll(set.targets, v)
		}
		if i >= 0 {
			set.count(i)
			return set.targets[i].Send(v)
		}
	}
	return r.route(set, v, nil)
}

// SendAndRun routes v as [Router.Send] does and sends it to the picked target
// with [reactor.Channel.SendAndRun], so that a plain goroutine asking
// through the router's channel (server.Ask) runs an idle target's
// handler itself; a broadcast sends with Send. It is what the router's
// Channel().SendAndRun calls.
func (r *Router[T]) SendAndRun(ctx context.Context, v T) error {
	return r.route(r.set.Load(), v, func(t reactor.Channel[T]) error { return t.SendAndRun(ctx, v) })
}

// SendAndYield routes v as [Router.Send] does and sends it to the picked
// target with [reactor.Channel.SendAndYield], so that a plain goroutine
// asking through the router's channel with a deadline (server.Ask)
// lets the target's woken worker run first; a broadcast sends with
// Send. It is what the router's Channel().SendAndYield calls.
func (r *Router[T]) SendAndYield(ctx context.Context, v T) error {
	return r.route(r.set.Load(), v, func(t reactor.Channel[T]) error { return t.SendAndYield(ctx, v) })
}

// Offer routes v as [Router.Send] does and sends it to the picked target with
// [reactor.Channel.Offer], so that a full Block mailbox makes it wait at
// most until ctx ends; a broadcast sends with Send. It is what the
// router's Channel().Offer calls.
func (r *Router[T]) Offer(ctx context.Context, v T) error {
	return r.route(r.set.Load(), v, func(t reactor.Channel[T]) error { return t.Offer(ctx, v) })
}

// route sends v where the policy picks in set, through send for a single
// target (nil: [Router.Send]), and dead-letters it when there is no route.
func (r *Router[T]) route(set *memberSet[T], v T, send func(reactor.Channel[T]) error) error {
	var routed bool
	var err error
	if send != nil && !r.bc {
		routed, err = deliverWith(r.name, r.policy, set, v, send)
	} else {
		routed, err = deliver(r.name, r.policy, set, v)
	}
	if routed {
		return err
	}
	if set.closed {
		r.sys.DeadLetter(r.name, reactor.ReasonStopped, v)
		return fmt.Errorf("router %s: %w", r.name, reactor.ErrTerminated)
	}
	r.sys.DeadLetter(r.name, reactor.ReasonNoRoute, v)
	return fmt.Errorf("router %s: %w", r.name, ErrNoRoute)
}

// deliver sends v to the member(s) p picks in set and reports whether p
// picked any; the errors are the targets' (for a broadcast, every failed
// target's, joined). Routers and path groups share it; name names the
// router in the panic of a policy that picks out of range.
func deliver[T any](name string, p Policy[T], set *memberSet[T], v T) (routed bool, err error) {
	return deliverWith(name, p, set, v, nil)
}

// deliverWith is deliver that sends to a single picked target through
// send (nil: Send); a broadcast uses Send.
func deliverWith[T any](name string, p Policy[T], set *memberSet[T], v T, send func(reactor.Channel[T]) error) (routed bool, err error) {
	switch i := p.Pick(v, &set.m); {
	case i >= 0 && i < len(set.targets):
		set.count(i)
		if send != nil {
			return true, send(set.targets[i])
		}
		return true, set.targets[i].Send(v)
	case i == All && len(set.targets) > 0:
		set.countAll()
		return true, sendAll(set.targets, v)
	case i == None || i == All:
		return false, nil
	default:
		panic(fmt.Sprintf("router %s: policy picked member %d of %d", name, i, len(set.targets)))
	}
}

// sendAll sends v to every target, in order, and returns the errors of
// those that failed, joined (nil if none did).
func sendAll[T any](targets []reactor.Channel[T], v T) error {
	var errs []error
	for _, t := range targets {
		if err := t.Send(v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
