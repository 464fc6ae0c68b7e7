package remote

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/remote/internal/node"
)

// The packages built on remote (remote/table, remote/follow) reach a [Node]'s
// internals through remote/internal/node, which cannot import remote: remote
// registers the accessor here, and internals implements [node.Internals] on a
// Node without adding anything to Node's methods.
func init() {
	node.Register(func(n any) node.Internals { return internals{n.(*Node)} })
}

// internals is a [Node] as [node.Internals] presents it.
type internals struct{ n *Node }

func (i internals) JetStream() jetstream.JetStream {
	if i.n.reg == nil {
		return nil
	}
	return i.n.reg.js
}

func (i internals) Closed() <-chan struct{}                   { return i.n.closed }
func (i internals) Closing() bool                             { return i.n.isClosing() }
func (i internals) Claim(name string) error                   { return i.n.claim(name) }
func (i internals) Release(name string)                       { i.n.release(name) }
func (i internals) TransportErr(name string, err error) error { return i.n.transportErr(name, err) }
func (i internals) ReportError(err error)                     { i.n.emit(Notice{Kind: NoticeError, Err: err}) }

func (i internals) Lease() node.Lease {
	if i.n.reg == nil {
		return node.Lease{}
	}
	if l := i.n.reg.lease.Load(); l != nil {
		return *l
	}
	return node.Lease{}
}

func (i internals) APIPrefix() string {
	if i.n.reg == nil {
		return ""
	}
	return i.n.reg.apiPrefix
}

func (i internals) Follow(name string, set func(ids []string)) (func(), error) {
	if i.n.reg == nil {
		return nil, ErrNoRegistry
	}
	return i.n.reg.follow(name, set), nil
}

func (i internals) OnClose(f func(ctx context.Context)) (func(), error) { return i.n.onClose(f) }

func (i internals) Replicas() int {
	if i.n.cluster == nil || i.n.storeDir == "" {
		return 0
	}
	return i.n.cluster.replicas
}
