package server

import (
	"context"
	"reflect"
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
		s.disarm()
		putSlot(s)
		return zero, err
	}
	select {
	case r := <-s.got:
		putSlot(s)
		return r.Value, r.Err
	case <-ctx.Done():
		return s.abandon(zero, context.Cause(ctx))
	case <-srv.Done():
		return s.abandon(zero, ErrServerTerminated)
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
type slot[R any] struct {
	ch  reactor.Channel[Reply[R]]
	got chan Reply[R] // capacity 1: at most one reply is accepted per ask

	mu  sync.Mutex
	gen uint64 // id of the ask being served; 0 when none
	srv namer  // the server asked, for dead letters
}

// namer is a server channel of any request type.
type namer interface {
	System() *reactor.System
	Name() string
}

var askIDs atomic.Uint64 // ask ids, process-wide, never 0

// arm starts serving a new ask to srv and returns its id.
func (s *slot[R]) arm(srv namer) uint64 {
	id := askIDs.Add(1)
	s.mu.Lock()
	s.gen, s.srv = id, srv
	s.mu.Unlock()
	return id
}

// disarm ends the current ask; it reports false if its reply was already
// accepted (it is then in got).
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
		putSlot(s)
		return r.Value, r.Err
	}
	putSlot(s)
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

// pools holds one *sync.Pool of slots per reply type.
var pools sync.Map // reflect.Type -> *sync.Pool

func poolFor[R any]() *sync.Pool {
	t := reflect.TypeFor[R]()
	if p, ok := pools.Load(t); ok {
		return p.(*sync.Pool)
	}
	p, _ := pools.LoadOrStore(t, &sync.Pool{New: func() any {
		s := &slot[R]{got: make(chan Reply[R], 1)}
		s.ch = reactor.ChannelOf[Reply[R]](s)
		return s
	}})
	return p.(*sync.Pool)
}

func getSlot[R any]() *slot[R] { return poolFor[R]().Get().(*slot[R]) }

func putSlot[R any](s *slot[R]) { poolFor[R]().Put(s) }
