// Package node shares with the packages built on package remote
// (remote/table, remote/follow, remote/durable) what remote keeps
// unexported about a Node, as internal/poll serves both os and net: the
// node's closing state, the names it holds, its registry's JetStream
// context and followers, its mapping of transport errors, the functions
// its Close runs first and its JetStream cluster's replica count
// ([Internals], reached through [Of]). It also holds the wire details they share with remote:
// the headers of an error reply ([RespondError]) and the stopping of a
// key-value watch ([StopWatch]).
//
// Package remote registers the accessor of Of when it is initialized, so
// every package that imports remote may call Of. Nothing here is part of
// the module's public API.
package node

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Internals is a remote.Node as the packages built on remote see it. Its
// methods are safe for concurrent use and cost a field read or a lock,
// except where they say otherwise.
type Internals interface {
	// JetStream returns the JetStream context of the node's registry, or
	// nil for a node started without WithRegistry.
	JetStream() jetstream.JetStream
	// Closed returns a channel that is closed when the node's connection
	// is closed (the same channel on every call).
	Closed() <-chan struct{}
	// Closing reports whether the node's Close was called.
	Closing() bool
	// Claim records name as held by the node, beside its exported names: it
	// fails with remote.ErrDuplicateName if the node holds it already and
	// with remote.ErrClosed once Close was called. [Internals.Release]
	// forgets name.
	Claim(name string) error
	Release(name string)
	// TransportErr maps an error of the node's connection onto remote's
	// errors (remote.ErrClosed, *remote.PayloadError, remote.ErrNoServer),
	// naming name; other errors are wrapped with name.
	TransportErr(name string, err error) error
	// ReportError logs err and sends it on the node's Notices as a
	// remote.NoticeError.
	ReportError(err error)
	// Follow calls set with the ids of the registry members that export
	// name, sorted, as the node lists them (see remote.Node.Exporters):
	// once before it returns, and then at every change of the registry,
	// before the node's MemberWatch channels are told of the change. set
	// runs with the registry's lock held: its calls are serialized, and
	// it must not call back into the node's registry. After stop returns
	// set is not called again. Follow returns remote.ErrNoRegistry for a
	// node started without WithRegistry. Each call of set costs a scan of
	// the members.
	Follow(name string, set func(ids []string)) (stop func(), err error)
	// OnClose registers f to run at the start of the node's Close, after
	// the node stops taking new exports and before its connection
	// drains, with Close's context; Close waits for it. It fails with
	// remote.ErrClosed once Close was called. remove unregisters f (a
	// no-op once Close has begun). f must end when its context ends.
	OnClose(f func(ctx context.Context)) (remove func(), err error)
	// Replicas returns the number of copies a stream created on the
	// node's embedded JetStream cluster should have (the registry
	// bucket's: ClusterConfig.Replicas, or min(3, servers)), or 0 when
	// the node runs no JetStream cluster of its own (WithURL, a leaf
	// node, a single embedded server).
	Replicas() int
	// Lease returns the node's registry lease as its last renewal left
	// it (the zero Lease without a registry, or before the first one).
	Lease() Lease
	// APIPrefix returns what a publish to the subject of a key of a
	// bucket of the registry's JetStream ("$KV.<bucket>.<key>") needs
	// before it: "" or, with a JetStream domain, "$JS.<domain>.API.".
	APIPrefix() string
}

// Lease is a node's registry lease: it holds at least Until (by the
// local clock, monotonic reading included), and Gen counts how many
// times it lapsed, a renewal having been sent after the lease had ended,
// so that the other nodes may have taken the node for gone meanwhile.
type Lease struct {
	Until time.Time
	Gen   uint64
	TTL   time.Duration // the registry's lease time
}

// Holds reports whether l holds at now with margin to spare.
func (l Lease) Holds(now time.Time, margin time.Duration) bool {
	return !l.Until.IsZero() && now.Add(margin).Before(l.Until)

}

// of is the accessor registered by package remote.
var of func(n any) Internals

// Register sets the accessor [Of] uses. Package remote calls it once, when
// it is initialized; no other package may.
func Register(f func(n any) Internals) { of = f }

// Of returns the internals of n, which must be a *remote.Node (it panics
// otherwise). It allocates nothing.
func Of(n any) Internals { return of(n) }

// Headers of a reply that carries an error instead of a value: the
// error's code (one of remote's Code constants) and its message.
const (
	HeaderCode    = "Reactors-Error-Code"
	HeaderMessage = "Reactors-Error"
)

// RespondError answers m with an error reply: no payload, the code and
// err's message in headers. A message without a reply subject gets
// nothing.
func RespondError(m *nats.Msg, code string, err error) error {
	if m.Reply == "" {
		return nil
	}
	rep := nats.NewMsg(m.Reply)
	rep.Header.Set(HeaderCode, code)
	rep.Header.Set(HeaderMessage, err.Error())
	return m.RespondMsg(rep)
}

// StopWatch stops kw and drains what it still holds: its delivery
// callback blocks while the updates channel is full, and a blocked
// callback would hold up the connection's drain at the node's Close. It
// returns when the channel is closed, or after a quiet second.
func StopWatch(kw jetstream.KeyWatcher) {
	_ = kw.Stop()
	quiet := time.NewTimer(time.Second)
	defer quiet.Stop()
	for {
		select {
		case _, ok := <-kw.Updates():
			if !ok {
				return
			}
		case <-quiet.C:
			return
		}
	}
}

// TooFewServers reports whether err refuses a stream (or bucket) for
// asking more replicas than the JetStream system can place: a lone
// server, or a cluster with fewer servers or too little room.
func TooFewServers(err error) bool {
	var api *jetstream.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode {
	case 10074, // replicas > 1 not supported in non-clustered mode
		10023, // insufficient resources
		10005: // no suitable peers for placement
		return true
	}
	return false
}
