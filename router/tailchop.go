package router

import (
	"context"
	"fmt"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
)

// Tail-chopping (hedged requests): ask one target, and if it is slow ask
// the next as well, until one answers. It trades a little redundant work
// for a shorter tail latency (Bailis, "Doing redundant work to speed up
// distributed queries"; Akka's TailChopping router). The request/reply
// conventions and the late-reply rule are those of scatter.go.

// TailChop sends a request to targets[0] and, while no reply has come, one
// more to the next target every interval, in the order given, and returns the
// first reply. It must be called from a plain goroutine: inside a reactor it
// returns [reactor.ErrInsideReactor] at once. Akka picks the order at random:
// to do the same, shuffle targets (a copy) before the call.
//
// Requests that are [reactor.Undeliverable] (server.Request values) answer
// through the reply channel when they are dead-lettered, and such an
// answer counts as a reply.
//
// A target whose send fails (it is sealed, terminated, or its mailbox is
// full) is skipped at once: the next one is contacted without waiting, and
// the interval restarts from the send that succeeded. interval <= 0 contacts
// every target at once. The requests are built by request, once per target
// contacted, and sent with [reactor.Channel.Offer] on the caller's goroutine;
// the targets not yet contacted when the reply arrives, or when ctx ends, are
// never contacted and request is never called for them.
//
// It returns the first reply with a nil error; otherwise, as soon as ctx
// ends, or at once when every send failed, the zero Resp and an error
// wrapping context.Cause(ctx) and the send errors (each prefixed with its
// target's name). With no targets it returns [ErrNoRoute] at once, and with a
// nil request an error matching [ErrNilFunc]; a ctx already done when it is
// called contacts nobody. Once every target has been contacted it waits on
// ctx alone, so give ctx a deadline (the overall deadline, Akka's within).
//
// Replies after the first, and those that come after TailChop returned,
// are refused with [reactor.ErrExpired] and dead-lettered to sys with
// [reactor.ReasonExpired] under the name "tail-chop"; sys must not be nil.
// A reply accepted before that is returned, even if ctx ended meanwhile.
// When it returns no goroutine or timer is left.
//
// A target's send of a reply synchronizes before TailChop returns it. A
// request belongs to its target once sent.
//
// Cost: no goroutine; four allocations (the reply channel and its one-slot
// buffer), three more for the hedge timer when there is more than one target,
// plus whatever request builds and about two per failed send. The timer is
// reset for each hedge, not made anew.
func TailChop[Req, Resp any](ctx context.Context, sys *reactor.System, targets []reactor.Channel[Req], request func(reply reactor.Channel[Resp]) Req, interval time.Duration) (Resp, error) {
	var zero Resp
	if request == nil {
		return zero, nilRequest("TailChop")
	}
	if reactor.Inside() {
		return zero, fmt.Errorf("router: tail-chop: %w", reactor.ErrInsideReactor)
	}
	if len(targets) == 0 {
		return zero, ErrNoRoute
	}
	if sys == nil {
		panic("router: TailChop with a nil system")
	}
	if ctx.Err() != nil {
		return zero, tailError(context.Cause(ctx), nil)
	}
	in := protocol.NewInbox[Resp](sys, tailName, 1)
	h := hedge[Req, Resp]{targets: targets, request: request, reply: reactor.ChannelOf[Resp](in)}
	h.contact(ctx)
	if interval <= 0 {
		h.contactAll(ctx)
	}
	if h.silent() {
		return zero, tailError(nil, h.errs)
	}
	var timer *time.Timer
	var tick <-chan time.Time // nil once every target is contacted
	if interval > 0 && h.more() {
		timer = time.NewTimer(interval)
		defer timer.Stop()
		tick = timer.C
	}
	var cause error // set when ctx ends
	for cause == nil {
		select {
		case v := <-in.C():
			in.Close(nil)
			return v, nil
		case <-tick:
			if h.contact(ctx); h.more() {
				timer.Reset(interval)
			} else {
				tick = nil
			}
		case <-ctx.Done():
			cause = context.Cause(ctx)
		}
	}
	if got := in.Close(nil); len(got) > 0 {
		return got[0], nil // accepted as ctx ended
	}
	return zero, tailError(cause, h.errs)
}

