package table_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/table"
)

// openTable opens table name on n, closing it when the test ends (if the
// test did not).
func openTable(t *testing.T, n *remote.Node, name string) *table.Table[string, int] {
	t.Helper()
	return openTableWith(t, n, name, table.Config[int]{})
}

// openTableWith is openTable with cfg.
func openTableWith(t *testing.T, n *remote.Node, name string, cfg table.Config[int]) *table.Table[string, int] {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	tb, err := table.Open[string, int](ctx, n, name, dht.StringKey, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = tb.Close(ctx)
	})
	return tb
}

// tableNodes starts k members of one JetStream server, each with table
// name open.
func tableNodes(t *testing.T, k int, name string) ([]*remote.Node, []*table.Table[string, int]) {
	t.Helper()
	url := remotetest.JetStreamServer(t, nil)
	var nodes []*remote.Node
	var tables []*table.Table[string, int]
	for i := range k {
		n := remotetest.Member(t, url, fmt.Sprintf("n%d", i+1))
		nodes = append(nodes, n)
		tables = append(tables, openTable(t, n, name))
	}
	return nodes, tables
}

// bounded returns a context ending after wait.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// settledMembers waits until every table lists want as its members.
func settledMembers(t *testing.T, want []string, tables ...*table.Table[string, int]) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, tb := range tables {
			if strings.Join(tb.Members(), ",") != strings.Join(want, ",") {
				return false
			}
		}
		return true
	}, wait, time.Millisecond)
}

func TestTableEveryNodeReachesEveryKey(t *testing.T) {
	_, tables := tableNodes(t, 3, "kv")
	ctx := bounded(t)
	settledMembers(t, []string{"n1", "n2", "n3"}, tables...)
	owners := map[string]int{}
	for i, tb := range tables {
		for j := range 100 {
			k := fmt.Sprintf("k%d-%d", i, j)
			_, had, err := tb.Put(ctx, k, i*1000+j)
			require.NoError(t, err)
			require.False(t, had)
		}
	}
	for i := range tables {
		for j := range 100 {
			k := fmt.Sprintf("k%d-%d", i, j)
			o, err := tables[0].Owner(k)
			require.NoError(t, err)
			owners[o]++
			for _, tb := range tables {
				v, ok, err := tb.Get(ctx, k)
				require.NoError(t, err)
				require.True(t, ok, k)
				require.Equal(t, i*1000+j, v)
				o2, _ := tb.Owner(k)
				require.Equal(t, o, o2, "every node places a key alike")
			}
		}
	}
	require.Len(t, owners, 3, "keys spread over every member: %v", owners)
	for _, tb := range tables {
		n, err := tb.Len(ctx)
		require.NoError(t, err)
		require.Equal(t, 300, n)
	}

	// CompareAndSwap, Delete and Put's previous value, through another node.
	ok, err := tables[1].CompareAndSwap(ctx, "k0-1", 999, 5)
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = tables[1].CompareAndSwap(ctx, "k0-1", 1, 5)
	require.NoError(t, err)
	require.True(t, ok)
	prev, had, err := tables[2].Put(ctx, "k0-1", 6)
	require.NoError(t, err)
	require.True(t, had)
	require.Equal(t, 5, prev)
	prev, had, err = tables[0].Delete(ctx, "k0-1")
	require.NoError(t, err)
	require.True(t, had)
	require.Equal(t, 6, prev)
	_, ok, err = tables[2].Get(ctx, "k0-1")
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = tables[2].CompareAndSwap(ctx, "k0-1", 6, 7)
	require.NoError(t, err)
	require.False(t, ok, "an absent key is never swapped")
}

