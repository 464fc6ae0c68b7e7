package server

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reactors-go/reactors/internal/relaxed"
	"github.com/reactors-go/reactors/reactor"
)

// Ask sends q to srv and waits for the reply. It must be called from a
// plain goroutine: from a reactor's constructor or handler it returns an
// error matching [reactor.ErrInsideReactor] at once (use [AskIn] there).
//
// It returns the reply's value, or its error (the server's [Request.Fail], or
// [ErrServerFailed] if the server's handler panicked); the send's error if
// srv refused the request (a full mailbox, a router's ErrNoRoute); an
// error matching [ErrServerTerminated] if the server is gone: it had
// terminated when asked, it terminated with the request queued or held,
// or the request was dead-lettered on its way because its target was
// gone (an [*UndeliveredError] says where and why, also for other reasons
// such as a route that failed after a hop); or ctx's error
// ([context.Cause]) if ctx ended first. When Ask returns because of ctx,
// the ask is over: a reply that comes later is refused with
// [reactor.ErrExpired] and dead-lettered with [reactor.ReasonExpired]. If
// the reply was accepted at the moment ctx ended, Ask returns the reply.
//
// A context that can end (ctx.Done is not nil) bounds Ask on every path:
// Ask returns by the time ctx ends plus a goroutine switch. The handler
// then runs on the server's worker, never on the caller; when the ask
// wakes that worker, the caller yields its processor to it once
// ([reactor.Channel.SendAndYield]), and finds the reply of a short
// handler there without parking. A context that never ends
// ([context.Background]) lets Ask run an idle server's handler for q on
// the calling goroutine ([reactor.Channel.SendAndRun]), which saves a
// worker wake-up and two goroutine switches; it runs only its own
// request, never other callers' work, and it then takes as long as the
// handler does. The same holds through a router's channel.
//
// Ask blocks on the reply, ctx and the server's termination; on a full
// Block mailbox it waits for room until ctx ends. It starts no goroutine.
// Reply slots are pooled: a sequential Ask allocates nothing of its own
// once the pool is warm (the request's own value may allocate). The
// server's handler synchronizes before Ask returns its reply.
//
// Ask reports to the Ask and AskExpired hooks of srv's system
// (reactor.Hooks, see package metrics): its duration if it is sampled,
// and its expiry if it returns because ctx ended before the reply. The
// system is [reactor.Channel.System]'s: a router's or a path's channel
// names its router's; asks through a channel that names none (a remote
// one) are not reported. With no such hook, this costs an atomic load.
func Ask[Q, R any](ctx context.Context, srv Server[Q, R], q Q) (R, error) {
	var zero R
	if ctx.Err() != nil {
		return zero, context.Cause(ctx) // nothing sent
	}
	if reactor.Inside() {
		return zero, fmt.Errorf("server: ask %s: %w", srv.Name(), reactor.ErrInsideReactor)
	}
	// The system's hooks hear of the ask (reactor.Hooks): while none is
	// registered, that costs the probe's atomic load and a branch.
	var probe *reactor.AskProbe
	var start time.Time
	if sys := srv.System(); sys != nil {
		if probe = sys.AskProbe(); probe != nil {
			start = probe.Start()
		}
	}
	s := getSlot[R]()
	id := s.arm(srv, s.nextAskID())
	req := Request[Q, R]{Value: q, reply: s.ch, id: id, slot: s}
	// Under a context that never ends, an idle server's handler runs
	// right here; under one that can end, its worker runs first. Either
	// way the reply is usually there when the send returns.
	var err error
	if canEnd(ctx) {
		err = srv.SendAndYield(ctx, req)
	} else {
		err = srv.SendAndRun(ctx, req)
	}
	if err != nil {
		if !s.disarm() {
			// The refusal was dead-lettered and answered the ask (or
			// the server's end was reported meanwhile): that answer says
			// more, with the send's error inside.
			r := s.take()
			s.put()
			err = refused(r.Err, err)
		} else {
			s.put()
		}
		if probe != nil {
			probe.End(start, false)
		}
		return zero, err
	}
	if probe != nil {
		return s.waitProbed(ctx, zero, probe, start)
	}
	return s.wait(ctx, zero)
}

// canEnd reports whether ctx can end. It asks for the deadline first: a
// context with one then needs no Done channel, which the context of
// [context.WithTimeout] makes at the first call, and a short ask finds
// its reply without ever calling Done.
func canEnd(ctx context.Context) bool {
	if _, ok := ctx.Deadline(); ok {
		return true
	}
	return ctx.Done() != nil
}

