package twoway

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Request is the request that opens a two-way link ([Connect] sends it): the
// client's input channel, and where the server's answer, its own input
// channel for the link, goes.
type Request[I, O any] struct {
	In    reactor.Channel[I]
	Reply reactor.Channel[reactor.Channel[O]]
}

// Server accepts two-way links ([Serve], [Open]): clients [Connect] to its
// [Server.Channel], and every link it makes is emitted on [Server.Links]. I
// and O are from the client's view.
type Server[I, O any] struct {
	o     reactor.Owner
	conn  *reactor.Connector[Request[I, O]]
	links events.Emitter[Link[O, I]]
	sub   events.Subscription
}

// Serve installs a two-way server on conn, a connector of o: for every
// request it opens a daemon input connector on o, answers with its channel,
// and emits the server's side of the new link on [Server.Links]. A link whose
// client stopped waiting is closed at once and not emitted. Owner only; the
// server must have conn to itself.
//
// Cost: no goroutine; a connector and a few small allocations per link.
func Serve[I, O any](o reactor.Owner, conn *reactor.Connector[Request[I, O]]) *Server[I, O] {
	s := &Server[I, O]{o: o, conn: conn}
	s.sub = conn.Events().OnEventOrDone(s.accept, s.links.Close)
	return s
}

// Open opens a new connector on o with [reactor.Open]'s opts and installs a
// two-way server on it ([Serve]). Owner only.
func Open[I, O any](o reactor.Owner, opts ...reactor.ConnOption) (*Server[I, O], error) {
	conn, err := reactor.Open[Request[I, O]](o, opts...)
	if err != nil {
		return nil, err
	}
	return Serve(o, conn), nil
}

func (s *Server[I, O]) accept(req Request[I, O]) {
	t, err := newLink[O, I](s.o, req.In)
	if err != nil {
		return // s.o is terminating: Connect fails with ErrNoLink
	}
	if err := req.Reply.Send(t.conn.Channel()); err != nil {
		t.Close()
		return
	}
	s.links.Emit(t)
}

// Channel returns the server's channel, for [Connect]. Safe anywhere.
func (s *Server[I, O]) Channel() reactor.Channel[Request[I, O]] {
	return s.conn.Channel()
}

// Links returns the stream of the links the server makes, seen from the
// server's side. It completes when the server closes. Owner only.
func (s *Server[I, O]) Links() events.Events[Link[O, I]] { return s.links.Events() }

// Close stops accepting links: it seals the server's connector and
// completes [Server.Links]. Established links stay open. Idempotent. Owner only.
func (s *Server[I, O]) Close() {
	s.sub.Unsubscribe()
	s.conn.Seal()
	s.links.Close()
}
