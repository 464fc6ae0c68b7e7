package remote

import (
	"fmt"
	"sync"

	"github.com/reactors-go/reactors/reactor"
)

// ChannelOption configures a remote channel or an export of events of
// type T.
type ChannelOption[T any] func(*chanConfig[T])

type chanConfig[T any] struct {
	codec Codec[T]
	alo   *AtLeastOnce // nil: at most once
}

// WithCodec sets the codec of a remote channel or export (default
// [JSON][T]). Both ends of a name must agree on it.
func WithCodec[T any](c Codec[T]) ChannelOption[T] {
	return func(cfg *chanConfig[T]) { cfg.codec = c }
}

func chanOptions[T any](opts []ChannelOption[T]) chanConfig[T] {
	cfg := chanConfig[T]{codec: JSON[T]{}}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// Channel returns a channel whose sends encode the event and publish it on
// the node's connection to the subject of name, where whatever node of
// the namespace exports name receives it (see [Export]). It returns
// [ErrInvalidName] for a name [Subject] refuses, and subscribes to nothing:
// the name need not be exported yet (with [WithAtLeastOnce] it subscribes to
// its acknowledgements and can also fail with [ErrClosed]). Call it once per
// name and share the channel; it is safe for concurrent use.
//
// Send encodes v (the codec's cost) and hands it to the connection (a
// lock and a copy into its buffer, about a microsecond for a small event);
// it never waits for the receiver. It returns [ErrEncode] if the codec
// fails, a [*PayloadError] ([ErrPayloadTooLarge]) if the encoded event is
// larger than the node's [Node.MaxPayload], ErrClosed once the node is closed; a
// refused event is not sent and not dead-lettered (the caller has the
// error).
//
// Guarantees. Per-sender FIFO: every send of the node goes through its one
// connection, which delivers in the order of the Send calls, so the
// events of one goroutine (or one reactor) to one name arrive in the
// order sent, and the exporting node hands them to its channel in that
// order. Delivery is at most once, as core NATS's: a nil error means the
// connection accepted the event, not that it arrived. An event sent while
// nobody exports the name, or lost with a connection, is gone without an
// error. Events between different nodes are not ordered.
// WithAtLeastOnce (on this channel and on the export) changes delivery to
// exactly once and in order per channel while the sending node runs, and
// Send can then fail with [ErrWindowFull].
//
// Local channels never go through here: only channels obtained from
// Channel touch NATS, even when the exporter is in the same process.
func Channel[T any](n *Node, name string, opts ...ChannelOption[T]) (reactor.Channel[T], error) {
	subj, err := n.subject(name)
	if err != nil {
		return reactor.Channel[T]{}, err
	}
	cfg := chanOptions(opts)
	s := &sender[T]{n: n, name: name, subject: subj, codec: cfg.codec}
	if app, ok := cfg.codec.(Appender[T]); ok && cfg.alo == nil {
		s.app = app
	}
	if cfg.alo != nil {
		if s.alo, err = newALOSender(n, name, subj, *cfg.alo); err != nil {
			return reactor.Channel[T]{}, err
		}
	}
	return reactor.ChannelOf[T](s), nil
}

// sender publishes the events of one remote channel.
type sender[T any] struct {
	n       *Node
	name    string
	subject string
	codec   Codec[T]
	alo     *aloSender  // nil: at most once (see WithAtLeastOnce)
	app     Appender[T] // the codec's, if it has one and alo is nil
	bufs    sync.Pool   // of *[]byte: encoding buffers for app
}

// Send encodes v, checks its size and publishes it (see [Channel]).
func (s *sender[T]) Send(v T) error {
	if s.app != nil {
		return s.sendAppended(v)
	}
	data, err := encode(s.codec, v)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrEncode, s.name, err)
	}
	if len(data) > s.n.limit {
		return &PayloadError{Name: s.name, Size: len(data), Limit: s.n.limit}
	}
	if s.alo != nil {
		return s.alo.send(data)
	}
	if err := s.n.nc.Publish(s.subject, data); err != nil {
		return s.n.transportErr(s.name, err)
	}
	return nil
}

// sendAppended is Send with the codec's [Appender] and a pooled buffer: the
// connection copies the payload before Publish returns.
func (s *sender[T]) sendAppended(v T) error {
	bp, _ := s.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer s.bufs.Put(bp)
	data, err := appendEncode(s.app, (*bp)[:0], v)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrEncode, s.name, err)
	}
	if cap(data) <= 64<<10 {
		*bp = data // keep the grown buffer, but not a huge one
	}
	if len(data) > s.n.limit {
		return &PayloadError{Name: s.name, Size: len(data), Limit: s.n.limit}
	}
	if err := s.n.nc.Publish(s.subject, data); err != nil {
		return s.n.transportErr(s.name, err)
	}
	return nil
}

// Name returns "remote:" and the remote name.
func (s *sender[T]) Name() string { return "remote:" + s.name }

// Done is closed when the node's connection is closed: the channel can
// send no more ([reactor.Channel.Done] of a remote channel).
func (s *sender[T]) Done() <-chan struct{} { return s.n.closed }
