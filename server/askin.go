package server

import (
	"fmt"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// AskIn sends q to srv from inside the reactor o and returns an IVar that a
// later turn of o completes with the reply: its value, or its error
// ([Request.Fail], [ErrServerFailed]). It fails with the send's error if srv
// refuses the request, and with [ErrServerTerminated] if the server's reactor
// terminates first. AskIn never blocks. Owner only.
//
// AskIn has no deadline of its own; bound it with [reactor.Timeout], or
// with the clock by failing the IVar on [reactor.After]. The reply travels
// on a daemon connector of o, sealed once the ask is answered: a second
// or late reply is then refused and dead-lettered by that connector.
//
// Cost: a connector, a termination watch of the server and a few small
// allocations per ask.
func AskIn[Q, R any](o reactor.Owner, srv Server[Q, R], q Q) *events.IVar[R] {
	var watch func(reactor.Channel[Reply[R]]) events.Subscription
	if srv.System() != nil && !srv.Forwards() { // a reactor's channel: its termination ends the ask
		// The failure goes through the reply connector, behind any reply
		// the server sent before it terminated, so that reply wins.
		watch = func(reply reactor.Channel[Reply[R]]) events.Subscription {
			return reactor.Watch(o, srv).OnEvent(func(reactor.Termination) {
				_ = reply.Send(Reply[R]{Err: terminated(srv.Name())})
			})
		}
	}
	return callIn(o, func(f Flow[R]) error {
		return srv.Send(Request[Q, R]{Value: q, reply: f.reply, id: f.id})
	}, watch)
}

// callIn is [AskIn] and [CallIn]: it opens a daemon reply connector on o,
// starts the exchange with a [Flow] answering there, and completes the IVar
// with the first reply (or start's error), then unsubscribes watch's
// subscription, if any, and seals the connector.
func callIn[R any](o reactor.Owner, start func(Flow[R]) error, watch func(reactor.Channel[Reply[R]]) events.Subscription) *events.IVar[R] {
	iv := &events.IVar[R]{}
	c, err := reactor.Open[Reply[R]](o, reactor.Daemon())
	if err != nil {
		iv.Fail(err)
		return iv
	}
	var w events.Subscription = events.Nop()
	finish := func() {
		w.Unsubscribe()
		c.Seal()
	}
	c.Events().OnEvent(func(r Reply[R]) {
		if r.Err != nil {
			iv.TryFail(r.Err)
		} else {
			iv.TrySet(r.Value)
		}
		finish()
	})
	if watch != nil {
		w = watch(c.Channel())
	}
	if err := start(Flow[R]{reply: c.Channel(), id: nextFlowID()}); err != nil {
		iv.Fail(err)
		finish()
	}
	return iv
}

// terminated is the error of an ask whose server terminated first.
func terminated(name string) error { return fmt.Errorf("ask %s: %w", name, ErrServerTerminated) }
