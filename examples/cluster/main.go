// Command cluster spreads one sharded key-value table (table.Table) over
// several nodes and uses it from every node. By default it runs three
// nodes in this process, each with its own reactor system, around a NATS
// server with JetStream that it starts itself on the loopback interface
// (nothing to install or start): every node puts its share of the keys,
// every node reads every key back, and it prints where the keys live.
// Then a fourth node joins (about a quarter of the keys move to it, none
// between the others) and the second node leaves (its keys move to the
// rest); after each change every node reads every key again.
//
//	go run ./examples/cluster [-nodes 3] [-keys 300] [-show 5]
//
// With -url it runs one node of a cluster instead, against an existing
// NATS deployment with JetStream (nats-server 2.11 or newer); start one
// process per node, each with its own -id:
//
//	go run ./examples/cluster -url nats://127.0.0.1:4222 -id a -nodes 3
//
// Each such node waits until -nodes members have joined, puts -keys keys
// of its own, waits until the table holds the keys of every member,
// reads them all back, prints where they live and leaves.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/table"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", "", "NATS URL of an existing deployment: run one node of a cluster (default: three nodes in this process)")
	flag.StringVar(&cfg.id, "id", "", "this node's id with -url")
	flag.IntVar(&cfg.nodes, "nodes", 3, "nodes of the cluster (in this process, or expected with -url)")
	flag.IntVar(&cfg.keys, "keys", 300, "keys in all (in this process) or per node (with -url)")
	flag.IntVar(&cfg.show, "show", 5, "keys printed with the node that holds them")
	flag.DurationVar(&cfg.timeout, "timeout", time.Minute, "how long the program may take")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	var err error
	if cfg.url == "" {
		_, err = run(ctx, os.Stdout, cfg)
	} else {
		_, err = runNode(ctx, os.Stdout, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

type config struct {
	url, id     string
	nodes, keys int
	show        int
	timeout     time.Duration
}

// The table of the example and its keys: key i is "item-i" with value i.
const tableName = "inventory"

func key(i int) string { return fmt.Sprintf("item-%d", i) }

// node is one member: its reactor system, its NATS node and its part of
// the table.
type node struct {
	id    string
	sys   *reactor.System
	n     *remote.Node
	table *table.Table[string, int]
}

// join starts a node with its own system, connected to url, and opens the
// table on it.
func join(ctx context.Context, url, id string) (*node, error) {
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()))
	n, err := remote.Start(context.Background(), sys, remote.WithURL(url), remote.WithRegistry(), remote.WithNodeID(id))
	if err != nil {
		_ = sys.Shutdown(ctx)
		return nil, err
	}
	t, err := table.Open[string, int](ctx, n, tableName, dht.StringKey, table.Config[int]{})
	if err != nil {
		_ = n.Close(ctx)
		_ = sys.Shutdown(ctx)
		return nil, err
	}
	return &node{id: id, sys: sys, n: n, table: t}, nil
}

// leave closes the node's table (handing its keys over), node and system.
func (nd *node) leave(ctx context.Context) error {
	err := nd.table.Close(ctx)
	if cerr := nd.n.Close(ctx); err == nil {
		err = cerr
	}
	if serr := nd.sys.Shutdown(ctx); err == nil {
		err = serr
	}
	return err
}

// stats is what a run saw, for the test.
type stats struct {
	placed  map[string]int // keys per node after the puts
	joined  map[string]int // after the extra node joined
	left    map[string]int // after the second node left
	movedIn int            // keys whose holder changed on the join
	moved   int            // keys that moved between nodes that were members before and after the join
	bad     int            // reads (by any node, at any stage) that did not return the key's value
	lens    []int          // Len as every node saw it, at every stage
}