// TailChopIn is [TailChop] for a reactor's own code: it contacts
// targets[0] now, the next target every interval on o's clock while no
// reply has come, and returns at once an IVar, owned by o, that a later
// turn completes. Owner only: call it from o's constructor or a handler,
// and subscribe to the IVar there too.
//
// The IVar is set to the first reply. It fails with an error wrapping
// [context.DeadlineExceeded] and the send errors when within has passed
// since the call, wrapping the send errors at once when every send
// failed, with [ErrNoRoute] at once for no targets, with [ErrNilFunc] at once
// for a nil request, and with [reactor.ErrTerminated] if o terminates
// first. within must be positive: it panics otherwise. Targets are
// skipped and contacted as for TailChop; the ones not contacted when the
// gather ends never are.
//
// The requests are sent with Send (a full mailbox counts as a failed
// send: nothing waits inside a reactor). The replies travel on a daemon
// connector of o, through a forwarding reply channel, and late ones are
// handled as for [ScatterGatherIn]: the reply channel refuses them with
// [reactor.ErrExpired] and dead-letters them with [reactor.ReasonExpired]
// under the connector's name, and the connector is sealed once no
// accepted reply is on its way. When the gather ends its timers stop.
// A target's send of a reply synchronizes before the turn of o that
// handles it.
//
// Cost: no goroutine; about a dozen allocations of its own (its state and
// IVar, the reply connector and channel, the handlers), plus those of the
// deadline timer ([reactor.After]), of the hedge timer ([reactor.Periodic])
// when there is more than one target, and whatever request builds.
func TailChopIn[Req, Resp any](o reactor.Owner, targets []reactor.Channel[Req], request func(reply reactor.Channel[Resp]) Req, interval, within time.Duration) *events.IVar[Resp] {
	s := new(tailIn[Req, Resp])
	if request == nil {
		s.iv.Fail(nilRequest("TailChopIn"))
		return &s.iv
	}
	if len(targets) == 0 {
		s.iv.Fail(ErrNoRoute)
		return &s.iv
	}
	mustDeadline("TailChopIn", within)
	reply, err := s.g.open(o)
	if err != nil {
		s.iv.Fail(err)
		return &s.iv
	}
	s.h = hedge[Req, Resp]{targets: targets, request: request, reply: reply}
	s.g.conn.Events().OnEventOrDone(s.reply, s.terminated)
	// Offer inside a reactor never waits: with a context that never ends
	// it is Send.
	s.h.contact(context.Background())
	if interval <= 0 {
		s.h.contactAll(context.Background())
	}
	if s.h.silent() {
		s.finish(nil)
		return &s.iv
	}
	s.deadline = reactor.After(o, within).OnEvent(s.expired)
	if s.h.more() {
		s.ticks = reactor.Periodic(o, interval).OnEvent(s.tick)
	}
	return &s.iv
}

// tailIn is the state of one [TailChopIn], held in one allocation with its
// gate and IVar. Owner only (but for g.Send).
type tailIn[Req, Resp any] struct {
	g               gate[Resp]
	iv              events.IVar[Resp]
	h               hedge[Req, Resp]
	ended           bool
	deadline, ticks events.Subscription
}

func (s *tailIn[Req, Resp]) reply(v Resp) {
	if s.g.arrived(v) {
		s.end()
		s.iv.Set(v)
	}
}

// tick contacts the next target.
func (s *tailIn[Req, Resp]) tick(int64) {
	if s.h.contact(context.Background()); !s.h.more() {
		s.ticks.Unsubscribe()
	}
}

func (s *tailIn[Req, Resp]) expired(struct{}) { s.finish(context.DeadlineExceeded) }

// terminated runs when the reply connector closes: after end sealed it,
// or when the reactor terminates first.
func (s *tailIn[Req, Resp]) terminated() { s.finish(reactor.ErrTerminated) }

// finish ends the gather without a reply.
func (s *tailIn[Req, Resp]) finish(cause error) {
	if !s.ended {
		s.end()
		s.iv.Fail(tailError(cause, s.h.errs))
	}
}

// end stops the timers and closes the gate; the caller completes the IVar.
func (s *tailIn[Req, Resp]) end() {
	s.ended = true
	for _, sub := range [...]events.Subscription{s.deadline, s.ticks} {
		if sub != nil {
			sub.Unsubscribe()
		}
	}
	s.g.close()
}

// hedge walks the targets of a tail-chop. Used by one goroutine or
// reactor only.
type hedge[Req, Resp any] struct {
	targets []reactor.Channel[Req]
	request func(reply reactor.Channel[Resp]) Req
	reply   reactor.Channel[Resp]
	next    int     // the next target to contact
	sent    int     // sends that succeeded
	errs    []error // sends that failed
}

// contact sends to the next targets until a send succeeds, none is left or
// ctx ends. [reactor.Channel.Offer] waits for room in a full Block mailbox at
// most until ctx ends, and never inside a reactor.
func (h *hedge[Req, Resp]) contact(ctx context.Context) {
	for h.more() && ctx.Err() == nil {
		t := h.targets[h.next]
		h.next++
		if err := t.Offer(ctx, h.request(h.reply)); err != nil {
			h.errs = append(h.errs, sendError(t, err))
			continue
		}
		h.sent++
		return
	}
}

// contactAll contacts every target left, until ctx ends.
func (h *hedge[Req, Resp]) contactAll(ctx context.Context) {
	for h.more() && ctx.Err() == nil {
		h.contact(ctx)
	}
}

// more reports whether some target is still to be contacted.
func (h *hedge[Req, Resp]) more() bool { return h.next < len(h.targets) }

// silent reports whether no reply can come: every target was tried and
// every send failed. Only the first contact can leave it so: once a send
// has succeeded a reply may always come.
func (h *hedge[Req, Resp]) silent() bool { return !h.more() && h.sent == 0 }

// tailError is the error of a tail-chop that got no reply: why it ended
// early (nil if every send failed) and the send errors.
func tailError(cause error, errs []error) error {
	return fmt.Errorf("router: tail-chop: no reply: %w", joinCause(cause, errs))
}
