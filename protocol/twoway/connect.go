package twoway

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Connect asks the two-way server srv for a link from inside the reactor o
// and returns an IVar that a later turn of o completes with the client's
// side of the link. It fails with the send's error if srv refuses the
// request, with [reactor.Open]'s, or with [ErrNoLink] if the server's reactor
// terminates before answering. Connect opens the link's daemon input
// connector on o at once, and a daemon connector for the answer, sealed
// once the answer is in; on failure it seals both. Connect never blocks and
// has no deadline of its own (a server that closes without terminating
// leaves it waiting): bound it with [reactor.Timeout]. Owner only.
//
// Cost: no goroutine; two connectors, a termination watch of the server
// and a few small allocations.
func Connect[I, O any](o reactor.Owner, srv reactor.Channel[Request[I, O]]) *events.IVar[Link[I, O]] {
	res := new(events.IVar[Link[I, O]])
	t, err := newLink[I, O](o, reactor.Channel[O]{})
	if err != nil {
		res.Fail(err)
		return res
	}
	reply, err := reactor.Open[reactor.Channel[O]](o, reactor.Daemon())
	if err != nil {
		t.Close()
		res.Fail(err)
		return res
	}
	var watch, answer events.Subscription
	end := func(err error) {
		answer.Unsubscribe()
		watch.Unsubscribe()
		reply.Seal()
		if err != nil {
			t.Close()
			res.TryFail(err)
			return
		}
		res.TrySet(t)
	}
	answer = reply.Events().OnEvent(func(out reactor.Channel[O]) {
		t.Out = out
		end(nil)
	})
	watch = reactor.Watch(o, srv).OnEvent(func(reactor.Termination) { end(ErrNoLink) })
	if err := srv.Send(Request[I, O]{In: t.conn.Channel(), Reply: reply.Channel()}); err != nil {
		end(err)
	}
	return res
}
