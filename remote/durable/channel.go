package durable

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
)

// Channel returns a channel whose Send stores each event in the stream of
// name, in n's namespace, and returns once JetStream has acknowledged the
// store; the exports of name ([Export]) take the events from there. It
// creates the stream if no end of the name has yet (see [Config]) and
// subscribes to nothing: the name need not be exported, and events wait
// in the stream until it is. Call it once per name and share the
// channel; it is safe for concurrent use.
//
// Channel blocks for a JetStream request or two (the stream's creation),
// at most until ctx ends or [Config.Timeout] passes. Errors:
// [remote.ErrInvalidName], [ErrInvalidConfig], [remote.ErrClosed],
// [ErrNoJetStream], [ErrStream]; [reactor.ErrInsideReactor] from a
// reactor's handler or constructor.
//
// Send encodes v, publishes it with its id (see [Config.ID]) and waits
// for JetStream's acknowledgement: a nil error means the event is stored
// (on a majority of the stream's replicas) and will be handed to an
// export's channel. It costs the codec and a JetStream publish round trip
// (about a hundred microseconds to a file-backed stream of an in-process
// server, the README's W7). An attempt that gets no acknowledgement
// (a server restarting) is repeated with the same id, which the stream
// stores at most once, until [Config.Timeout]. Errors: [remote.ErrEncode],
// [ErrInvalidID], a [*remote.PayloadError] for an event larger than
// the node's payload limit, [remote.ErrClosed], [ErrNotStored] (the
// event may be stored when the cause was a timeout; see ErrNotStored), and
// [reactor.ErrInsideReactor] when called from a reactor's handler: a
// handler must not wait for a round trip, so a reactor hands its durable
// events to a goroutine (or makes them ordinary remote events). A refused
// event is not dead-lettered: the caller has the error.
//
// Ordering: the Sends of one goroutine are stored in the order made,
// since each returns only once its event is stored; an export hands
// events over in the stream's order. Nothing orders the Sends of
// different goroutines or nodes.
func Channel[T any](ctx context.Context, n *remote.Node, name string, cfg Config[T]) (reactor.Channel[T], error) {
	if reactor.Inside() {
		return reactor.Channel[T]{}, fmt.Errorf("durable: channel %s: %w", name, reactor.ErrInsideReactor)
	}
	cfg = cfg.withDefaults()
	t, err := open(ctx, n, name, cfg)
	if err != nil {
		return reactor.Channel[T]{}, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	s := &sender[T]{t: t, n: n, cfg: cfg, prefix: hex.EncodeToString(b[:]) + "-"}
	return reactor.ChannelOf[T](s), nil
}

// sender stores the events of one durable channel.
type sender[T any] struct {
	t      *target
	n      *remote.Node
	cfg    Config[T]
	prefix string        // of the ids this channel gives its events
	next   atomic.Uint64 // the number of the next id
}

// attemptTimeout bounds each attempt of a Send.
const attemptTimeout = 2 * time.Second

// Send stores v in the stream (see [Channel]).
func (s *sender[T]) Send(v T) error {
	if reactor.Inside() {
		return fmt.Errorf("durable: send %s: %w", s.t.name, reactor.ErrInsideReactor)
	}
	data, err := encode(s.cfg.Codec, v)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", remote.ErrEncode, s.t.name, err)
	}
	if limit := s.n.MaxPayload(); len(data) > limit {
		return &remote.PayloadError{Name: s.t.name, Size: len(data), Limit: limit}
	}
	var id string
	if s.cfg.ID != nil {
		if id, err = eventID(s.cfg.ID, v); err == nil && id == "" {
			err = errors.New("empty")
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidID, s.t.name, err)
		}
	} else {
		id = s.prefix + strconv.FormatUint(s.next.Add(1), 10)
	}
	return s.store(data, id)
}

// store publishes data with id until JetStream acknowledges it, an
// error is final, or the channel's Timeout passes.
func (s *sender[T]) store(data []byte, id string) error {
	deadline := time.Now().Add(s.cfg.Timeout)
	wait := pause
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%w: %s: no acknowledgement within %v", ErrNotStored, s.t.name, s.cfg.Timeout)
		}
		ctx, cancel := context.WithTimeout(context.Background(), min(left, attemptTimeout))
		m := &nats.Msg{Subject: s.t.subject, Data: data, Header: nats.Header{}}
		_, err := s.t.js.PublishMsg(ctx, m, jetstream.WithMsgID(id), jetstream.WithExpectStream(s.t.stream),
			jetstream.WithRetryAttempts(0))
		again := notReady(ctx, err)
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrConnectionDraining):
			return s.t.in.TransportErr(s.t.name, err)
		case errors.Is(err, nats.ErrMaxPayload):
			return &remote.PayloadError{Name: s.t.name, Size: len(data), Limit: s.n.MaxPayload()}
		case !again && isAPIError(err):
			return fmt.Errorf("%w: %s: %w", ErrNotStored, s.t.name, err)
		}
		if time.Until(deadline) <= 0 {
			return fmt.Errorf("%w: %s: %w", ErrNotStored, s.t.name, err)
		}
		if ctx.Err() == nil { // failed at once (no responders): wait before the next attempt
			time.Sleep(min(wait, time.Until(deadline)))
			wait = min(2*wait, 500*time.Millisecond)
		}
	}
}

// isAPIError reports whether err is JetStream's answer refusing a
// request, as opposed to the request going unanswered.
func isAPIError(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api)
}

// Name returns "durable:" and the durable name.
func (s *sender[T]) Name() string { return "durable:" + s.t.name }

// Done is closed when the node's connection is closed: the channel can
// send no more.
func (s *sender[T]) Done() <-chan struct{} { return s.t.in.Closed() }
