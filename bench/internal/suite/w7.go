package suite

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/server"
)

// Sizes of W7.
const (
	w7Events   = 1_000_000 // N of the one-way variants
	w7Requests = 20_000    // sequential requests of the request/reply variants
	w7Warm     = 1_000     // untimed requests before t0
	w7Size     = 64        // bytes of a one-way event
)

// w7Subject is the subject of the raw peer; the framework's subjects are
// those of its names in the default namespace.
const w7Subject = "bench.w7"

// w7 is W7, remote channels: one-way events from a goroutine to a counting
// subscriber, and sequential request/reply against an echo server,
// through NATS on an embedded in-process connection and on loopback TCP.
// The raw peer uses the NATS client directly; the framework sends through
// a remote.Channel to an exported reactor channel, and asks a
// remote.Serve'd server.Server with a remote.Client. In both peers one
// connection carries both directions, and both use 8-byte sequence
// numbers in big-endian (a 64-byte event, an 8-byte request) with a binary codec; the
// oneway-inprocess-json variant shows the default JSON codec's cost on
// an event of about 64 bytes of JSON.
func w7() workload {
	w := workload{
		name: "W7",
		describe: func(cfg *config) string {
			f := RunParams{factor: cfg.scale}
			return fmt.Sprintf("remote oneway N=%d x %d B, reqrep n=%d sequential after %d untimed; one NATS connection per peer (embedded server, in-process or 127.0.0.1 TCP); reactors: remote.Channel -> remote.Export (binary codec; -json: JSON of {seq, 40-byte pad}), remote.Client.Ask -> remote.Serve(server.Spawn); durable N=%d stored one at a time in a file work-queue stream (raw: jetstream.PublishMsg with Nats-Msg-Id -> Consume + Ack; reactors: durable.Channel -> durable.Export, Delivery.Ack; -r3: stream of 3 replicas on a 3-server cluster); table-put N=%d from %d goroutines over %d keys (raw: jetstream.KeyValue.Put; reactors: remote/table Put on a durable table of one member), table-get n=%d sequential (raw: NATS request to a responder on another connection answering from a map; reactors: Get from one member of a two-member table of keys the other holds); JetStream servers on 127.0.0.1, one or (-r3) three clustered",
				f.Count(w7Events), w7Size, f.Count(w7Requests), w7Warm, f.Count(w7DurableEvents),
				f.Count(w7TablePuts), w7TableClients, w7TableKeys, f.Count(w7Requests))
		},
	}
	for _, kind := range []string{"inprocess", "tcp"} {
		w.cases = append(w.cases,
			benchCase{peer: peerRaw, variant: "oneway-" + kind, run: w7RawOneway(kind)},
			benchCase{peer: peerReactors, variant: "oneway-" + kind, run: w7Oneway(kind, false)},
			benchCase{peer: peerRaw, variant: "reqrep-" + kind, run: w7RawReqrep(kind)},
			benchCase{peer: peerReactors, variant: "reqrep-" + kind, run: w7Reqrep(kind)},
		)
		w.ratios = append(w.ratios,
			ratioDef{variant: "oneway-" + kind, refVariant: "oneway-" + kind, metric: "msgs_per_s"},
			ratioDef{variant: "reqrep-" + kind, refVariant: "reqrep-" + kind, metric: "p50_ns"},
		)
	}
	w.cases = append(w.cases, benchCase{peer: peerReactors, variant: "oneway-inprocess-json", run: w7Oneway("inprocess", true)})
	w.ratios = append(w.ratios, ratioDef{variant: "oneway-inprocess-json", refVariant: "oneway-inprocess", metric: "msgs_per_s"})
	w.cases = append(w.cases,
		benchCase{peer: peerRaw, variant: "durable-inprocess", run: w7RawDurable(0)},
		benchCase{peer: peerReactors, variant: "durable-inprocess", run: w7Durable(0)},
		benchCase{peer: peerRaw, variant: "durable-r3", run: w7RawDurable(3)},
		benchCase{peer: peerReactors, variant: "durable-r3", run: w7Durable(3)})
	w.ratios = append(w.ratios,
		ratioDef{variant: "durable-inprocess", refVariant: "durable-inprocess", metric: "msgs_per_s"},
		ratioDef{variant: "durable-r3", refVariant: "durable-r3", metric: "msgs_per_s"})
	for _, servers := range []int{1, 3} {
		suffix := map[int]string{1: "", 3: "-r3"}[servers]
		w.cases = append(w.cases,
			benchCase{peer: peerRaw, variant: "table-put" + suffix, run: w7RawPut(servers)},
			benchCase{peer: peerReactors, variant: "table-put" + suffix, run: w7Put(servers)},
			benchCase{peer: peerRaw, variant: "table-get" + suffix, run: w7RawGet(servers)},
			benchCase{peer: peerReactors, variant: "table-get" + suffix, run: w7Get(servers)})
		w.ratios = append(w.ratios,
			ratioDef{variant: "table-put" + suffix, refVariant: "table-put" + suffix, metric: "ops_per_s"},
			ratioDef{variant: "table-get" + suffix, refVariant: "table-get" + suffix, metric: "p50_ns"})
	}
	return w
}

