package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/table"
)

// Sizes of the durable-table variants of W7.
const (
	w7TablePuts    = 20_000 // N of a put variant, over all clients
	w7TableClients = 16     // goroutines putting at once
	w7TableKeys    = 10_000 // distinct keys the puts cycle through
	w7TableGetKeys = 1_000  // keys the gets cycle through
)

// The durable-table variants run against standalone JetStream servers
// on 127.0.0.1, both peers as TCP clients, one server ("table-put",
// "table-get") or a cluster of three ("-r3": every stored entry in
// three replicas):
//
//   - put: N puts of "k<i mod 10,000>" from 16 goroutines at once, in
//     ops/s. The raw peer puts into a JetStream key-value bucket
//     (history 1, file storage, replicas as the cluster allows) with
//     jetstream.KeyValue.Put on one connection; the framework puts into
//     a durable remote/table.Table of one member (every key its own, so
//     no request hop: the cost measured is the store).
//   - get: sequential gets, p50 latency, each answered by another
//     process-like party. The raw peer asks a responder on a second
//     connection (on another server of the cluster) that answers from a
//     Go map with NATS request/reply; the framework reads, from one
//     member of a two-member table, keys the other member owns (one
//     request to that member, served from its memory).
//   - durable-r3: durable-inprocess's durable channel with the stream in
//     three replicas on the cluster (sender and exporter on one node).

// w7Cluster is the JetStream servers of a variant.
type w7Cluster struct {
	servers []*natsserver.Server
	dirs    []string
}

// w7JetStream starts n JetStream servers on 127.0.0.1, clustered when
// n > 1, and (for a cluster) waits until it places a bucket of three
// replicas. A cluster that places none within half a minute is stopped
// and started again on other ports, once.
func w7JetStream(n int) (*w7Cluster, error) {
	c, err := w7StartJetStream(n)
	if err != nil && n > 1 {
		c, err = w7StartJetStream(n)
	}
	return c, err
}

// w7StartJetStream is one attempt of w7JetStream; it stops what it
// started when it fails.
func w7StartJetStream(n int) (_ *w7Cluster, err error) {
	c := &w7Cluster{}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	ports, err := w7FreePorts(n)
	if err != nil {
		return nil, err
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, "nats-route://127.0.0.1:"+strconv.Itoa(p))
	}
	for i := range n {
		dir, err := os.MkdirTemp("", "w7-js-")
		if err != nil {
			return nil, err
		}
		c.dirs = append(c.dirs, dir)
		o := &natsserver.Options{ServerName: fmt.Sprintf("w7-%d", i), Host: "127.0.0.1", Port: -1,
			NoLog: true, NoSigs: true, JetStream: true, StoreDir: dir}
		if n > 1 {
			o.Cluster = natsserver.ClusterOpts{Name: "w7", Host: "127.0.0.1", Port: ports[i]}
			o.Routes = natsserver.RoutesFromStr(strings.Join(routes, ","))
		}
		s, err := natsserver.NewServer(o)
		if err != nil {
			return nil, err
		}
		s.Start()
		c.servers = append(c.servers, s)
		if !s.ReadyForConnections(time.Minute) {
			return nil, errors.New("nats server not ready")
		}
	}
	if n == 1 {
		return c, nil
	}
	nc, err := nats.Connect(c.url(0))
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	for end := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "w7-ready", Replicas: 3})
		if err != nil { // an attempt that timed out may have made it
			_, err = js.KeyValue(ctx, "w7-ready")
		}
		cancel()
		if err == nil {
			return c, nil
		}
		if time.Now().After(end) {
			return nil, fmt.Errorf("the cluster places no bucket of 3 replicas: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// w7FreePorts returns n ports free on 127.0.0.1 a moment ago.
func w7FreePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// url returns the client URL of server i.
func (c *w7Cluster) url(i int) string { return c.servers[i].ClientURL() }

// last is the index of the last server (another than 0 on a cluster).
func (c *w7Cluster) last() int { return len(c.servers) - 1 }

// replicas is the replica count of the variant's streams.
func (c *w7Cluster) replicas() int { return min(3, len(c.servers)) }

// stop shuts the servers down and removes their stores.
func (c *w7Cluster) stop() {
	for _, s := range c.servers {
		s.Shutdown()
		s.WaitForShutdown()
	}
	for _, d := range c.dirs {
		_ = os.RemoveAll(d)
	}
}

// w7Clients runs n operations from w7TableClients goroutines at once,
// op(i) for i in 0..n-1, and returns the throughput in ops/s.
func w7Clients(n int, op func(i int) error) (Result, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, w7TableClients)
	t0 := time.Now()
	for c := range w7TableClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := op(i); err != nil {
					errs[c] = err
					return
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return Result{{"ops_per_s", float64(n) / d.Seconds()}}, nil
}

// w7RawJetStream connects the raw peer to the server at url, with
// JetStream.
func w7RawJetStream(url string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// w7TableKey is the key of put i.
func w7TableKey(i int) string { return "k" + strconv.Itoa(i%w7TableKeys) }

// w7RawPut is the raw peer of a put variant on servers servers.
func w7RawPut(servers int) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		c, err := w7JetStream(servers)
		if err != nil {
			return nil, err
		}
		defer c.stop()
		nc, js, err := w7RawJetStream(c.url(0))
		if err != nil {
			return nil, err
		}
		defer nc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "w7", History: 1,
			Storage: jetstream.FileStorage, Replicas: c.replicas()})
		if err != nil {
			return nil, err
		}
		return w7Clients(p.Count(w7TablePuts), func(i int) error {
			data, _ := json.Marshal(i)
			_, err := kv.Put(ctx, w7TableKey(i), data)
			return err
		})
	}
}

