package table_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/table"
)

// TestDurableTableOutlivesAllItsMembers kills every member of a durable
// table without a goodbye, then opens it on a new node: every write that
// returned nil is there, deletions included.
func TestDurableTableOutlivesAllItsMembers(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	var nodes []*remote.Node
	var tables []*table.Table[string, int]
	for i := range 3 {
		n := remotetest.Member(t, url, fmt.Sprintf("n%d", i+1), remote.WithLeaseTTL(time.Second))
		nodes = append(nodes, n)
		tables = append(tables, openTable(t, n, "kv"))
	}
	settledMembers(t, []string{"n1", "n2", "n3"}, tables...)
	ctx := bounded(t)
	for i := range 200 {
		_, _, err := tables[i%3].Put(ctx, fmt.Sprint(i), i)
		require.NoError(t, err)
	}
	for i := range 20 {
		_, had, err := tables[(i+1)%3].Delete(ctx, fmt.Sprint(i))
		require.NoError(t, err)
		require.True(t, had)
	}
	swapped, err := tables[2].CompareAndSwap(ctx, "50", 50, -50)
	require.NoError(t, err)
	require.True(t, swapped)
	for _, n := range nodes {
		n.Conn().Close() // no goodbye
	}

	late := remotetest.Member(t, url, "n4", remote.WithLeaseTTL(time.Second))
	tb := openTable(t, late, "kv")
	settledMembers(t, []string{"n4"}, tb)
	n, err := tb.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 180, n)
	for i := range 200 {
		v, ok, err := tb.Get(ctx, fmt.Sprint(i))
		require.NoError(t, err)
		switch {
		case i < 20:
			require.False(t, ok, "%d was deleted", i)
		case i == 50:
			require.True(t, ok)
			require.Equal(t, -50, v)
		default:
			require.True(t, ok, "%d", i)
			require.Equal(t, i, v)
		}
	}
}

// TestDurableWritesGoTogetherOnACluster writes from 16 goroutines at once
// into a durable table on a three-server JetStream cluster: every write
// returns nil, none is refused or placed again (only a layout change
// revokes the epoch the writes go under), and every value reads back.
// (That the writes go together is measured, not tested: W7
// table-put-r3.)
func TestDurableWritesGoTogetherOnACluster(t *testing.T) {
	c := startCluster(t, 3)
	tb := openTable(t, remotetest.Member(t, c.urls(), "n1"), "kv")
	ctx := bounded(t)
	const writers, each = 16, 50
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := range each {
				if _, _, err := tb.Put(ctx, fmt.Sprintf("%d/%d", w, i), i); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		require.NoError(t, <-errs)
	}
	st := tb.Stats()
	require.Zero(t, st.Refused, "no write was refused")
	require.Zero(t, st.Unanswered, "no write was placed again")
	require.Equal(t, uint64(writers*each), st.Stored)
	for w := range writers {
		for i := range each {
			v, ok, err := tb.Get(ctx, fmt.Sprintf("%d/%d", w, i))
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, i, v)
		}
	}
}

// TestDurableTableThroughAJetStreamDomain runs a durable table on two
// leaf nodes whose JetStream is a hub's, reached through its domain:
// writes are stored (through the domain's prefix), a member that leaves
// moves the bucket's stream, and the other member then serves every
// key, loaded from the hub.
func TestDurableTableThroughAJetStreamDomain(t *testing.T) {
	hub := remotetest.DomainHub(t, "hub")
	leaf := func(id string) *remote.Node {
		sys, _ := remotetest.System(t)
		return remotetest.StartNode(t, sys, remote.WithLeafNode(hub), remote.WithRegistry(),
			remote.WithNodeID(id), remote.WithJetStreamDomain("hub"))
	}
	ctx := bounded(t)
	ta := openTable(t, leaf("leaf-a"), "kv")
	tb := openTable(t, leaf("leaf-b"), "kv")
	const n = 40
	for i := range n {
		_, _, err := []*table.Table[string, int]{ta, tb}[i%2].Put(ctx, fmt.Sprint(i), i)
		require.NoError(t, err)
	}
	require.Equal(t, uint64(n), ta.Stats().Stored+tb.Stats().Stored, "every write stored by its key's holder")
	require.NoError(t, tb.Close(ctx))
	for i := range n {
		v, ok, err := ta.Get(ctx, fmt.Sprint(i))
		require.NoError(t, err)
		require.True(t, ok, "%d", i)
		require.Equal(t, i, v)
	}
	require.NotZero(t, ta.Stats().Graves+tb.Stats().Graves, "the layout changes made graves")
}
