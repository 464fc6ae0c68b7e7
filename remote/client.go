package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// Client asks a remote server (see [Serve]) over the node's connection. It
// is safe for concurrent use; make one per name and share it.
type Client[Q, R any] struct {
	n       *Node
	name    string
	subject string
	cfg     serveConfig[Q, R]
}

// NewClient returns a client of the server served under name. It
// subscribes to nothing and does not check that the name is served. It
// returns [ErrInvalidName] for a name [Subject] refuses.
func NewClient[Q, R any](n *Node, name string, opts ...ServeOption[Q, R]) (*Client[Q, R], error) {
	subj, err := n.subject(name)
	if err != nil {
		return nil, err
	}
	return &Client[Q, R]{n: n, name: name, subject: subj, cfg: serveOptions(opts)}, nil
}

// NodeClient returns a client of the server served under name on the node
// whose registry id is id (see [Node.ID] and [Node.Exporters]), and only
// there: its requests go to that node's node subject of name, which [Serve]
// subscribes on a node started [WithRegistry], instead of the queue group of
// every node serving name. [Client.Ask] returns [ErrNoServer] while that node
// does not serve name (or was started without a registry), even if others do;
// the asking node needs no registry. Costs and errors are [NewClient]'s, and
// [ErrInvalidName] for a bad node id.
func NodeClient[Q, R any](n *Node, id, name string, opts ...ServeOption[Q, R]) (*Client[Q, R], error) {
	subj, err := n.subject(name)
	if err != nil {
		return nil, err
	}
	if err := checkNodeID(id); err != nil {
		return nil, err
	}
	return &Client[Q, R]{n: n, name: name + "@" + id, subject: nodeSubject(n.ns, subj, id), cfg: serveOptions(opts)}, nil
}

// Name returns the remote name the client asks; for a [NodeClient], the
// name, "@" and the node id.
func (c *Client[Q, R]) Name() string { return c.name }

// Ask sends q to the server served under the client's name and waits for
// its reply. It must be called from a plain goroutine: from a reactor's
// handler it returns [reactor.ErrInsideReactor] at once.
//
// It blocks until the reply arrives or ctx ends; it returns at once with
// an error matching [ErrNoServer] if no node serves the name (NATS reports
// the absence of subscribers). It returns the server's value; its error
// as a [*ServerError] (matching [server.ErrServerFailed] or
// [server.ErrServerTerminated] when those were the cause); [ErrEncode] or a
// [*PayloadError] if q could not be sent (nothing is sent then); [ErrDecode]
// if the reply could not be decoded; [ErrClosed] once the node is closed;
// or ctx's error. A reply that arrives after Ask gave up is dropped.
//
// One request costs one NATS round trip through the connection's shared
// reply subscription (no subscription per request), the codecs, and a
// few allocations; see the README's W7 for measured latency.
func (c *Client[Q, R]) Ask(ctx context.Context, q Q) (R, error) {
	var zero R
	if reactor.Inside() {
		return zero, fmt.Errorf("remote: ask %s: %w", c.name, reactor.ErrInsideReactor)
	}
	data, err := encode(c.cfg.qc, q)
	if err != nil {
		return zero, fmt.Errorf("%w: %s: %w", ErrEncode, c.name, err)
	}
	if len(data) > c.n.limit {
		return zero, &PayloadError{Name: c.name, Size: len(data), Limit: c.n.limit}
	}
	m, err := c.n.nc.RequestWithContext(ctx, c.subject, data)
	if err != nil {
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			return zero, context.Cause(ctx)
		}
		return zero, c.n.transportErr(c.name, err)
	}
	if code := m.Header.Get(node.HeaderCode); code != "" {
		return zero, &ServerError{Name: c.name, Code: code, Message: m.Header.Get(node.HeaderMessage)}
	}
	r, err := decode(c.cfg.rc, m.Data)
	if err != nil {
		return zero, fmt.Errorf("%w: reply of %s: %w", ErrDecode, c.name, err)
	}
	return r, nil
}

// Tell sends q to the server served under the client's name as a one-way
// request: nobody waits for the reply, which the server drops. It reports
// like a remote channel's Send (at most once; nil means the connection
// accepted it).
func (c *Client[Q, R]) Tell(q Q) error {
	data, err := encode(c.cfg.qc, q)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrEncode, c.name, err)
	}
	if len(data) > c.n.limit {
		return &PayloadError{Name: c.name, Size: len(data), Limit: c.n.limit}
	}
	if err := c.n.nc.Publish(c.subject, data); err != nil {
		return c.n.transportErr(c.name, err)
	}
	return nil
}
