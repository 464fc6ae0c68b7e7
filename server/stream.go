package server

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// ServeStream answers every request on conn with all the events of the
// stream f returns for it, in order, then an end marker when the stream
// completes; an error event ends the answer with that error. It is
// Reactors.IO's stream server, with the terminator carried by the reply
// itself rather than chosen by the client. f runs in conn's reactor and
// must not block. Owner only.
//
// Streamed replies travel like any event: one per event of the stream, no
// flow control (a fast server can fill a slow client's mailbox; bound the
// stream or use package protocol/backpressure). Clients read streams with
// [AskStreamIn]; [Ask] takes the first item only and refuses the rest as
// expired. A nil f panics at once.
func ServeStream[Q, R any](conn *reactor.Connector[Request[Q, R]], f func(Q) events.Events[R]) events.Subscription {
	mustFunc("ServeStream", f == nil)
	return conn.Events().OnEvent(func(req Request[Q, R]) {
		started := false
		defer func() {
			if !started {
				_ = req.Fail(ErrServerFailed)
			}
		}()
		if req.OneWay() {
			started = true
			return
		}
		ended := false
		send := func(r Reply[R]) {
			if !ended {
				ended = r.end
				r.id = req.id
				_ = req.reply.Send(r)
			}
		}
		var sub events.Subscription
		sub = f(req.Value).Subscribe(&events.Funcs[R]{
			Event: func(v R) { send(Reply[R]{Value: v, more: true}) },
			Error: func(err error) {
				send(Reply[R]{Err: err, end: true})
				if sub != nil {
					sub.Unsubscribe() // the first error ends the answer
				}
			},
			Done: func() { send(Reply[R]{end: true}) },
		})
		started = true
	})
}

// AskStreamIn sends q to a stream server from inside the reactor o and
// returns the stream of its replies: every item, then done at the end
// marker, or an error (the server's, [ErrServerTerminated], or the send's)
// that ends it. AskStreamIn never blocks. Owner only.
//
// The replies travel on a daemon connector of o that is sealed when the
// stream ends; unsubscribing from the result before that seals it too,
// and the server's further replies are then dead-lettered (the server is
// not told to stop). A reply that is not a stream item (a server using
// [Serve]) counts as a single item followed by the end.
func AskStreamIn[Q, R any](o reactor.Owner, srv Server[Q, R], q Q) events.Events[R] {
	em := &events.Emitter[R]{}
	c, err := reactor.Open[Reply[R]](o, reactor.Daemon())
	if err != nil {
		return failed[R](err)
	}
	var watch events.Subscription = events.Nop()
	finish := func() {
		watch.Unsubscribe()
		c.Seal()
	}
	c.Events().OnEvent(func(r Reply[R]) {
		switch {
		case r.Err != nil:
			em.EmitError(r.Err)
			em.Close()
			finish()
		case r.end:
			em.Close()
			finish()
		default:
			em.Emit(r.Value)
			if !r.more {
				em.Close()
				finish()
			}
		}
	})
	if srv.System() != nil && !srv.Forwards() {
		watch = reactor.Watch(o, srv).OnEvent(func(reactor.Termination) {
			_ = c.Channel().Send(Reply[R]{Err: terminated(srv.Name())})
		})
	}
	if err := srv.Send(Request[Q, R]{Value: q, reply: c.Channel(), id: 1}); err != nil {
		finish()
		return failed[R](err)
	}
	return em.Events()
}

// failed returns a stream that fails with err at subscription.
func failed[R any](err error) events.Events[R] {
	iv := &events.IVar[R]{}
	iv.Fail(err)
	return iv.Events()
}