// refused is the error of an ask whose send failed with err after the
// refusal answered the ask with answer.
func refused(answer, err error) error {
	var u *UndeliveredError
	if errors.As(answer, &u) {
		c := *u
		c.Err = err
		return &c
	}
	if answer != nil {
		return fmt.Errorf("%w (%w)", answer, err)
	}
	return err
}

// wait returns the reply of the slot's current ask, or ends the ask when
// ctx ends first.
func (s *slot[R]) wait(ctx context.Context, zero R) (R, error) {
	if s.receive(ctx) {
		s.put()
		return zero, context.Cause(ctx)
	}
	v, err := s.result()
	s.put()
	return v, err
}

// waitProbed is wait for an ask that reports its end to probe: begun at
// start, and expired if ctx ended before a reply was accepted. The slot
// goes back to its list before the hooks run.
func (s *slot[R]) waitProbed(ctx context.Context, zero R, probe *reactor.AskProbe, start time.Time) (R, error) {
	if s.receive(ctx) {
		s.put()
		probe.End(start, true)
		return zero, context.Cause(ctx)
	}
	v, err := s.result()
	s.put()
	probe.End(start, false)
	return v, err
}

// receive waits for the reply of the slot's current ask, which result
// then takes, or reports expired when ctx ended first with no reply
// accepted (the ask is then over). A
// reply that is already there (the asker ran the server's turn itself)
// is taken with atomic operations alone; a context that can never end
// (Done is nil, as for [context.Background]) needs no select, which
// would cost several times more than the receive. Holder only.
func (s *slot[R]) receive(ctx context.Context) (expired bool) {
	if !s.await() {
		done := ctx.Done()
		if done == nil {
			<-s.wake
		} else {
			select {
			case <-s.wake:
			case <-done:
				if s.disarm() {
					s.clear()
					return true
				}
				// A reply was accepted before the ask ended: its
				// deliverer sends on wake, as the holder awaits it,
				// so the token is taken before the slot is reused.
				<-s.wake
			}
		}
	}
	return false
}

// result returns the value and error of the reply that is there and
// empties the slot for its next ask, as reset does. It reads the two
// fields in place: a copy of the whole Reply, written field by field and
// read back in wider words, stalls the processor on each such copy.
// Holder only.
func (s *slot[R]) result() (R, error) {
	v, err := s.val.Value, s.val.Err
	s.val = Reply[R]{}
	s.clear()
	return v, err
}

// Tell sends q to srv as a one-way request: nobody waits for its reply, which
// the server's [Request.Respond] drops. It returns srv's Send error. It never
// blocks (except on a full Block mailbox, see [reactor.Channel.Send]).
func Tell[Q, R any](srv Server[Q, R], q Q) error {
	return srv.Send(Request[Q, R]{Value: q})
}

// slot is a reusable reply destination for [Ask]. Its channel (a
// forwarding [reactor.Channel]) stays the same across uses; gen says which
// ask it currently serves, so that a late reply to an earlier ask, which
// carries the earlier id, is refused.
//
// A slot learns of a server's termination through a callback it
// registers on that server once ([reactor.Channel.AfterTerminate]), instead
// of every ask waiting on the server's Done channel, whose lock all the
// server's askers would share. Slots are therefore never dropped: they
// live in a free list per reply type (not a [sync.Pool], which the collector
// empties), so their callbacks on long-lived servers stay bounded by the
// number of asks ever in flight at once.
//
// An ask costs the slot one atomic store (arm) and the reply one
// compare-and-swap (Send); the mutex is taken only when the slot asks a
// server other than the one it asked last, and on the rare paths (a
// refused reply, a server's end).
//
// The accepted reply travels in val, and state says whether it is
// there. A holder that finds it there (the asker ran the server's turn
// itself) takes it with atomic operations alone. Otherwise the holder
// marks the slot awaited (await) and blocks on wake; the reply's
// deliverer swaps state to full and, seeing it awaited, sends the one
// token of the ask. Once await has reported false, the holder takes the
// reply only after that token, also when its context ended and disarm
// found a reply accepted, so that no token outlives its ask.
type slot[R any] struct {
	ch    reactor.Channel[Reply[R]]
	val   Reply[R]      // the ask's accepted reply: written by its deliverer before state says full
	state atomic.Uint32 // replyEmpty, replyFull or replyAwaited
	wake  chan struct{} // capacity 1: tells a holder that awaits the reply that it is there
	list  *slotList[R]
	gen   atomic.Uint64 // id of the ask being served; 0 when none
	seq   uint64        // the slot's holder only: asks served so far

	mu      sync.Mutex
	srv     namer   // the server asked, for dead letters and its end; written under mu by the holder only
	watched []namer // servers whose termination this slot hears of
}

