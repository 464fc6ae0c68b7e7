package remote_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
)

// The history check below is dht's (dht/linearizable_test.go) on a
// remote table: porcupine against a sequential model of one key, the
// history partitioned by key, failed operations left out (they did not
// happen).

type linKind uint8

const (
	linGet linKind = iota
	linPut
	linDelete
	linCAS
)

type linIn struct {
	kind     linKind
	key      string
	val, old int
}

type linOut struct {
	val int
	ok  bool
}

type linState struct {
	val     int
	present bool
}

var linModel = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, o := range h {
			k := o.Input.(linIn).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], o)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return linState{} },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(linState), input.(linIn), output.(linOut)
		prev := linOut{val: s.val, ok: s.present}
		switch in.kind {
		case linGet:
			return out == prev, s
		case linPut:
			return out == prev, linState{val: in.val, present: true}
		case linDelete:
			return out == prev, linState{}
		default:
			swap := s.present && s.val == in.old
			if out.ok != swap {
				return false, s
			}
			if swap {
				return true, linState{val: in.val, present: true}
			}
			return true, s
		}
	},
}

// linHistory records operations with one logical clock for calls and
// returns.
type linHistory struct {
	clock atomic.Int64
	mu    sync.Mutex
	ops   []porcupine.Operation
}

func (h *linHistory) add(client int, in linIn, call int64, out linOut) {
	ret := h.clock.Add(1)
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
}

// linApply runs in on tb.
func linApply(ctx context.Context, tb *remote.Table[string, int], in linIn) (linOut, error) {
	var out linOut
	var err error
	switch in.kind {
	case linGet:
		out.val, out.ok, err = tb.Get(ctx, in.key)
	case linPut:
		out.val, out.ok, err = tb.Put(ctx, in.key, in.val)
	case linDelete:
		out.val, out.ok, err = tb.Delete(ctx, in.key)
	default:
		out.ok, err = tb.CompareAndSwap(ctx, in.key, in.old, in.val)
	}
	return out, err
}

// Clients on several nodes run random operations on a few keys while
// members join and leave; the history must be linearizable.
func TestTableLinearizableAcrossLayoutChanges(t *testing.T) {
	url := jsServer(t, nil)
	n1, n2 := member(t, url, "n1"), member(t, url, "n2")
	t1, t2 := openTable(t, n1, "lin"), openTable(t, n2, "lin")
	ctx := bounded(t)

	var h linHistory
	var ops atomic.Int64
	var failed atomic.Pointer[error]
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := func(id int, tb *remote.Table[string, int]) {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(uint64(id), 7))
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			in := linIn{key: fmt.Sprintf("k%d", rng.IntN(6)), val: id<<20 | i}
			switch p := rng.IntN(100); {
			case p < 40:
				in.kind = linGet
			case p < 75:
				in.kind = linPut
			case p < 85:
				in.kind = linDelete
			default:
				in.kind, in.old = linCAS, rng.IntN(3)<<20|rng.IntN(i+1)
			}
			call := h.clock.Add(1)
			out, err := linApply(ctx, tb, in)
			if errors.Is(err, remote.ErrTableClosed) {
				return
			}
			if err != nil {
				failed.CompareAndSwap(nil, &err)
				return
			}
			h.add(id, in, call, out)
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
	n3 := member(t, url, "n3")
	t3 := openTable(t, n3, "lin")
	wg.Add(1)
	go client(3, t3)
	after(300)
	require.NoError(t, t2.Close(ctx)) // its client stops with ErrTableClosed
	after(300)
	n4 := member(t, url, "n4")
	t4 := openTable(t, n4, "lin")
	after(300)
	require.NoError(t, t3.Close(ctx))
	after(300)
	close(stop)
	wg.Wait()
	_ = t4
	if err := failed.Load(); err != nil {
		t.Fatalf("an operation failed: %v", *err)
	}

	res := porcupine.CheckOperations(linModel, h.ops)
	require.True(t, res, "the history of %d operations is not linearizable", len(h.ops))
	t.Logf("%d operations, linearizable", len(h.ops))
}