// w7Member starts a registry node of a system of its own as a client of
// url and opens the durable table "w7" on it. stop closes the table, the
// node and the system, and fails if an event was dead-lettered.
func w7Member(ctx context.Context, url, id string) (t *table.Table[string, int], stop func() error, err error) {
	sys := reactor.New()
	n, err := remote.Start(ctx, sys, remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id))
	if err != nil {
		return nil, nil, errors.Join(err, closeSystem(sys))
	}
	stop = func() error {
		closeCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if t != nil {
			_ = t.Close(closeCtx)
		}
		_ = n.Close(closeCtx)
		return closeSystem(sys)
	}
	if t, err = table.Open[string, int](ctx, n, "w7", dht.StringKey, table.Config[int]{}); err != nil {
		return nil, nil, errors.Join(err, stop())
	}
	return t, stop, nil
}

// w7Stop runs stop for a deferred call and fails the run with its error.
func w7Stop(stop func() error, res *Result, err *error) {
	if e := stop(); e != nil && *err == nil {
		*res, *err = nil, e
	}
}

// w7Tables runs body with the durable table "w7" open on members m0,
// m1, ... of a fresh cluster of servers servers, member i a client of
// server on[i], and closes them all afterwards.
func w7Tables(servers int, on []int, body func(ctx context.Context, ts []*table.Table[string, int]) (Result, error)) (res Result, err error) {
	c, err := w7JetStream(servers)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	var ts []*table.Table[string, int]
	for i, srv := range on {
		t, stop, err := w7Member(ctx, c.url(srv), "m"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		defer w7Stop(stop, &res, &err)
		ts = append(ts, t)
	}
	return body(ctx, ts)
}

// w7Put is the framework's peer of a put variant on servers servers.
func w7Put(servers int) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		return w7Tables(servers, []int{0}, func(ctx context.Context, ts []*table.Table[string, int]) (Result, error) {
			return w7Clients(p.Count(w7TablePuts), func(i int) error {
				_, _, err := ts[0].Put(ctx, w7TableKey(i), i)
				return err
			})
		})
	}
}

