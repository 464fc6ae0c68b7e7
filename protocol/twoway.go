package protocol

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// TwoWay is one side of a two-way link between two reactors: a channel
// to send to the other side (Out) and the stream of what the other side
// sends (In), on a daemon connector of this side's reactor. The type
// parameters are from this side's view: a client that Connects gets a
// TwoWay[I, O], and the server the matching TwoWay[O, I] (Reactors.IO's
// TwoWay).
//
// Closing: each side closes its own TwoWay, and only its input: Close
// seals the connector behind In, after which the other side's sends on
// its Out fail with reactor.ErrSealed. Nothing tells the other side; a
// protocol on top of the link says when to close. Closing a server does
// not close the links it has made. The input connector is a daemon: an
// open link does not keep its reactor alive.
//
// A TwoWay is a small value; In and Close belong to the side's reactor
// (owner only), Out may go anywhere.
type TwoWay[I, O any] struct {
	// Out is the channel to the other side's input.
	Out reactor.Channel[O]
	// In is the stream of what the other side sends, in order per sender.
	// Events that arrive before In has a subscriber wait for the first
	// one. It completes when the link is closed.
	In   events.Events[I]
	conn *reactor.Connector[I]
}

// Close closes this side's input, reporting whether it was open.
// Idempotent. Owner only.
func (t TwoWay[I, O]) Close() bool { return t.conn.Seal() }

// TwoWayRequest is the request that opens a two-way link (Connect sends
// it): the client's input channel, and where the server's answer, its
// own input channel for the link, goes.
type TwoWayRequest[I, O any] struct {
	In    reactor.Channel[I]
	Reply reactor.Channel[reactor.Channel[O]]
}

// TwoWayServer accepts two-way links (ServeTwoWay, OpenTwoWayServer):
// clients Connect to its Channel, and every link it makes is emitted on
// Links. I and O are from the client's view.
type TwoWayServer[I, O any] struct {
	o     reactor.Owner
	conn  *reactor.Connector[TwoWayRequest[I, O]]
	links events.Emitter[TwoWay[O, I]]
	sub   events.Subscription
}

// ServeTwoWay installs a two-way server on conn, a connector of o: for
// every request it opens a daemon input connector on o, answers with its
// channel, and emits the server's side of the new link on Links. A
// link whose client stopped waiting is closed at once and not emitted. Owner only; the server must have conn
// to itself.
//
// Cost: no goroutine; a connector and a few small allocations per link.
func ServeTwoWay[I, O any](o reactor.Owner, conn *reactor.Connector[TwoWayRequest[I, O]]) *TwoWayServer[I, O] {
	s := &TwoWayServer[I, O]{o: o, conn: conn}
	s.sub = conn.Events().OnEventOrDone(s.accept, s.links.Close)
	return s
}

// OpenTwoWayServer opens a new connector on o with reactor.Open's opts
// and installs a two-way server on it (ServeTwoWay). Owner only.
func OpenTwoWayServer[I, O any](o reactor.Owner, opts ...reactor.ConnOption) (*TwoWayServer[I, O], error) {
	conn, err := reactor.Open[TwoWayRequest[I, O]](o, opts...)
	if err != nil {
		return nil, err
	}
	return ServeTwoWay(o, conn), nil
}

func (s *TwoWayServer[I, O]) accept(req TwoWayRequest[I, O]) {
	t, err := newTwoWay[O, I](s.o, req.In)
	if err != nil {
		return // s.o is terminating: Connect fails with ErrNoLink
	}
	if err := req.Reply.Send(t.conn.Channel()); err != nil {
		t.Close()
		return
	}
	s.links.Emit(t)
}

// Channel returns the server's channel, for Connect. Safe anywhere.
func (s *TwoWayServer[I, O]) Channel() reactor.Channel[TwoWayRequest[I, O]] {
	return s.conn.Channel()
}

// Links returns the stream of the links the server makes, seen from the
// server's side. It completes when the server closes. Owner only.
func (s *TwoWayServer[I, O]) Links() events.Events[TwoWay[O, I]] { return s.links.Events() }

// Close stops accepting links: it seals the server's connector and
// completes Links. Established links stay open. Idempotent. Owner only.
func (s *TwoWayServer[I, O]) Close() {
	s.sub.Unsubscribe()
	s.conn.Seal()
	s.links.Close()
}

// Connect asks the two-way server srv for a link from inside the reactor
// o and returns an IVar that a later turn of o completes with the
// client's side of the link. It fails with the send's error if srv
// refuses the request, with reactor.Open's, or with ErrNoLink if the
// server's reactor terminates before answering. Connect opens the link's
// daemon input connector on o at once, and a daemon connector for the
// answer, sealed once the answer is in; on failure it seals both.
// Connect never blocks and has no deadline of its own (a server that
// closes without terminating leaves it waiting): bound it with reactor.Timeout.
// Owner only.
//
// Cost: no goroutine; two connectors, a termination watch of the server
// and a few small allocations.
func Connect[I, O any](o reactor.Owner, srv reactor.Channel[TwoWayRequest[I, O]]) *events.IVar[TwoWay[I, O]] {
	res := new(events.IVar[TwoWay[I, O]])
	t, err := newTwoWay[I, O](o, reactor.Channel[O]{})
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
	if err := srv.Send(TwoWayRequest[I, O]{In: t.conn.Channel(), Reply: reply.Channel()}); err != nil {
		end(err)
	}
	return res
}

// newTwoWay opens the daemon input connector of one side of a link.
func newTwoWay[I, O any](o reactor.Owner, out reactor.Channel[O]) (TwoWay[I, O], error) {
	conn, err := reactor.Open[I](o, reactor.Daemon())
	if err != nil {
		return TwoWay[I, O]{}, err
	}
	in := &linkInput[I]{}
	conn.Events().OnEventOrDone(in.event, in.done)
	return TwoWay[I, O]{Out: out, In: events.From[I](in), conn: conn}, nil
}

// linkInput is a link's input stream: it keeps what arrives before the
// first subscriber (the other side may send before this side has its
// TwoWay), replays it to that subscriber, then forwards. Owner only.
type linkInput[I any] struct {
	em      events.Emitter[I]
	early   []I
	ended   bool // the connector was sealed before the first subscriber
	started bool // the first subscriber came
}

func (l *linkInput[I]) event(v I) {
	if !l.started {
		l.early = append(l.early, v)
		return
	}
	l.em.Emit(v)
}

func (l *linkInput[I]) done() {
	if !l.started {
		l.ended = true
		return
	}
	l.em.Close()
}

func (l *linkInput[I]) Subscribe(o events.Observer[I]) events.Subscription {
	sub := l.em.Subscribe(o)
	if !l.started {
		l.started = true
		early := l.early
		l.early = nil
		for _, v := range early {
			l.em.Emit(v)
		}
		if l.ended {
			l.em.Close()
		}
	}
	return sub
}