// w7Server starts an embedded NATS server: in-process only (DontListen),
// or listening on 127.0.0.1 on a random port. stop shuts it down and
// waits for its goroutines.
func w7Server(kind string) (s *natsserver.Server, stop func(), err error) {
	o := &natsserver.Options{NoLog: true, NoSigs: true}
	if kind == "inprocess" {
		o.DontListen = true
	} else {
		o.Host, o.Port = "127.0.0.1", -1
	}
	s, err = natsserver.NewServer(o)
	if err != nil {
		return nil, nil, err
	}
	s.Start()
	stop = func() { s.Shutdown(); s.WaitForShutdown() }
	if !s.ReadyForConnections(10 * time.Second) {
		stop()
		return nil, nil, errors.New("nats server not ready")
	}
	return s, stop, nil
}

// w7RawConn connects the raw peer to s the way a node does.
// w7RawSetup starts a server of kind and connects the raw peer to it;
// stop closes the connection and the server.
func w7RawSetup(kind string) (nc *nats.Conn, stop func(), err error) {
	s, stopServer, err := w7Server(kind)
	if err != nil {
		return nil, nil, err
	}
	if nc, err = w7RawConn(kind, s); err != nil {
		stopServer()
		return nil, nil, err
	}
	return nc, func() { nc.Close(); stopServer() }, nil
}

func w7RawConn(kind string, s *natsserver.Server) (*nats.Conn, error) {
	if kind == "inprocess" {
		return nats.Connect("", nats.InProcessServer(s))
	}
	return nats.Connect(s.ClientURL())
}

// w7Node starts the framework's node on sys: embedded in-process by
// default, or a client of the loopback TCP server s.
func w7Node(kind string, sys *reactor.System) (*remote.Node, func(), error) {
	opts := []remote.Option{remote.WithPendingLimits(-1, -1)}
	stopServer := func() {}
	if kind == "tcp" {
		s, stop, err := w7Server(kind)
		if err != nil {
			return nil, nil, err
		}
		stopServer = stop
		opts = append(opts, remote.WithURL(s.ClientURL()))
	}
	n, err := remote.Start(context.Background(), sys, opts...)
	if err != nil {
		stopServer()
		return nil, nil, err
	}
	return n, func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		_ = n.Close(ctx)
		stopServer()
	}, nil
}

// w7Event is a one-way event: a sequence number and padding.
type w7Event [w7Size]byte

// w7EventCodec is the binary codec of w7Event.
type w7EventCodec struct{}

func (w7EventCodec) Encode(v w7Event) ([]byte, error) { return append([]byte(nil), v[:]...), nil }

// AppendEncode makes the codec a remote.Appender: the channel encodes into
// a buffer it reuses, as the raw peer publishes from one array.
func (w7EventCodec) AppendEncode(dst []byte, v w7Event) ([]byte, error) {
	return append(dst, v[:]...), nil
}

func (w7EventCodec) Decode(data []byte) (w7Event, error) {
	var v w7Event
	if len(data) != w7Size {
		return v, fmt.Errorf("event of %d bytes", len(data))
	}
	copy(v[:], data)
	return v, nil
}

// w7IntCodec is the binary codec of int64 requests and replies.
type w7IntCodec struct{}

