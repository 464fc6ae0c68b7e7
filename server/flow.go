package server

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Flow is the callback point of a request that travels through several
// reactors before it is answered (kino's flows): the caller starts the
// flow with [Call] or [CallIn], the Flow value rides along in the messages of
// the flow, and whichever reactor produces the awaited result answers the
// caller directly with [Flow.Answer], without knowing who asked. [Flow.ID] is the
// flow's correlation id, the same in every message that carries the Flow,
// for logs and for joining partial results.
//
// The first answer wins: later answers (or answers after the caller gave
// up) are refused with [reactor.ErrExpired] and dead-lettered with
// [reactor.ReasonExpired]. A Flow is a small value; copy it into every
// message of the flow. The zero Flow answers nobody: Answer and [Flow.Fail]
// return nil and drop the result.
type Flow[R any] struct {
	reply reactor.Channel[Reply[R]]
	id    uint64
}

// ID returns the flow's correlation id (unique in the process; 0 for the
// zero [Flow]).
func (f Flow[R]) ID() uint64 { return f.id }

// Answer ends the flow with v: the caller's [Call] returns v. It reports
// like [Request.Respond] and never blocks.
func (f Flow[R]) Answer(v R) error { return Request[struct{}, R]{reply: f.reply, id: f.id}.Respond(v) }

// Fail ends the flow with err: the caller's [Call] returns err.
func (f Flow[R]) Fail(err error) error {
	return Request[struct{}, R]{reply: f.reply, id: f.id}.Fail(err)
}

// Flow returns the request's callback point, so that a server can pass the
// duty to answer down a chain of reactors: the reactor that finally answers
// the flow answers this request. The request must then not be answered
// through [Request.Respond] as well (the second answer would be refused).
func (r Request[Q, R]) Flow() Flow[R] { return Flow[R]{reply: r.reply, id: r.id} }

// flowSystem names a flow's reply slot in dead letters.
type flowSystem struct{ sys *reactor.System }

func (f flowSystem) System() *reactor.System { return f.sys }
func (f flowSystem) Name() string            { return "flow" }

// AfterTerminate reports false: a flow has no single reactor to watch.
func (f flowSystem) AfterTerminate(func(error)) bool { return false }

// Call starts a flow from a plain goroutine and waits for its answer;
// from a reactor's constructor or handler it returns an error matching
// [reactor.ErrInsideReactor] at once (use [CallIn] there).
// start sends the flow's first messages, carrying the [Flow] it is given;
// if it returns an error, Call returns that error at once. Otherwise Call
// returns the first answer, or ctx's error ([context.Cause]) if ctx ends
// first; an answer accepted at that moment is returned. sys receives the
// dead letters of late answers.
//
// Call blocks on the answer and ctx only: a flow whose reactors all
// forget to answer ends with ctx, so give ctx a deadline. It starts no
// goroutine, and reuses pooled reply slots like [Ask]. A nil start fails
// with [ErrNilFunc] and a nil sys with [reactor.ErrNilSystem], at once.
func Call[R any](ctx context.Context, sys *reactor.System, start func(Flow[R]) error) (R, error) {
	var zero R
	if start == nil {
		return zero, fmt.Errorf("server: Call: %w", ErrNilFunc)
	}
	if sys == nil {
		return zero, fmt.Errorf("server: Call: %w", reactor.ErrNilSystem)
	}
	if ctx.Err() != nil {
		return zero, context.Cause(ctx)
	}
	if reactor.Inside() {
		return zero, fmt.Errorf("server: call: %w", reactor.ErrInsideReactor)
	}
	s := getSlot[R]()
	id := s.arm(flowSystem{sys}, nextFlowID())
	if err := start(Flow[R]{reply: s.ch, id: id}); err != nil {
		return s.abandon(zero, err)
	}
	return s.wait(ctx, zero)
}

// CallIn starts a flow from inside the reactor o and returns an IVar that
// a later turn of o completes with the flow's first answer, or fails with
// start's error. It never blocks and has no deadline of its own. Owner
// only. The answer travels on a daemon connector of o, sealed once the
// flow is answered; later answers are refused and dead-lettered. A nil
// start fails the IVar with [ErrNilFunc] at once.
func CallIn[R any](o reactor.Owner, start func(Flow[R]) error) *events.IVar[R] {
	if start == nil {
		iv := &events.IVar[R]{}
		iv.Fail(fmt.Errorf("server: CallIn: %w", ErrNilFunc))
		return iv
	}
	return callIn(o, start, nil)
}

func nextFlowID() uint64 { return askIDs.Add(1) }
