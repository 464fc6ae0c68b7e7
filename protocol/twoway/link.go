package twoway

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Link is one side of a two-way link between two reactors: a channel to
// send to the other side (Out) and the stream of what the other side sends
// (In), on a daemon connector of this side's reactor. The type parameters
// are from this side's view: a client that Connects gets a Link[I, O], and
// the server the matching Link[O, I] (Reactors.IO's TwoWay).
//
// Closing: each side closes its own Link, and only its input: [Link.Close]
// seals the connector behind In, after which the other side's sends on
// its Out fail with [reactor.ErrSealed]. Nothing tells the other side; a
// protocol on top of the link says when to close. Closing a server does
// not close the links it has made. The input connector is a daemon: an
// open link does not keep its reactor alive.
//
// A Link is a small value; In and Close belong to the side's reactor
// (owner only), Out may go anywhere.
type Link[I, O any] struct {
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
func (t Link[I, O]) Close() bool { return t.conn.Seal() }

// newLink opens the daemon input connector of one side of a link.
func newLink[I, O any](o reactor.Owner, out reactor.Channel[O]) (Link[I, O], error) {
	conn, err := reactor.Open[I](o, reactor.Daemon())
	if err != nil {
		return Link[I, O]{}, err
	}
	in := &linkInput[I]{}
	conn.Events().OnEventOrDone(in.event, in.done)
	return Link[I, O]{Out: out, In: events.From[I](in), conn: conn}, nil
}

// linkInput is a link's input stream: it keeps what arrives before the
// first subscriber (the other side may send before this side has its
// [Link]), replays it to that subscriber, then forwards. Owner only.
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