func (w7IntCodec) Encode(v int64) ([]byte, error) {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(v)), nil
}

func (w7IntCodec) Decode(data []byte) (int64, error) {
	if len(data) != 8 {
		return 0, fmt.Errorf("int64 of %d bytes", len(data))
	}
	return int64(binary.BigEndian.Uint64(data)), nil
}

// w7Counter counts events and checks that they arrive in the order sent;
// it closes done at the n-th.
type w7Counter struct {
	n, next int64
	bad     atomic.Value // error: the first order violation
	done    chan struct{}
}

func newW7Counter(n int) *w7Counter { return &w7Counter{n: int64(n), done: make(chan struct{})} }

func (c *w7Counter) count(data []byte) { c.countSeq(int64(binary.BigEndian.Uint64(data))) }

// countSeq counts the event numbered seq.
func (c *w7Counter) countSeq(seq int64) {
	if seq != c.next && c.bad.Load() == nil {
		c.bad.Store(fmt.Errorf("event %d arrived as number %d", seq, c.next))
	}
	if c.next++; c.next == c.n {
		close(c.done)
	}
}

// wait waits for the n-th event and reports an order violation.
func (c *w7Counter) wait(deadline <-chan time.Time) error {
	if _, err := AwaitSignal(c.done, deadline, "events"); err != nil {
		return fmt.Errorf("%w (%d of %d arrived: lost at most once)", err, atomic.LoadInt64(&c.next), c.n)
	}
	if err, _ := c.bad.Load().(error); err != nil {
		return err
	}
	return nil
}

// w7Publish publishes n numbered events through send and returns t0.
func w7Publish(n int, send func(ev *w7Event) error) (time.Time, error) {
	var ev w7Event
	t0 := time.Now()
	for i := range n {
		binary.BigEndian.PutUint64(ev[:], uint64(i))
		if err := send(&ev); err != nil {
			return t0, err
		}
	}
	return t0, nil
}

// w7RawOneway publishes on a connection that subscribes to its own
// subject, with unlimited pending limits (no client-side drops).
func w7RawOneway(kind string) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		deadline := NewDeadline()
		defer deadline.Stop()
		nc, stop, err := w7RawSetup(kind)
		if err != nil {
			return nil, err
		}
		defer stop()
		n := p.Count(w7Events)
		c := newW7Counter(n)
		sub, err := nc.Subscribe(w7Subject, func(m *nats.Msg) { c.count(m.Data) })
		if err != nil {
			return nil, err
		}
		if err := sub.SetPendingLimits(-1, -1); err != nil {
			return nil, err
		}
		if err := nc.Flush(); err != nil {
			return nil, err
		}
		t0, err := w7Publish(n, func(ev *w7Event) error { return nc.Publish(w7Subject, ev[:]) })
		if err != nil {
			return nil, err
		}
		if err := c.wait(deadline.C); err != nil {
			return nil, err
		}
		return Result{{"msgs_per_s", float64(n) / time.Since(t0).Seconds()}}, nil
	}
}

// w7JSONEvent is the event of the JSON variant: a sequence number and
// padding to about 64 bytes of JSON ({"seq":N,"pad":"..."}).
type w7JSONEvent struct {
	Seq int64  `json:"seq"`
	Pad string `json:"pad"`
}

// w7Pad pads a JSON event to 64 bytes for 6-digit sequence numbers.
var w7Pad = strings.Repeat(".", 40)

// w7Oneway sends through a remote channel to a counting reactor exported
// on the same node, with the binary codec (or the default JSON codec of a
// struct when json is set).
func w7Oneway(kind string, json bool) func(p RunParams) (Result, error) {
	if json {
		return w7OnewayOf(kind, nil,
			func(seq int) w7JSONEvent { return w7JSONEvent{Seq: int64(seq), Pad: w7Pad} },
			func(ev w7JSONEvent) int64 { return ev.Seq })
	}
	return w7OnewayOf(kind, []remote.ChannelOption[w7Event]{remote.WithCodec[w7Event](w7EventCodec{})},
		func(seq int) w7Event {
			var ev w7Event
			binary.BigEndian.PutUint64(ev[:], uint64(seq))
			return ev
		},
		func(ev w7Event) int64 { return int64(binary.BigEndian.Uint64(ev[:])) })
}

