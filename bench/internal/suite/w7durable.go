package suite

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
)

// w7DurableEvents is N of the durable variant: each event is a JetStream
// publish round trip, a few tens of thousands a second.
const w7DurableEvents = 20_000

// The durable variant (durable-inprocess) stores N 64-byte events, sent
// one after another from one goroutine, each acknowledged by JetStream
// before the next is sent, in a file-backed work-queue stream of an
// embedded server (in-process connection), and counts them as a durable
// consumer takes and acknowledges each. The raw peer publishes with
// jetstream.PublishMsg and a Nats-Msg-Id, and consumes with
// Consumer.Consume and Msg.Ack; the framework sends on a durable.Channel
// and exports to a counting reactor through durable.Export, whose handler
// acknowledges each Delivery. Both stop the clock at the N-th event taken.

// w7RawDurable is the raw peer of the durable variant: an embedded
// server in-process (servers 0), or a client of a JetStream cluster of
// servers servers, storing in min(3, servers) replicas.
func w7RawDurable(servers int) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		deadline := NewDeadline()
		defer deadline.Stop()
		var nc *nats.Conn
		replicas := 1
		if servers == 0 {
			dir, err := os.MkdirTemp("", "w7-js-")
			if err != nil {
				return nil, err
			}
			defer func() { _ = os.RemoveAll(dir) }()
			s, err := natsserver.NewServer(&natsserver.Options{DontListen: true, NoLog: true, NoSigs: true, JetStream: true, StoreDir: dir})
			if err != nil {
				return nil, err
			}
			s.Start()
			defer func() { s.Shutdown(); s.WaitForShutdown() }()
			if !s.ReadyForConnections(10 * time.Second) {
				return nil, errors.New("nats server not ready")
			}
			if nc, err = nats.Connect("", nats.InProcessServer(s)); err != nil {
				return nil, err
			}
		} else {
			c, err := w7JetStream(servers)
			if err != nil {
				return nil, err
			}
			defer c.stop()
			if nc, err = nats.Connect(c.url(0)); err != nil {
				return nil, err
			}
			replicas = c.replicas()
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		const subject = w7Subject + ".durable"
		if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "w7", Subjects: []string{subject}, Replicas: replicas,
			Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute}); err != nil {
			return nil, err
		}
		cons, err := js.CreateOrUpdateConsumer(ctx, "w7", jetstream.ConsumerConfig{Durable: "w7",
			AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: durable.DefaultMaxPending})
		if err != nil {
			return nil, err
		}
		n := p.Count(w7DurableEvents)
		c := newW7Counter(n)
		cc, err := cons.Consume(func(m jetstream.Msg) {
			c.count(m.Data())
			_ = m.Ack()
		}, jetstream.PullMaxMessages(256))
		if err != nil {
			return nil, err
		}
		defer cc.Stop()
		prefix := "w7-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
		t0, err := w7Publish(n, func(ev *w7Event) error {
			id := prefix + strconv.FormatUint(binary.BigEndian.Uint64(ev[:]), 10)
			_, err := js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: ev[:]}, jetstream.WithMsgID(id))
			return err
		})
		if err != nil {
			return nil, err
		}
		if err := c.wait(deadline.C); err != nil {
			return nil, err
		}
		return Result{{"msgs_per_s", float64(n) / time.Since(t0).Seconds()}}, nil
	}
}

// w7Durable is the framework's peer of the durable variant: a registry
// node (its embedded server runs JetStream, for servers 0, else a client
// of a cluster of servers servers), a durable channel and an export on
// it.
func w7Durable(servers int) func(p RunParams) (Result, error) {
	return func(p RunParams) (res Result, err error) {
		sys, deadline, finish := startReactors()
		defer finish(&res, &err)
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		opts := []remote.Option{remote.WithRegistry()}
		if servers > 0 {
			c, err := w7JetStream(servers)
			if err != nil {
				return nil, err
			}
			defer c.stop()
			opts = append(opts, remote.WithURL(c.url(0)))
		}
		node, err := remote.Start(ctx, sys, opts...)
		if err != nil {
			return nil, err
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
			defer cancel()
			_ = node.Close(closeCtx)
		}()
		n := p.Count(w7DurableEvents)
		c := newW7Counter(n)
		counter, err := reactor.Spawn(sys, func(r *reactor.Reactor[durable.Delivery[w7Event]]) {
			r.Main().Events().OnEvent(func(d durable.Delivery[w7Event]) {
				c.count(d.Value[:])
				d.Ack()
			})
		})
		if err != nil {
			return nil, err
		}
		cfg := durable.Config[w7Event]{Codec: w7EventCodec{}}
		if _, err := durable.Export(ctx, node, "w7/durable", counter, cfg); err != nil {
			return nil, err
		}
		ch, err := durable.Channel(ctx, node, "w7/durable", cfg)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		for i := range n {
			var ev w7Event
			binary.BigEndian.PutUint64(ev[:], uint64(i))
			if err := ch.Send(ev); err != nil {
				return nil, err
			}
		}
		if err := c.wait(deadline.C); err != nil {
			return nil, err
		}
		return Result{{"msgs_per_s", float64(n) / time.Since(t0).Seconds()}}, nil
	}
}
