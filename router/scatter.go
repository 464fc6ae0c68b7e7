package router

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
)

// Request/reply fan-out: scatter-gather here, tail-chopping in tailchop.go.
//
// A request carries its reply channel. The caller passes a builder,
// request(reply) Req, called once per target contacted, so any request
// type works. Every reply counts, whichever target sends it: the replies
// are values of the caller's type, so a reply that reports a failure
// counts like any other (as in Akka's ScatterGatherFirstCompleted), and a
// target that answers twice is counted twice.
//
// Each function comes in two forms. The goroutine form (ScatterGather,
// TailChop) blocks its caller until it has its answer or ctx ends; it
// starts no goroutine. The in-reactor form (ScatterGatherIn, TailChopIn)
// never blocks: it returns an IVar that a later turn of the reactor
// completes, and its deadline is mandatory, because nothing else could end
// a gather whose targets stay silent.
//
// Late replies: a reply that comes after the gather ended (after the
// deadline, a cancellation, or once it had the replies it wanted) is
// never handed to anyone. The reply channel refuses it with
// reactor.ErrExpired and reports it to the system as a dead letter with
// reactor.ReasonExpired. Replies accepted before the end count, even when
// the end comes while they are on their way.

// Dead-letter channel names of late replies to the goroutine forms. The
// in-reactor forms use their reply connector's name ("reactor#unnamed").
const (
	scatterName = "scatter-gather"
	tailName    = "tail-chop"
)

// GatherError is the failure of a scatter-gather that ended before the
// replies it wanted had arrived. Replies holds those that did, in arrival
// order; Wanted is how many it waited for. Err says why it ended: it
// matches [context.Cause] of the caller's ctx ([context.DeadlineExceeded]
// after a deadline, also for [ScatterGatherIn]'s own deadline) and joins
// the errors of the sends that failed, each prefixed with its target's
// name. Both forms fail with a *GatherError; match it with [errors.As] and
// the reply type:
//
//	var ge *router.GatherError[Resp]
//	if errors.As(err, &ge) { use(ge.Replies) }
type GatherError[Resp any] struct {
	Replies []Resp
	Wanted  int
	Err     error
}

// Error reports how many replies arrived and why the gather ended.
func (e *GatherError[Resp]) Error() string {
	return fmt.Sprintf("router: scatter-gather: %d of %d replies: %v", len(e.Replies), e.Wanted, e.Err)
}

// Unwrap returns Err, so [errors.Is] sees the cause and the send errors.
func (e *GatherError[Resp]) Unwrap() error { return e.Err }

// ScatterGather sends a request to every target and waits for n replies,
// which it returns in arrival order. n = 1 returns the first reply (Akka's
// ScatterGatherFirstCompleted); n <= 0 or n > len(targets) waits for one
// reply per target. It must be called from a plain goroutine: inside a
// reactor it returns [reactor.ErrInsideReactor] at once.
//
// Requests that are [reactor.Undeliverable] (server.Request values) answer
// through the reply channel when they are dead-lettered, and such an
// answer counts as a reply.
//
// The requests are built by request, once per target, and sent in the order
// of targets on the caller's goroutine (with [reactor.Channel.Offer], so a
// full Block mailbox waits at most until ctx ends). They all carry the same
// reply channel. ScatterGather returns as soon as one of these holds:
//
//   - n replies arrived: it returns them and a nil error, whatever other
//     sends failed;
//   - every target whose send succeeded replied, but they are fewer than
//     n: it returns their replies and a [*GatherError] joining the send
//     errors (with no send succeeding at all, at once);
//   - ctx ended: it returns the replies that arrived and a *GatherError
//     wrapping context.Cause(ctx). A ctx already done when it is called
//     sends nothing.
//
// It waits on nothing else: a target that accepts the request but never
// replies (it terminates, say) is waited for until ctx ends, so give ctx
// a deadline. With no targets it returns [ErrNoRoute] at once, and with a
// nil request an error matching [ErrNilFunc].
//
// Replies that come after ScatterGather returned, and those beyond the n
// wanted, are refused with [reactor.ErrExpired] and dead-lettered to sys
// with [reactor.ReasonExpired] under the name "scatter-gather"; sys must
// not be nil. A reply accepted before that is never lost: it is returned,
// even if ctx ended meanwhile. Nothing is left behind when it returns: no
// goroutine, no timer, and the reply channel keeps alive only the small
// object it forwards to.
//
// A target's send of a reply synchronizes before ScatterGather returns
// that reply. A request belongs to its target once sent: request must
// build a value that nobody mutates afterwards.
//
// Cost: no goroutine; five allocations (the reply channel, a buffer for n
// replies, the result slice) plus whatever request builds, and about two
// per failed send. Waiting allocates nothing.
func ScatterGather[Req, Resp any](ctx context.Context, sys *reactor.System, targets []reactor.Channel[Req], request func(reply reactor.Channel[Resp]) Req, n int) ([]Resp, error) {
	if request == nil {
		return nil, nilRequest("ScatterGather")
	}
	if reactor.Inside() {
		return nil, fmt.Errorf("router: scatter-gather: %w", reactor.ErrInsideReactor)
	}
	if len(targets) == 0 {
		return nil, ErrNoRoute
	}
	if sys == nil {
		panic("router: ScatterGather with a nil system")
	}
	want := wanted(n, len(targets))
	if ctx.Err() != nil {
		return nil, &GatherError[Resp]{Wanted: want, Err: context.Cause(ctx)}
	}
	in := protocol.NewInbox[Resp](sys, scatterName, want)
	reply := reactor.ChannelOf[Resp](in)
	var errs []error
	var cause error // why the gather stopped early: ctx ended
	sent := 0
	for _, t := range targets {
		if ctx.Err() != nil {
			cause = context.Cause(ctx)
			break
		}
		if err := t.Offer(ctx, request(reply)); err != nil {
			errs = append(errs, sendError(t, err))
			continue
		}
		sent++
	}
	got := make([]Resp, 0, want)
	for cause == nil && len(got) < min(want, sent) {
		select {
		case v := <-in.C():
			got = append(got, v)
		case <-ctx.Done():
			cause = context.Cause(ctx)
		}
	}
	got = in.Close(got)
	if len(got) == want {
		return got, nil
	}
	return got, &GatherError[Resp]{Replies: got, Wanted: want, Err: joinCause(cause, errs)}
}

