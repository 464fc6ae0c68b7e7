package router

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
)

// The forms a router takes besides its own channel (Router.Channel, which
// routes on the sender's goroutine): installed on a reactor's existing
// connector, on a new connector, or as a reactor of its own. In the first
// two the policy runs inside the owning reactor, after its mailbox; in the
// third the router reactor adds one hop but takes the routing work off the
// senders.

// Install routes every event of conn through r, inside conn's reactor.
// Owner only: call it from the reactor's constructor or a handler. The
// returned subscription stops the routing. A send that fails does not
// fail the reactor: no route is dead-lettered by r, and a sealed or
// terminated target dead-letters the event itself; an event refused by a
// target's full Fail mailbox is dropped, so give routed targets unbounded
// or dropping mailboxes.
//
// Every form (Install, [Open], [Spawn], [Body]) panics at once if r is nil,
// rather than at the first event, in the routing reactor.
func Install[T any](conn *reactor.Connector[T], r *Router[T]) events.Subscription {
	mustRouter(r)
	return conn.Events().OnEvent(func(v T) { _ = r.Send(v) })
}

// Open opens a new connector on o whose events are routed through r (the
// [Install] form on a fresh connector). Owner only; the options are those of
// [reactor.Open].
func Open[T any](o reactor.Owner, r *Router[T], opts ...reactor.ConnOption) (*reactor.Connector[T], error) {
	return protocol.Open(o, installing(r), opts...)
}

// Spawn starts a router reactor: its main channel's events are routed
// through r, one at a time, in arrival order. Use it when senders should
// not pay for routing, or when a policy is costly. The reactor terminates
// when its main connector is sealed (it never seals it itself) or at
// shutdown. The options are those of [reactor.Spawn].
func Spawn[T any](sys *reactor.System, r *Router[T], opts ...reactor.SpawnOption) (reactor.Channel[T], error) {
	return protocol.Spawn(sys, installing(r), opts...)
}

// Body returns the body of a router reactor ([Spawn]'s), for [reactor.Spawn]
// or [reactor.Run] with options of the caller's choosing.
func Body[T any](r *Router[T]) func(*reactor.Reactor[T]) { return protocol.Body(installing(r)) }

// installing is [Install] with r as a protocol installation.
func installing[T any](r *Router[T]) protocol.Install[T] {
	mustRouter(r)
	return func(c *reactor.Connector[T]) events.Subscription { return Install(c, r) }
}

// mustRouter panics if r is nil.
func mustRouter[T any](r *Router[T]) {
	if r == nil {
		panic("router: nil Router")
	}
}
