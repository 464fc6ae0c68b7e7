package remote

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote/internal/node"
	"github.com/reactors-go/reactors/server"
)

// ServeOption configures the codecs of a remote server ([Serve]) or of its
// client ([NewClient]).
type ServeOption[Q, R any] func(*serveConfig[Q, R])

type serveConfig[Q, R any] struct {
	qc Codec[Q]
	rc Codec[R]
}

// WithCodecs sets the codecs of requests and replies (default [JSON] for
// both). Server and clients of a name must agree on them.
func WithCodecs[Q, R any](q Codec[Q], r Codec[R]) ServeOption[Q, R] {
	return func(c *serveConfig[Q, R]) { c.qc, c.rc = q, r }
}

func serveOptions[Q, R any](opts []ServeOption[Q, R]) serveConfig[Q, R] {
	cfg := serveConfig[Q, R]{qc: JSON[Q]{}, rc: JSON[R]{}}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// Serve makes srv answer NATS requests to name (see [Client.Ask]): it
// subscribes once to the name's subject, decodes each request, hands it to
// srv as a [server.Request] and sends srv's reply (value or error) back to
// the asker. A message without a reply subject is a one-way request
// ([server.Tell]).
//
// Requests are handed to srv one at a time in arrival order, on one
// goroutine of the connection; an idle server's turn runs on that
// goroutine ([reactor.Channel.SendAndRun]), so a request costs no
// goroutine switch on this side. Replies are sent as srv produces them.
// [Undecodable] requests are dead-lettered with [reactor.ReasonUndecodable]
// (an Undecodable value) and answered with a [ServerError] of [CodeDecode]; a
// request srv refuses (its reactor terminated) or that is dead-lettered
// on this side for a gone server (queued when srv's reactor terminated,
// see [server.UndeliveredError]) is answered with [CodeTerminated]. A
// request srv's reactor holds without answering when it terminates (an
// asynchronous server) gets no answer: its asker waits until its context
// ends. A stream
// server's ([server.ServeStream]) first reply answers the request; the
// others are refused with [reactor.ErrExpired]. Dead letters go to srv's
// system. Requests the connection drops as a slow consumer are reported
// on [Node.Notices] and dead-lettered as [Dropped], as for [Export].
//
// If several nodes serve one name, each request goes to one of them (a NATS
// queue group). On a node started [WithRegistry], Serve also subscribes the
// name's node subject, so that [NodeClient] reaches this node's server only,
// and adds name to the node's lease as Export does ([Node.Exporters] lists
// the nodes serving it; [Exported.Close] of the returned export removes it
// again). Errors: [ErrInvalidName], [ErrDuplicateName] (the node already
// exports or serves name), [ErrClosed]. Serve costs one NATS subscription and
// one goroutine until the returned export is closed (two of each with a
// registry, plus a lease write at Serve and at Close), and per request two
// small allocations beyond the codecs'.
func Serve[Q, R any](n *Node, name string, srv server.Server[Q, R], opts ...ServeOption[Q, R]) (*Exported, error) {
	subj, err := n.subject(name)
	if err != nil {
		return nil, err
	}
	if srv == (server.Server[Q, R]{}) {
		return nil, fmt.Errorf("remote: serve %s: %w", name, reactor.ErrNilChannel)
	}
	cfg := serveOptions(opts)
	if err := n.claim(name); err != nil {
		return nil, err
	}
	dead := "remote:" + name
	sys := deadLetterSystem(n, srv)
	handle := func(m *nats.Msg) {
		q, err := decode(cfg.qc, m.Data)
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrDecode, err)
			sys.DeadLetter(dead, reactor.ReasonUndecodable, Undecodable{
				Name: name, Subject: m.Subject, Data: append([]byte(nil), m.Data...), Err: err,
			})
			node.RespondError(m, CodeDecode, err)
			return
		}
		var req server.Request[Q, R]
		if m.Reply == "" {
			req = server.NewRequest(q, reactor.Channel[server.Reply[R]]{}, 0)
		} else {
			req = server.NewRequest(q, reactor.ChannelOf[server.Reply[R]](&responder[R]{n: n, name: name, m: m, rc: cfg.rc}), 0)
		}
		if err := srv.SendAndRun(n.ctx, req); err != nil {
			code := CodeTerminated
			if errors.Is(err, reactor.ErrFull) {
				code = CodeError
			}
			node.RespondError(m, code, err)
		}
	}
	return n.subscribeExport(name, subj, handle, false, sys)
}

// responder sends the reply of one remote request back to its asker.
type responder[R any] struct {
	n    *Node
	name string
	m    *nats.Msg
	rc   Codec[R]
	done atomic.Bool // set by the first reply
}

// Send answers the request with rep, once; later replies are refused
// with [reactor.ErrExpired].
func (r *responder[R]) Send(rep server.Reply[R]) error {
	if r.done.Swap(true) {
		return reactor.ErrExpired // one reply per request
	}
	if rep.Err != nil {
		code := CodeError
		switch {
		case errors.Is(rep.Err, server.ErrServerFailed):
			code = CodeFailed
		case errors.Is(rep.Err, server.ErrServerTerminated):
			code = CodeTerminated // the request was dead-lettered: the server is gone
		}
		return node.RespondError(r.m, code, rep.Err)
	}
	data, err := encode(r.rc, rep.Value)
	if err != nil {
		return node.RespondError(r.m, CodeEncode, fmt.Errorf("%w: %w", ErrEncode, err))
	}
	if len(data) > r.n.limit {
		return node.RespondError(r.m, CodePayload, &PayloadError{Name: r.name, Size: len(data), Limit: r.n.limit})
	}
	if err := r.m.Respond(data); err != nil {
		return r.n.transportErr(r.name, err)
	}
	return nil
}

// Name names the reply's destination for dead letters.
func (r *responder[R]) Name() string { return "remote reply:" + r.name }