// ScatterGatherIn is [ScatterGather] for a reactor's own code: it sends the
// requests now and returns at once an IVar, owned by o, that a later turn
// completes. Owner only: call it from o's constructor or a handler, and
// subscribe to the IVar there too.
//
// The requests are built by request and sent with Send during the call,
// in the order of targets; inside a reactor nothing waits, so a full
// mailbox counts as a failed send ([reactor.ErrFull]). The IVar is set to
// the n replies, in arrival order, when they are in (n as for
// ScatterGather). It fails with a [*GatherError] holding the
// replies that arrived when fewer than n can still come (the sends that
// failed are joined in its Err) or when within has passed since the call
// (Err matches [context.DeadlineExceeded]); with [ErrNoRoute] at once for no
// targets, and with [ErrNilFunc] for a nil request, sending nothing; and
// with [reactor.ErrTerminated] if o terminates first. within must be
// positive: it panics otherwise, since a gather nobody answers would
// never end.
//
// The replies travel on a daemon connector of o (so gathering does not
// keep o alive) through a forwarding reply channel. When the gather ends,
// its timer stops, and the reply channel refuses later replies with
// [reactor.ErrExpired] and dead-letters them with [reactor.ReasonExpired]
// under the connector's name. A reply accepted just before the end
// reaches o afterwards and is dead-lettered the same way; the connector
// is sealed once no accepted reply is still on its way, so a late reply
// is never reported as ReasonSealed.
//
// A target's send of a reply synchronizes before the turn of o that
// handles it; the IVar is completed in such a turn, or in the one the
// deadline fires in.
//
// Cost: no goroutine; about a dozen allocations of its own (its state and
// IVar, the reply connector and channel, the handlers, the result slice),
// plus those of the deadline timer ([reactor.After]) and whatever request
// builds.
func ScatterGatherIn[Req, Resp any](o reactor.Owner, targets []reactor.Channel[Req], request func(reply reactor.Channel[Resp]) Req, n int, within time.Duration) *events.IVar[[]Resp] {
	s := new(scatterIn[Resp])
	if request == nil {
		s.iv.Fail(nilRequest("ScatterGatherIn"))
		return &s.iv
	}
	if len(targets) == 0 {
		s.iv.Fail(ErrNoRoute)
		return &s.iv
	}
	mustDeadline("ScatterGatherIn", within)
	reply, err := s.g.open(o)
	if err != nil {
		s.iv.Fail(err)
		return &s.iv
	}
	s.want = wanted(n, len(targets))
	s.got = make([]Resp, 0, s.want)
	s.g.conn.Events().OnEventOrDone(s.reply, s.terminated)
	for _, t := range targets {
		if err := t.Send(request(reply)); err != nil {
			s.errs = append(s.errs, sendError(t, err))
			continue
		}
		s.need++
	}
	s.need = min(s.need, s.want)
	if s.need == 0 {
		s.finish(nil)
		return &s.iv
	}
	s.deadline = reactor.After(o, within).OnEvent(s.expired)
	return &s.iv
}

// scatterIn is the state of one [ScatterGatherIn], held in one allocation
// with its gate and IVar. Owner only (but for g.Send).
type scatterIn[Resp any] struct {
	g        gate[Resp]
	iv       events.IVar[[]Resp]
	got      []Resp  // in arrival order
	errs     []error // failed sends
	want     int     // replies wanted
	need     int     // replies that complete the gather: final before any reply is handled
	ended    bool
	deadline events.Subscription
}