// A client writes and reads back keys while a node joins and another
// leaves: no write is lost and no read is stale.
func TestTableJoinAndLeaveWhileWriting(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	n1, n2 := remotetest.Member(t, url, "n1"), remotetest.Member(t, url, "n2")
	t1, t2 := openTable(t, n1, "kv"), openTable(t, n2, "kv")
	ctx := bounded(t)

	var written sync.Map // key -> last value acknowledged
	stop := make(chan struct{})
	errs := make(chan error, 2)
	var count sync.WaitGroup
	count.Add(1)
	progress := make(chan int, 1<<16)
	for c, tb := range []*table.Table[string, int]{t1} {
		go func() {
			defer count.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				k := fmt.Sprintf("c%d-%d", c, i%500)
				if _, _, err := tb.Put(ctx, k, i); err != nil {
					errs <- err
					return
				}
				written.Store(k, i)
				v, ok, err := tb.Get(ctx, k)
				if err != nil || !ok || v != i {
					errs <- fmt.Errorf("read of %s after writing %d: %d %v %v", k, i, v, ok, err)
					return
				}
				progress <- i
			}
		}()
	}
	waitFor := func(n int) {
		t.Helper()
		for i := range n {
			select {
			case <-progress:
			case err := <-errs:
				t.Fatalf("writer stopped after %d: %v", i, err)
			case <-ctx.Done():
				t.Fatal("writer made no progress")
			}
		}
	}
	waitFor(300)
	n3 := remotetest.Member(t, url, "n3")
	t3 := openTable(t, n3, "kv")
	waitFor(300)
	require.NoError(t, t2.Close(ctx))
	waitFor(300)
	close(stop)
	count.Wait()
	require.NoError(t, <-errs)
	settledMembers(t, []string{"n1", "n3"}, t1, t3)

	want, onN3 := 0, 0
	written.Range(func(k, v any) bool {
		want++
		if o, _ := t1.Owner(k.(string)); o == "n3" {
			onN3++
		}
		for _, tb := range []*table.Table[string, int]{t1, t3} {
			got, ok, err := tb.Get(ctx, k.(string))
			require.NoError(t, err)
			require.True(t, ok, k)
			require.Equal(t, v, got, k)
		}
		return true
	})
	require.Positive(t, onN3, "keys moved to the node that joined")
	n, err := t3.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, want, n)
	_, _, err = t2.Get(ctx, "c0-1")
	require.ErrorIs(t, err, table.ErrClosed)
	require.ErrorIs(t, t2.Close(ctx), table.ErrClosed)
}

// A member whose connection dies is removed by the others once its lease
// expires: its keys are lost, every other key stays, and the table goes
// on.
// TestTableMemberDies kills a member without a goodbye: a durable
// table's keys survive it, a cache's keys of that member are lost.
func TestTableMemberDies(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(map[bool]string{false: "durable", true: "cache"}[cache], func(t *testing.T) {
			memberDies(t, cache)
		})
	}
}

func memberDies(t *testing.T, cache bool) {
	url := remotetest.JetStreamServer(t, nil)
	var nodes []*remote.Node
	var tables []*table.Table[string, int]
	for i := range 3 {
		n := remotetest.Member(t, url, fmt.Sprintf("n%d", i+1), remote.WithLeaseTTL(time.Second))
		nodes = append(nodes, n)
		tables = append(tables, openTableWith(t, n, "kv", table.Config[int]{Cache: cache}))
	}
	ctx := bounded(t)
	settledMembers(t, []string{"n1", "n2", "n3"}, tables...)
	owned := map[string]string{}
	for i := range 300 {
		k := fmt.Sprintf("k%d", i)
		_, _, err := tables[0].Put(ctx, k, i)
		require.NoError(t, err)
		owned[k], _ = tables[0].Owner(k)
	}
	nodes[2].Conn().Close() // no goodbye: the lease expires
	settledMembers(t, []string{"n1", "n2"}, tables[0], tables[1])
	lost := 0
	for i := range 300 {
		k := fmt.Sprintf("k%d", i)
		v, ok, err := tables[1].Get(ctx, k)
		require.NoError(t, err)
		if cache && owned[k] == "n3" {
			require.False(t, ok, "%s was on the dead node", k)
			lost++
			continue
		}
		require.True(t, ok, k)
		require.Equal(t, i, v)
	}
	if cache {
		require.Positive(t, lost)
	}
	n, err := tables[0].Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 300-lost, n)
	_, _, err = tables[0].Put(ctx, "after", 1)
	require.NoError(t, err)
	v, ok, err := tables[1].Get(ctx, "after")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, v)
	_, _, err = tables[2].Get(ctx, "k1")
	require.ErrorIs(t, err, remote.ErrClosed)
}