// w7GetAsk turns a get of key i (of keys) into w7Ask's echo: it asks
// get for the value of index v mod len(keys) and answers v if the value
// is that index.
func w7GetAsk(keys []string, get func(key string) (int, error)) func(v int64) (int64, error) {
	return func(v int64) (int64, error) {
		i := int(max(v, -v) % int64(len(keys)))
		got, err := get(keys[i])
		if err != nil {
			return 0, err
		}
		if got != i {
			return 0, fmt.Errorf("get %s: %d, want %d", keys[i], got, i)
		}
		return v, nil
	}
}

// w7RawGet is the raw peer of a get variant: a responder on server
// last answers from a map, a requester on server 0 asks.
func w7RawGet(servers int) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		c, err := w7JetStream(servers)
		if err != nil {
			return nil, err
		}
		defer c.stop()
		owner, err := nats.Connect(c.url(c.last()))
		if err != nil {
			return nil, err
		}
		defer owner.Close()
		asker, err := nats.Connect(c.url(0))
		if err != nil {
			return nil, err
		}
		defer asker.Close()
		keys := make([]string, w7TableGetKeys)
		values := make(map[string][]byte, len(keys))
		for i := range keys {
			keys[i] = "k" + strconv.Itoa(i)
			values[keys[i]], _ = json.Marshal(i)
		}
		var mu sync.Mutex // the owner's map, as a store's would be guarded
		if _, err := owner.Subscribe("w7.get", func(m *nats.Msg) {
			mu.Lock()
			v := values[string(m.Data)]
			mu.Unlock()
			_ = m.Respond(v)
		}); err != nil {
			return nil, err
		}
		if err := owner.Flush(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
		defer cancel()
		if err := w7AwaitInterest(ctx, asker, "w7.get"); err != nil {
			return nil, err
		}
		return w7Ask(p, w7GetAsk(keys, func(key string) (int, error) {
			m, err := asker.RequestWithContext(ctx, "w7.get", []byte(key))
			if err != nil {
				return 0, err
			}
			var v int
			err = json.Unmarshal(m.Data, &v)
			return v, err
		}))
	}
}

// w7AwaitInterest waits until a request on subj from nc finds a
// responder (on a cluster, the interest crosses the routes).
func w7AwaitInterest(ctx context.Context, nc *nats.Conn, subj string) error {
	for {
		_, err := nc.RequestWithContext(ctx, subj, []byte("k0"))
		if err == nil || !errors.Is(err, nats.ErrNoResponders) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// w7Get is the framework's peer of a get variant: members m0 (on server
// 0) and m1 (on server last); m0 gets keys that m1 owns.
func w7Get(servers int) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		return w7Tables(servers, []int{0, servers - 1}, func(ctx context.Context, ts []*table.Table[string, int]) (Result, error) {
			return w7GetFrom(ctx, p, ts[0], ts[1])
		})
	}
}

// w7GetFrom measures gets from t0 of keys that t1 (member "m1") owns.
func w7GetFrom(ctx context.Context, p RunParams, t0, t1 *table.Table[string, int]) (Result, error) {
	for len(t0.Members()) != 2 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("m0 never saw m1 join: %w", err)
		}
		time.Sleep(time.Millisecond)
	}
	var keys []string
	for i := 0; len(keys) < w7TableGetKeys; i++ {
		k := "k" + strconv.Itoa(i)
		if o, err := t0.Owner(k); err != nil {
			return nil, err
		} else if o == "m1" {
			keys = append(keys, k)
		}
	}
	for i, k := range keys {
		if _, _, err := t1.Put(ctx, k, i); err != nil {
			return nil, err
		}
	}
	return w7Ask(p, w7GetAsk(keys, func(key string) (int, error) {
		v, ok, err := t0.Get(ctx, key)
		if err == nil && !ok {
			err = fmt.Errorf("get %s: not found", key)
		}
		return v, err
	}))
}
