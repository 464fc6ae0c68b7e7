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
	require.Equal(t, seq(0, 100), receiveValues(t, out, 100))
	t.Logf("the events came %v after the sending node closed", time.Since(start))
	quiet(t, out, 100*time.Millisecond)
}
