package protocol

import (
	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Install attaches a protocol to a connector of its reactor: it subscribes
// the protocol's handlers to c's events and returns the subscription that
// detaches them. It is the first of Reactors.IO's four installation
// forms; [Open], [Body] and [Spawn] derive the other three from it, so a
// protocol written as an Install gets all four:
//
//	serve := protocol.Install[Request](func(c *reactor.Connector[Request]) events.Subscription { ... })
//	serve(existing)                       // 1. on an existing connector
//	protocol.Open(r, serve)               // 2. on a new connector of reactor r
//	reactor.Spawn(sys, protocol.Body(serve), opts...) // 3. as the body of a reactor spawned with any options
//	protocol.Spawn(sys, serve)            // 4. as a reactor of its own
//
// An Install runs inside the connector's reactor (owner only) and must not
// block. Open, Body and Spawn panic at once if given a nil Install, rather
// than failing the reactor it would have run in.
type Install[T any] func(c *reactor.Connector[T]) events.Subscription

// Open opens a new connector on o, installs p on it and returns the
// connector. Owner only; opts are those of [reactor.Open].
func Open[T any](o reactor.Owner, p Install[T], opts ...reactor.ConnOption) (*reactor.Connector[T], error) {
	mustInstall(p)
	c, err := reactor.Open[T](o, opts...)
	if err != nil {
		return nil, err
	}
	p(c)
	return c, nil
}

// Body returns the body of a reactor whose main connector runs p, for
// [reactor.Spawn] or [reactor.Run] with whatever options the caller chooses
// (a name, a scheduler, a mailbox bound, a restart policy).
func Body[T any](p Install[T]) func(*reactor.Reactor[T]) {
	mustInstall(p)
	return func(r *reactor.Reactor[T]) { p(r.Main()) }
}

// Spawn starts a reactor whose main connector runs p and returns its
// channel: reactor.Spawn(sys, Body(p), opts...).
func Spawn[T any](sys *reactor.System, p Install[T], opts ...reactor.SpawnOption) (reactor.Channel[T], error) {
	return reactor.Spawn(sys, Body(p), opts...)
}

// mustInstall panics if p is nil.
func mustInstall[T any](p Install[T]) {
	if p == nil {
		panic("protocol: nil Install")
	}
}
