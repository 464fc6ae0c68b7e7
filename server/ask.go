package server

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/reactors-go/reactors/reactor"
)

// Ask sends q to srv and waits for the reply. It must be called from a
// plain goroutine, never from a reactor's handler (use AskIn there).
//
// It returns the reply's value, or its error (the server's Fail, or
// ErrServerFailed if the server's handler panicked); the send's error if
// srv refused the request (sealed, terminated, full); ErrServerTerminated
// if the server's reactor terminated first; or ctx's error (context.Cause)
// if ctx ended first. When Ask returns because of ctx, the ask is over:
// a reply that comes later is refused with reactor.ErrExpired and
// dead-lettered with reactor.ReasonExpired. If the reply was accepted at
// the moment ctx ended, Ask returns the reply.
//
// Ask blocks on the reply, ctx and the server's termination; on a full
// Block mailbox it waits for room until ctx ends. It starts no goroutine.
// Reply slots are pooled: a sequential Ask allocates nothing of its own
// once the pool is warm (the request's own value may allocate). The
// server's handler synchronizes before Ask returns its reply.
func Ask[Q, R any](ctx context.Context, srv Server[Q, R], q Q) (R, error) {
	var zero R
	if ctx.Err() != nil {
		return zero, context.Cause(ctx) // nothing sent
	}
	s := getSlot[R]()
	id := s.arm(srv)
	// An idle server's turn runs right here: the reply is in got when
	// SendAndRun returns, with no goroutine switch.
	if err := srv.SendAndRun(ctx, Request[Q, R]{Value: q, reply: s.ch, id: id}); err != nil {
		if !s.disarm() {
			<-s.got // the server's end was reported meanwhile; the send error says more
		}
		s.put()
		return zero, err
	}
	select {
	case r := <-s.got:
		s.put()
		return r.Value, r.Err
	case <-ctx.Done():
		return s.abandon(zero, context.Cause(ctx))
	}
}

// Tell sends q to srv as a one-way request: nobody waits for its reply,
// which the server's Respond drops. It returns srv's Send error. It never
// blocks (except on a full Block mailbox, see reactor.Channel.Send).
func Tell[Q, R any](srv Server[Q, R], q Q) error {
	return srv.Send(Request[Q, R]{Value: q})
}

// slot is a reusable reply destination for Ask. Its channel (a
// forwarding reactor.Channel) stays the same across uses; gen says which
// ask it currently serves, so that a late reply to an earlier ask, which
// carries the earlier id, is refused.
//
// A slot learns of a server's termination through a callback it
// registers on that server once (reactor.Channel.AfterTerminate), instead
// of every ask waiting on the server's Done channel, whose lock all the
// server's askers would share. Slots are therefore never dropped: they
// live in a free list per reply type (not a sync.Pool, which the collector
// empties), so their callbacks on long-lived servers stay bounded by the
// number of asks ever in flight at once.
type slot[R any] struct {
	ch   reactor.Channel[Reply[R]]
	got  chan Reply[R] // capacity 1: at most one reply is accepted per ask
	list *slotList[R]

	mu      sync.Mutex
	gen     uint64  // id of the ask being served; 0 when none
	srv     namer   // the server asked, for dead letters and its end
	watched []namer // servers whose termination this slot hears of
}

var askIDs atomic.Uint64 // ask ids, process-wide, never 0

// namer is a server channel of any request type.
type namer interface {
	System() *reactor.System
	Name() string
	AfterTerminate(f func(error)) bool
}

// arm starts serving a new ask to srv and returns its id.
func (s *slot[R]) arm(srv namer) uint64 {
	id := askIDs.Add(1)
	s.mu.Lock()
	s.gen, s.srv = id, srv
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

// ended answers the current ask with ErrServerTerminated if it is one to
// srv, which has terminated. It runs on the terminating reactor's
// goroutine (or in arm, if srv had already ended) and never blocks.
func (s *slot[R]) ended(srv namer) {
	s.unwatch(srv)
	s.mu.Lock()
	if s.gen == 0 || s.srv != srv {
		s.mu.Unlock()
		return
	}
	s.gen = 0
	s.mu.Unlock()
	s.got <- Reply[R]{Err: terminated(srv.Name())} // room: no reply was accepted for this ask
}

func (s *slot[R]) unwatch(srv namer) {
	s.mu.Lock()
	s.watched = slices.DeleteFunc(s.watched, func(w namer) bool { return w == srv })
	s.mu.Unlock()
}

// disarm ends the current ask; it reports false if its reply (or the
// server's end) was already accepted: it is then in got.
func (s *slot[R]) disarm() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	armed := s.gen != 0
	s.gen = 0
	return armed
}

// abandon ends an ask that stopped waiting: it returns err, or the reply
// if one was accepted meanwhile.
func (s *slot[R]) abandon(zero R, err error) (R, error) {
	if !s.disarm() {
		r := <-s.got // accepted before the ask ended: it is there
		s.put()
		return r.Value, r.Err
	}
	s.put()
	return zero, err
}

// Send accepts the reply of the current ask and refuses every other.
func (s *slot[R]) Send(r Reply[R]) error {
	s.mu.Lock()
	if r.id == 0 || r.id != s.gen {
		srv := s.srv
		s.mu.Unlock()
		if srv != nil {
			if sys := srv.System(); sys != nil {
				sys.DeadLetter("ask "+srv.Name(), reactor.ReasonExpired, r)
			}
		}
		return reactor.ErrExpired
	}
	s.gen = 0
	s.mu.Unlock()
	s.got <- r // never blocks: one accepted reply per ask, taken before reuse
	return nil
}

// Name names the reply channel in dead letters.
func (s *slot[R]) Name() string { return "ask reply" }

// put returns the slot to its free list.
func (s *slot[R]) put() {
	l := s.list
	l.mu.Lock()
	l.free = append(l.free, s)
	l.mu.Unlock()
}

// slotList is the free list of slots of one reply type.
type slotList[R any] struct {
	mu   sync.Mutex
	free []*slot[R]
}

// lists holds the *slotList of each reply type.
var lists sync.Map // reflect.Type -> *slotList[R]

func getSlot[R any]() *slot[R] {
	t := reflect.TypeFor[R]()
	v, ok := lists.Load(t)
	if !ok {
		v, _ = lists.LoadOrStore(t, &slotList[R]{})
	}
	l := v.(*slotList[R])
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		s := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return s
	}
	l.mu.Unlock()
	s := &slot[R]{got: make(chan Reply[R], 1), list: l}
	s.ch = reactor.ChannelOf[Reply[R]](s)
	return s
}
