package reliable

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Receiver is the receiving end of a reliable link ([Serve]):
// [Receiver.Events] emits the link's values in order, exactly once each.
type Receiver[T any] struct {
	core  *ReceiveWindow[T]
	conn  *reactor.Connector[Frame[T]]
	acks  reactor.Channel[Ack]
	em    events.Emitter[T]
	subs  events.Subscription
	ready []T
}

// Serve installs the receiving end of a reliable link on conn, a
// connector of o that carries the link's frames (Reactors.IO's install
// form: open it with [reactor.Open], or use a reactor's main connector),
// and sends its acknowledgements to acks, the sending end's [Sender.Acks] or a
// path to it. The acknowledgements are batched per turn of o: one, for
// every frame the turn received, is sent when the turn ends (o's
// Preempted lifecycle event). Only cfg.Window matters here. Owner only;
// the link must have conn to itself.
//
// Cost: no goroutine; the reorder buffer (Window values); one
// acknowledgement per turn that received frames, which allocates only
// while holes are open.
func Serve[T any](o reactor.Owner, conn *reactor.Connector[Frame[T]], acks reactor.Channel[Ack], cfg Config) *Receiver[T] {
	cfg = cfg.withDefaults()
	k := &Receiver[T]{core: NewReceiveWindow[T](cfg.Window), conn: conn, acks: acks}
	k.subs = events.Composite(
		conn.Events().OnEventOrDone(k.receive, k.em.Close),
		o.Lifecycle().OnEvent(func(lc reactor.Lifecycle) {
			if lc.Phase == reactor.Preempted {
				if a, ok := k.core.Ack(); ok {
					_ = k.acks.Send(a) // a lost acknowledgement is made up for by the next one
				}
			}
		}),
	)
	return k
}

func (k *Receiver[T]) receive(f Frame[T]) {
	k.ready = k.core.Receive(f, k.ready)
	for _, v := range k.ready {
		k.em.Emit(v)
	}
	clear(k.ready)
	k.ready = k.ready[:0]
}

// Events returns the stream of the link's values, in order. It completes
// when the link closes. Owner only.
func (k *Receiver[T]) Events() events.Events[T] { return k.em.Events() }

// Delivered returns how many values the link has delivered. Owner only.
func (k *Receiver[T]) Delivered() uint64 { return k.core.Delivered() }

// Close closes the receiving end: it stops acknowledging, seals conn and
// completes [Receiver.Events]. Idempotent. Owner only.
func (k *Receiver[T]) Close() {
	if k.subs == nil {
		return
	}
	k.subs.Unsubscribe()
	k.subs = nil
	k.conn.Seal()
	k.em.Close()
}
