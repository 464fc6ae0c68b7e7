package table_test

// The history check is internal/kvcheck's (dht's test uses it too):
// porcupine against a sequential model of one key, failed operations left
// out (they did not happen).

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/internal/kvcheck"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/table"
)

// Clients on several nodes run random operations on a few keys while
// members join and leave; the history must be linearizable.
func TestTableLinearizableAcrossLayoutChanges(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	n1, n2 := remotetest.Member(t, url, "n1"), remotetest.Member(t, url, "n2")
	t1, t2 := openTable(t, n1, "lin"), openTable(t, n2, "lin")
	ctx := bounded(t)

	var h kvcheck.History
	var ops atomic.Int64
	var failed atomic.Pointer[error]
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := func(id int, tb *table.Table[string, int]) {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(uint64(id), 7))
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			in := kvcheck.Random(rng, id, i, 6)
			call := h.Now()
			out, err := kvcheck.Apply(ctx, tb, tb.CompareAndSwap, in)
			if errors.Is(err, table.ErrClosed) {
				return
			}
			if err != nil {
				failed.CompareAndSwap(nil, &err)
				return
			}
			h.Add(id, in, call, out)
			ops.Add(1)
		}
	}
	wg.Add(3)
	go client(0, t1)
	go client(1, t1)
	go client(2, t2)
	after := func(n int64) {
		t.Helper()
		target := ops.Load() + n
		require.Eventually(t, func() bool { return ops.Load() >= target || failed.Load() != nil }, wait, time.Millisecond)
	}
	after(300)
	n3 := remotetest.Member(t, url, "n3")
	t3 := openTable(t, n3, "lin")
	wg.Add(1)
	go client(3, t3)
	after(300)
	require.NoError(t, t2.Close(ctx)) // its client stops with table.ErrClosed
	after(300)
	openTable(t, remotetest.Member(t, url, "n4"), "lin")
	after(300)
	require.NoError(t, t3.Close(ctx))
	after(300)
	close(stop)
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatalf("an operation failed: %v", *err)
	}

	history := h.Ops()
	require.True(t, porcupine.CheckOperations(kvcheck.Model, history), "the history of %d operations is not linearizable", len(history))
	t.Logf("%d operations, linearizable", len(history))
}