// askIDs numbers flows ([Call], [CallIn]), process-wide, never 0. Asks take
// their ids from their slot instead (nextAskID), with the top bit set so
// that the two never meet on one slot: a reply only has to be told from
// the other replies its slot ever received.
var askIDs atomic.Uint64

// nextAskID returns an id no earlier ask or flow of the slot carried.
// Holder only.
func (s *slot[R]) nextAskID() uint64 {
	s.seq++
	return 1<<63 | s.seq
}

// namer is a server channel of any request type.
type namer interface {
	System() *reactor.System
	Name() string
	AfterTerminate(f func(error)) bool
}

// arm starts serving a new ask with id (not 0) to srv and returns id.
// Holder only. Reading srv without the lock is safe: only the holder
// writes it.
func (s *slot[R]) arm(srv namer, id uint64) uint64 {
	if s.srv == srv {
		// Already watched, or srv's end already reported. A plain store
		// suffices: the ask's send, a full fence, publishes it to the
		// deliverer before the request (internal/relaxed).
		relaxed.StoreUint64(&s.gen, id)
		return id
	}
	s.mu.Lock()
	s.srv = srv
	s.gen.Store(id)
	watch := !slices.Contains(s.watched, srv)
	if watch {
		s.watched = append(s.watched, srv)
	}
	s.mu.Unlock()
	if watch && !srv.AfterTerminate(func(error) { s.ended(srv) }) {
		s.unwatch(srv) // a forwarding channel: no reactor to hear of
	}
	return id
}

// ended answers the current ask with [ErrServerTerminated] if it is one to
// srv, which has terminated. It runs on the terminating reactor's
// goroutine (or in arm, if srv had already ended) and never blocks.
func (s *slot[R]) ended(srv namer) {
	s.unwatch(srv)
	s.mu.Lock()
	id := s.gen.Load()
	asked := s.srv == srv
	s.mu.Unlock()
	// An ask's id is stored after its server: if id is current, asked is
	// about its ask. The swap fails if the ask got its reply or ended.
	if id == 0 || !asked || !s.gen.CompareAndSwap(id, 0) {
		return
	}
	s.deliver(Reply[R]{Err: terminated(srv.Name())}) // no reply was accepted for this ask
}

func (s *slot[R]) unwatch(srv namer) {
	s.mu.Lock()
	s.watched = slices.DeleteFunc(s.watched, func(w namer) bool { return w == srv })
	s.mu.Unlock()
}

// disarm ends the current ask; it reports false if its reply (or the
// server's end) was already accepted: take gets it.
func (s *slot[R]) disarm() bool {
	return s.gen.Swap(0) != 0
}

// abandon ends an ask that never awaited its reply (await): it returns
// err, or the reply if one was accepted meanwhile.
func (s *slot[R]) abandon(zero R, err error) (R, error) {
	if !s.disarm() {
		r := s.take() // accepted before the ask ended: it is there or coming
		s.put()
		return r.Value, r.Err
	}
	s.clear()
	s.put()
	return zero, err
}

// Send accepts the reply of the current ask and refuses every other.
func (s *slot[R]) Send(r Reply[R]) error {
	if r.id == 0 || !s.gen.CompareAndSwap(r.id, 0) {
		return s.refuse(r)
	}
	s.deliver(r)
	return nil
}

// accept is Send for the reply (v, err) to the ask id, answered in
// place by [Request.Respond] and [Request.Fail] without passing a
// whole [Reply] through the reply channel: a copy of a Reply, written
// field by field and read back in wider words, stalls the processor.
func (s *slot[R]) accept(v R, err error, id uint64) error {
	if !s.gen.CompareAndSwap(id, 0) {
		return s.refuse(Reply[R]{Value: v, Err: err, id: id})
	}
	s.val.Value, s.val.Err = v, err
	s.signal()
	return nil
}