func (s *scatterIn[Resp]) reply(v Resp) {
	if !s.g.arrived(v) {
		return
	}
	s.got = append(s.got, v)
	if len(s.got) >= s.need {
		s.finish(nil)
	}
}

func (s *scatterIn[Resp]) expired(struct{}) { s.finish(context.DeadlineExceeded) }

// terminated runs when the reply connector closes: after finish sealed it,
// or when the reactor terminates first.
func (s *scatterIn[Resp]) terminated() { s.finish(reactor.ErrTerminated) }

// finish ends the gather once: it stops the timer, closes the gate and
// completes the IVar.
func (s *scatterIn[Resp]) finish(cause error) {
	if s.ended {
		return
	}
	s.ended = true
	if s.deadline != nil {
		s.deadline.Unsubscribe()
	}
	s.g.close()
	if len(s.got) == s.want {
		s.iv.Set(s.got)
		return
	}
	s.iv.Fail(&GatherError[Resp]{Replies: s.got, Wanted: s.want, Err: joinCause(cause, s.errs)})
}

// wanted is the number of replies a gather of n over count targets waits
// for.
func wanted(n, count int) int {
	if n <= 0 || n > count {
		return count
	}
	return n
}

// nilRequest is the error of a gather whose request builder is nil.
func nilRequest(fn string) error { return fmt.Errorf("router: %s: nil request: %w", fn, ErrNilFunc) }

// mustDeadline panics unless the deadline of an in-reactor form is
// positive: nothing else ends a gather nobody answers.
func mustDeadline(fn string, within time.Duration) {
	if within <= 0 {
		panic(fmt.Sprintf("router: %s: within must be positive, got %v", fn, within))
	}
}

// joinCause joins why a gather ended early (nil if it did not) with the
// errors of the sends that failed.
func joinCause(cause error, errs []error) error {
	if len(errs) == 0 {
		return cause
	}
	return errors.Join(append([]error{cause}, errs...)...)
}

// sendError names the target whose send failed.
func sendError[T any](t reactor.Channel[T], err error) error {
	return fmt.Errorf("%s: %w", t.Name(), err)
}

// gate is the reply channel of the in-reactor forms: a Sender forwarding
// to a daemon connector of the gathering reactor until the gather ends,
// then refusing with ErrExpired. st counts the replies forwarded and not
// yet handled, plus the gateClosed bit: a send increments the count only
// while the bit is clear (CAS), and the owner seals the connector once
// the bit is set and the count is zero, whichever of close and the last
// handled reply comes second. So every forwarded reply reaches the
// handler, which dead-letters it with ReasonExpired if it is late, and
// the connector does not outlive the gather.
type gate[T any] struct {
	sys  *reactor.System
	conn *reactor.Connector[T] // owner side: Events, Seal
	to   reactor.Channel[T]    // conn's channel
	name string
	st   atomic.Int64
}

const gateClosed = int64(1) << 62

// open opens the reply connector on o (owner only) and returns the reply
// channel that forwards to it through g.
func (g *gate[T]) open(o reactor.Owner) (reactor.Channel[T], error) {
	g.sys = o.System()
	c, err := reactor.Open[T](o, reactor.Daemon())
	if err != nil {
		return reactor.Channel[T]{}, err
	}
	g.conn, g.to, g.name = c, c.Channel(), c.Channel().Name()
	return reactor.ChannelOf[T](g), nil
}

// Send forwards v while the gather is on, and refuses it with ErrExpired
// (dead-lettering it) after. Safe for concurrent use.
func (g *gate[T]) Send(v T) error {
	for {
		s := g.st.Load()
		if s&gateClosed != 0 {
			g.sys.DeadLetter(g.name, reactor.ReasonExpired, v)
			return reactor.ErrExpired
		}
		if g.st.CompareAndSwap(s, s+1) {
			break
		}
	}
	if err := g.to.Send(v); err != nil {
		// Only a terminated reactor refuses (the connector is unbounded
		// and sealed only at count zero), and it has dead-lettered v.
		g.st.Add(-1)
		return err
	}
	return nil
}

// Name names the destination in dead letters.
func (g *gate[T]) Name() string { return g.name }

// arrived accounts for a reply handled by the owner and reports whether
// the gather is still on; a late reply is dead-lettered. Owner only.
func (g *gate[T]) arrived(v T) bool {
	s := g.st.Add(-1)
	if s&gateClosed == 0 {
		return true
	}
	g.sys.DeadLetter(g.name, reactor.ReasonExpired, v)
	if s == gateClosed {
		g.conn.Seal()
	}
	return false
}

// close ends the gather: later sends are refused, and the connector is
// sealed now if no forwarded reply is on its way. Owner only.
func (g *gate[T]) close() {
	if g.st.Or(gateClosed) == 0 {
		g.conn.Seal()
	}
}