func TestTableBadInput(t *testing.T) {
	ctx := bounded(t)
	sys := reactortest.NewSystem(t)
	plain := remotetest.StartNode(t, sys)
	_, err := table.Open[string, int](ctx, plain, "kv", dht.StringKey, table.Config[int]{})
	require.ErrorIs(t, err, remote.ErrNoRegistry)

	url := remotetest.JetStreamServer(t, nil)
	n := remotetest.Member(t, url, "n1")
	_, err = table.Open[string, int](ctx, n, "a.b", dht.StringKey, table.Config[int]{})
	require.ErrorIs(t, err, remote.ErrInvalidName)
	_, err = table.Open[string, int](ctx, n, "kv", nil, table.Config[int]{})
	require.ErrorIs(t, err, dht.ErrNilFunc)
	tb := openTable(t, n, "kv")
	_, err = table.Open[string, int](ctx, n, "kv", dht.StringKey, table.Config[int]{})
	require.ErrorIs(t, err, remote.ErrDuplicateName)

	// A value over the payload limit is refused and nothing is written.
	small := remotetest.Member(t, url, "n2", remote.WithMaxPayload(512))
	ts, err := table.Open[string, string](ctx, small, "big", dht.StringKey, table.Config[string]{})
	require.NoError(t, err)
	defer ts.Close(ctx)
	_, _, err = ts.Put(ctx, "k", strings.Repeat("x", 600))
	var pe *remote.PayloadError
	require.ErrorAs(t, err, &pe)
	_, ok, err := ts.Get(ctx, "k")
	require.NoError(t, err)
	require.False(t, ok)

	// A panicking key function fails only that operation.
	bad, err := table.Open[string, int](ctx, n, "panicky", func(k string) uint64 {
		if k == "boom" {
			panic("no hash for boom")
		}
		return dht.StringKey(k)
	}, table.Config[int]{})
	require.NoError(t, err)
	defer bad.Close(ctx)
	_, _, err = bad.Put(ctx, "boom", 1)
	require.ErrorIs(t, err, dht.ErrUserPanic)
	_, _, err = bad.Put(ctx, "fine", 1)
	require.NoError(t, err)

	// An undecodable request is answered with an error, and the member
	// goes on serving.
	for _, bad := range []string{"{not json", "\x01\x01", "\x01\x01\x00\x05\"k\"", "\x01\x01\x00\x03\"k\"\x00\x00\x00"} {
		msg, err := n.Conn().Request("reactors.#.#dht.kv.n1.op", []byte(bad), wait)
		require.NoError(t, err)
		code, text, err := table.ReplyOf(msg.Data)
		require.NoError(t, err)
		require.NotZero(t, code, "%q", bad)
		require.Contains(t, text, "undecodable", "%q", bad)
	}
	_, _, err = tb.Put(ctx, "k", 1)
	require.NoError(t, err)

	require.NoError(t, tb.Close(ctx))
	_, _, err = tb.Put(ctx, "k", 1)
	require.ErrorIs(t, err, table.ErrClosed)
}

// Nodes that open the table at once all become members: their layout
// writes conflict and are redone on the newer layout.
func TestTableConcurrentJoins(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	const k = 5
	nodes := make([]*remote.Node, k)
	for i := range nodes {
		nodes[i] = remotetest.Member(t, url, fmt.Sprintf("n%d", i+1))
	}
	tables := make([]*table.Table[string, int], k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tables[i], errs[i] = table.Open[string, int](bounded(t), nodes[i], "kv", dht.StringKey, table.Config[int]{})
		}()
	}
	close(start)
	wg.Wait()
	for i := range tables {
		require.NoError(t, errs[i])
		t.Cleanup(func() { _ = tables[i].Close(context.Background()) })
	}
	settledMembers(t, []string{"n1", "n2", "n3", "n4", "n5"}, tables...)
	ctx := bounded(t)
	for i := range 50 {
		_, _, err := tables[i%k].Put(ctx, fmt.Sprint(i), i)
		require.NoError(t, err)
	}
	n, err := tables[k-1].Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 50, n)
}

// A node that comes back under the id of a dead member before the
// member's lease expired leaves and joins afresh: the old member's keys
// are lost, the others stay, and the new node serves its share.
// TestTableNodeBackUnderSameID restarts a member under its id before
// its lease ended: a durable table still has its keys, a cache has lost
// them.
func TestTableNodeBackUnderSameID(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(map[bool]string{false: "durable", true: "cache"}[cache], func(t *testing.T) {
			nodeBack(t, cache)
		})
	}
}

func nodeBack(t *testing.T, cache bool) {
	url := remotetest.JetStreamServer(t, nil)
	cfg := table.Config[int]{Cache: cache}
	n1, n2 := remotetest.Member(t, url, "n1"), remotetest.Member(t, url, "n2")
	t1, _ := openTableWith(t, n1, "kv", cfg), openTableWith(t, n2, "kv", cfg)
	ctx := bounded(t)
	owner := map[string]string{}
	for i := range 100 {
		k := fmt.Sprint(i)
		_, _, err := t1.Put(ctx, k, i)
		require.NoError(t, err)
		owner[k], _ = t1.Owner(k)
	}
	n2.Conn().Close() // dies; its 5 s lease is still there
	again := remotetest.Member(t, url, "n2")
	t2 := openTableWith(t, again, "kv", cfg)
	settledMembers(t, []string{"n1", "n2"}, t1, t2)
	for i := range 100 {
		k := fmt.Sprint(i)
		v, ok, err := t2.Get(ctx, k)
		require.NoError(t, err)
		if cache && owner[k] == "n2" {
			require.False(t, ok, "%s was on the dead node", k)
			_, _, err = t2.Put(ctx, k, -i)
			require.NoError(t, err)
			continue
		}
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	n, err := t1.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 100, n)
}
