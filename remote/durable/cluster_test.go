package durable_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
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
	return remotetest.Cluster(t, ids, clusterStartLimit, func(_ int, routes []string) remote.ClusterConfig {
		return remote.ClusterConfig{Name: "durable", Routes: routes}
	})
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
	// The closed node's server may have led JetStream's meta group and
	// the stream, and each new leader takes an election of 4 to 9 s
	// (nats-server's timeouts): the first event may take longer than
	// reactortest.Patience. What is checked is that none is lost.
	var vs []int
	select {
	case g := <-out:
		vs = append(vs, g.Value)
	case <-time.After(clusterStartLimit):
		t.Fatalf("nothing received within %v of the sending node's close", clusterStartLimit)
	}
	vs = append(vs, receiveValues(t, out, 99)...)
	require.Equal(t, seq(0, 100), vs)
	t.Logf("the events came %v after the sending node closed", time.Since(start))
	quiet(t, out, 100*time.Millisecond)
}