// run is the default: a NATS server on the loopback interface and
// cfg.nodes nodes around it in this process.
func run(ctx context.Context, out io.Writer, cfg config) (*stats, error) {
	hub, err := startHub()
	if err != nil {
		return nil, err
	}
	defer hub.stop()
	fmt.Fprintf(out, "NATS with JetStream on %s (loopback only)\n", hub.s.ClientURL())

	var nodes []*node
	defer func() {
		for _, nd := range nodes {
			_ = nd.leave(ctx)
		}
	}()
	for i := range cfg.nodes {
		nd, err := join(ctx, hub.s.ClientURL(), fmt.Sprintf("node-%d", i+1))
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, nd)
	}
	st := &stats{}
	// Node i puts every cfg.nodes-th key, starting at i.
	for i := range cfg.keys {
		if _, _, err := nodes[i%len(nodes)].table.Put(ctx, key(i), i); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(out, "%d nodes put %d keys\n", len(nodes), cfg.keys)
	if st.placed, err = check(ctx, out, st, nodes, cfg); err != nil {
		return nil, err
	}
	before := owners(nodes[0].table, cfg.keys)

	extra, err := join(ctx, hub.s.ClientURL(), fmt.Sprintf("node-%d", cfg.nodes+1))
	if err != nil {
		return nil, err
	}
	nodes = append(nodes, extra)
	after := owners(extra.table, cfg.keys)
	for i := range cfg.keys {
		switch {
		case before[i] == after[i]:
		case after[i] == extra.id:
			st.movedIn++
		default:
			st.moved++
		}
	}
	fmt.Fprintf(out, "%s joined: %d of %d keys moved to it, %d between the others\n", extra.id, st.movedIn, cfg.keys, st.moved)
	if st.joined, err = check(ctx, out, st, nodes, cfg); err != nil {
		return nil, err
	}

	if len(nodes) > 2 {
		gone := nodes[1]
		nodes = slices.Delete(nodes, 1, 2)
		if err := gone.leave(ctx); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "%s left, handing its keys over\n", gone.id)
		if st.left, err = check(ctx, out, st, nodes, cfg); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// check reads every key from every node, prints where the keys live and
// returns the count per node.
func check(ctx context.Context, out io.Writer, st *stats, nodes []*node, cfg config) (map[string]int, error) {
	for _, nd := range nodes {
		for i := range cfg.keys {
			v, ok, err := nd.table.Get(ctx, key(i))
			if err != nil {
				return nil, err
			}
			if !ok || v != i {
				st.bad++
			}
		}
		n, err := nd.table.Len(ctx)
		if err != nil {
			return nil, err
		}
		st.lens = append(st.lens, n)
	}
	fmt.Fprintf(out, "  every node read all %d keys back (%d wrong reads so far); Len is %d\n", cfg.keys, st.bad, st.lens[len(st.lens)-1])
	count := map[string]int{}
	for _, o := range owners(nodes[0].table, cfg.keys) {
		count[o]++
	}
	ids := nodes[0].table.Members()
	for _, id := range ids {
		fmt.Fprintf(out, "  %-8s holds %4d keys\n", id, count[id])
	}
	for i := range min(cfg.show, cfg.keys) {
		o, _ := nodes[0].table.Owner(key(i))
		fmt.Fprintf(out, "  %-9s lives on %s\n", key(i), o)
	}
	return count, nil
}

// owners returns the holder of every key as t sees it.
func owners(t *table.Table[string, int], keys int) []string {
	out := make([]string, keys)
	for i := range out {
		out[i], _ = t.Owner(key(i))
	}
	return out
}

// hub is the example's NATS server.
type hub struct {
	s   *natsserver.Server
	dir string
}

// startHub starts a NATS server with JetStream on 127.0.0.1, on a port the
// system picks.
func startHub() (*hub, error) {
	dir, err := os.MkdirTemp("", "cluster-js-")
	if err != nil {
		return nil, err
	}
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.Start()
	h := &hub{s: s, dir: dir}
	if !s.ReadyForConnections(10 * time.Second) {
		h.stop()
		return nil, fmt.Errorf("NATS server not ready")
	}
	return h, nil
}

func (h *hub) stop() {
	h.s.Shutdown()
	h.s.WaitForShutdown()
	_ = os.RemoveAll(h.dir)
}