// refuse dead-letters r, a reply to an ask that is over, and returns
// [reactor.ErrExpired].
func (s *slot[R]) refuse(r Reply[R]) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		if sys := srv.System(); sys != nil {
			sys.DeadLetter("ask "+srv.Name(), reactor.ReasonExpired, r)
		}
	}
	return reactor.ErrExpired
}

// States of a slot's reply (slot.state).
const (
	replyEmpty   uint32 = iota // no reply accepted yet
	replyFull                  // the accepted reply is in val
	replyAwaited               // the holder waits on wake for the reply
)

// deliver hands r, the one reply accepted for the current ask, to the
// holder. It never blocks: wake has room for the one token of an ask.
func (s *slot[R]) deliver(r Reply[R]) {
	s.val = r
	s.signal()
}

// signal tells the holder that the accepted reply is in val.
func (s *slot[R]) signal() {
	if s.state.Swap(replyFull) == replyAwaited {
		s.wake <- struct{}{}
	}
}

// await reports whether the accepted reply is there; if not, it marks
// the holder as waiting, and the reply's deliverer then sends on wake.
// Holder only.
func (s *slot[R]) await() bool {
	for {
		switch s.state.Load() {
		case replyFull:
			return true
		case replyAwaited:
			return false
		}
		if s.state.CompareAndSwap(replyEmpty, replyAwaited) {
			return false
		}
	}
}

// take returns the accepted reply, waiting for its deliverer if needed.
// Holder only, once a reply was accepted (disarm reported false).
func (s *slot[R]) take() Reply[R] {
	if !s.await() {
		<-s.wake
	}
	return s.reset()
}

// reset returns the reply that is there and empties the slot for its
// next ask. Holder only.
func (s *slot[R]) reset() Reply[R] {
	r := s.val
	s.val = Reply[R]{}
	s.clear()
	return r
}

// clear empties the slot of an ask that ended with no reply accepted
// (disarm reported true): no deliverer can come any more, so an
// awaiting mark is the holder's to clear.
//
// A plain store suffices: no deliverer can come before the slot's next
// ask is armed and sent, and that send is a full fence
// (internal/relaxed).
func (s *slot[R]) clear() { relaxed.StoreUint32(&s.state, replyEmpty) }

// Name names the reply channel in dead letters.
func (s *slot[R]) Name() string { return "ask reply" }

// put returns the slot to its free list.
func (s *slot[R]) put() {
	l := s.list
	if l.last.Load() == nil && l.last.CompareAndSwap(nil, s) {
		return
	}
	l.mu.Lock()
	l.free = append(l.free, s)
	l.mu.Unlock()
}

// slotList is the free list of slots of one reply type. The slot
// returned last waits in last, where a goroutine that asks again and
// again takes it back and returns it with an atomic operation each; the
// others wait in free.
type slotList[R any] struct {
	last atomic.Pointer[slot[R]]
	mu   sync.Mutex
	free []*slot[R]
	ref  listRef // the list as lastList holds it
}

// listRef is the slot list of one reply type R, as lastList holds it.
type listRef struct {
	key  any // (*R)(nil): the interface's type word tells the reply type
	list any // *slotList[R]
}

// lists holds the *slotList of each reply type; lastList, the list used
// last, which a program asking for one reply type finds with an atomic
// load and a comparison instead of a map lookup.
var (
	lists    sync.Map // reflect.Type -> *slotList[R]
	lastList atomic.Pointer[listRef]
)

// listOf returns the slot list of reply type R.
func listOf[R any]() *slotList[R] {
	if r := lastList.Load(); r != nil && r.key == any((*R)(nil)) {
		return r.list.(*slotList[R])
	}
	t := reflect.TypeFor[R]()
	v, ok := lists.Load(t)
	if !ok {
		l := &slotList[R]{}
		l.ref = listRef{key: any((*R)(nil)), list: l}
		v, _ = lists.LoadOrStore(t, l)
	}
	l := v.(*slotList[R])
	lastList.Store(&l.ref)
	return l
}

func getSlot[R any]() *slot[R] {
	l := listOf[R]()
	if s := l.last.Load(); s != nil && l.last.CompareAndSwap(s, nil) {
		return s
	}
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		s := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return s
	}
	l.mu.Unlock()
	s := &slot[R]{wake: make(chan struct{}, 1), list: l}
	s.ch = reactor.ChannelOf[Reply[R]](s)
	return s
}
