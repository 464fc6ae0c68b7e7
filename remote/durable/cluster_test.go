package durable_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
)

// clusterStartLimit bounds the start of a clustered registry: its
// JetStream cluster elects a leader in about a second, in 5 to 10 s when
// the first election fails. It is a hang bound, not a speed target.
const clusterStartLimit = 6 * wait

// cluster starts one node per id, each of its own system, with a registry,
// whose embedded servers form a JetStream cluster, every server routing
// to every other one; the nodes start concurrently (the cluster elects
// its leader once a majority runs).
func cluster(t *testing.T, ids ...string) []*remote.Node {
	t.Helper()
	var routes []string
	var listens []string
	for range ids {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		listens = append(listens, l.Addr().String())
		routes = append(routes, "nats-route://"+l.Addr().String())
		require.NoError(t, l.Close())
	}
	nodes := make([]*remote.Node, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		sys, _ := newSystem(t)
		wg.Go(func() {
			nodes[i], errs[i] = remote.Start(t.Context(), sys, remote.WithCluster(remote.ClusterConfig{
				Name: "durable", Listen: listens[i], Routes: routes,
			}), remote.WithRegistry(), remote.WithNodeID(id), remote.WithConnectTimeout(clusterStartLimit))
		})
	}
	wg.Wait()
	for _, n := range nodes {
		if n == nil {
			continue
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			if err := n.Close(ctx); err != nil {
				require.ErrorIs(t, err, remote.ErrClosed)
			}
		})
	}
	for i, err := range errs {
		require.NoError(t, err, "node %s", ids[i])
	}
	return nodes
}

// TestClusterKeepsEventsOfAClosedServer: on a cluster of three embedded
// servers the stream has three replicas, so the events a node stored
// outlive that node and its server.
func TestClusterKeepsEventsOfAClosedServer(t *testing.T) {
	nodes := cluster(t, "a", "b", "c")
	a, c := nodes[0], nodes[2]
	cfg := durable.Config[int]{Timeout: clusterStartLimit}
	ch, err := durable.Channel(t.Context(), c, "replicated", cfg)
	require.NoError(t, err)
	for i := range 100 {
		require.NoError(t, ch.Send(i))
	}
	subj, err := durable.Subject(c.Namespace(), "replicated")
	require.NoError(t, err)
	js, err := jetstream.New(a.Conn())
	require.NoError(t, err)
	s, err := js.Stream(t.Context(), durable.StreamName(subj))
	require.NoError(t, err)
	require.Equal(t, 3, s.CachedInfo().Config.Replicas, "min(3, servers)")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, c.Close(ctx)) // the sender and its server are gone
	start := time.Now()
	_, out := export(t, a, "replicated", cfg)
	require.Equal(t, seq(0, 100), receiveValues(t, out, 100))
	t.Logf("the events came %v after the sending node closed", time.Since(start))
	quiet(t, out, 100*time.Millisecond)
}