// w7OnewayOf is w7Oneway for events of type E: mk makes event seq, seqOf
// reads it back.
func w7OnewayOf[E any](kind string, opts []remote.ChannelOption[E], mk func(int) E, seqOf func(E) int64) func(p RunParams) (Result, error) {
	return func(p RunParams) (res Result, err error) {
		sys, deadline, finish := startReactors()
		defer finish(&res, &err)
		node, closeNode, err := w7Node(kind, sys)
		if err != nil {
			return nil, err
		}
		defer closeNode()
		n := p.Count(w7Events)
		c := newW7Counter(n)
		counter, err := reactor.Spawn(sys, func(r *reactor.Reactor[E]) {
			r.Main().Events().OnEvent(func(ev E) { c.countSeq(seqOf(ev)) })
		})
		if err != nil {
			return nil, err
		}
		if _, err := remote.Export(node, "w7/counter", counter, opts...); err != nil {
			return nil, err
		}
		ch, err := remote.Channel(node, "w7/counter", opts...)
		if err != nil {
			return nil, err
		}
		if err := node.Conn().Flush(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		for i := range n {
			if err := ch.Send(mk(i)); err != nil {
				return nil, err
			}
		}
		if err := c.wait(deadline.C); err != nil {
			return nil, err
		}
		return Result{{"msgs_per_s", float64(n) / time.Since(t0).Seconds()}}, nil
	}
}

// w7Ask runs warm untimed requests, then the measured ones, through ask,
// checking every echo; the latency of request i is t_i - t_{i-1}.
func w7Ask(p RunParams, ask func(v int64) (int64, error)) (Result, error) {
	for i := range w7Warm {
		v := -int64(i) - 1
		if got, err := ask(v); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		} else if got != v {
			return nil, w4WrongReply(got, v)
		}
	}
	lat := make([]int64, p.Count(w7Requests))
	for i := range lat {
		lat[i] = -1
	}
	t0 := time.Now()
	prev := t0
	for i := range lat {
		v := int64(i)
		got, err := ask(v)
		now := time.Now()
		if err != nil {
			return nil, err
		}
		if got != v {
			return nil, w4WrongReply(got, v)
		}
		lat[i] = int64(now.Sub(prev))
		prev = now
	}
	return W4Run{t0: t0, t1: prev, lat: lat}.Result(), nil
}

// w7RawReqrep answers requests with msg.Respond on the connection that
// asks them with RequestWithContext.
func w7RawReqrep(kind string) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		nc, stop, err := w7RawSetup(kind)
		if err != nil {
			return nil, err
		}
		defer stop()
		if _, err := nc.Subscribe(w7Subject, func(m *nats.Msg) { _ = m.Respond(m.Data) }); err != nil {
			return nil, err
		}
		if err := nc.Flush(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		codec := w7IntCodec{}
		return w7Ask(p, func(v int64) (int64, error) {
			data, _ := codec.Encode(v)
			m, err := nc.RequestWithContext(ctx, w7Subject, data)
			if err != nil {
				return 0, err
			}
			return codec.Decode(m.Data)
		})
	}
}

// w7Reqrep asks a server.Spawn echo server served on the same node.
func w7Reqrep(kind string) func(p RunParams) (Result, error) {
	return func(p RunParams) (res Result, err error) {
		sys, _, finish := startReactors()
		defer finish(&res, &err)
		node, closeNode, err := w7Node(kind, sys)
		if err != nil {
			return nil, err
		}
		defer closeNode()
		srv, err := server.Spawn(sys, func(v int64) (int64, error) { return v, nil })
		if err != nil {
			return nil, err
		}
		codecs := remote.WithCodecs[int64, int64](w7IntCodec{}, w7IntCodec{})
		if _, err := remote.Serve(node, "w7/echo", srv, codecs); err != nil {
			return nil, err
		}
		client, err := remote.NewClient(node, "w7/echo", codecs)
		if err != nil {
			return nil, err
		}
		if err := node.Conn().Flush(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		return w7Ask(p, func(v int64) (int64, error) { return client.Ask(ctx, v) })
	}
}
