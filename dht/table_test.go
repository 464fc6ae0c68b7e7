package dht_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// newSystem returns a system that counts reactor failures, shut down at
// the end of the test.
func newSystem(t *testing.T, opts ...reactor.Option) (*reactor.System, *atomic.Int64) {
	t.Helper()
	var failures atomic.Int64
	opts = append(opts, reactor.WithFailureHandler(func(reactor.Failure) { failures.Add(1) }))
	return reactortest.NewSystem(t, opts...), &failures
}

// newTable returns a string-keyed table of shards shards, closed at the
// end of the test.
func newTable(t *testing.T, sys *reactor.System, shards int) *dht.Table[string, int] {
	t.Helper()
	tb, err := dht.New[string, int](sys, shards, dht.StringKey)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(context.Background())) })
	return tb
}

func TestNewRejectsBadArguments(t *testing.T) {
	sys, _ := newSystem(t)
	_, err := dht.New[string, int](sys, 0, dht.StringKey)
	require.ErrorIs(t, err, dht.ErrShards)
	_, err = dht.New[string, int](sys, 4, nil)
	require.ErrorIs(t, err, dht.ErrNilFunc)
}

// TestOperationSemantics runs each operation on a table holding
// {"a": 1, "b": 2} and checks its result and the table afterwards.
func TestOperationSemantics(t *testing.T) {
	type result struct {
		val int
		ok  bool
	}
	cases := []struct {
		name  string
		do    func(ctx context.Context, tb *dht.Table[string, int]) (result, error)
		want  result
		err   error
		after map[string]int
	}{
		{"get present", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Get(ctx, "a")
			return result{v, ok}, err
		}, result{1, true}, nil, map[string]int{"a": 1, "b": 2}},
		{"get absent", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Get(ctx, "z")
			return result{v, ok}, err
		}, result{0, false}, nil, map[string]int{"a": 1, "b": 2}},
		{"put new", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Put(ctx, "c", 3)
			return result{v, ok}, err
		}, result{0, false}, nil, map[string]int{"a": 1, "b": 2, "c": 3}},
		{"put replaces", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Put(ctx, "a", 10)
			return result{v, ok}, err
		}, result{1, true}, nil, map[string]int{"a": 10, "b": 2}},
		{"put zero value", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Put(ctx, "c", 0)
			return result{v, ok}, err
		}, result{0, false}, nil, map[string]int{"a": 1, "b": 2, "c": 0}},
		{"delete present", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Delete(ctx, "b")
			return result{v, ok}, err
		}, result{2, true}, nil, map[string]int{"a": 1}},
		{"delete absent", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			v, ok, err := tb.Delete(ctx, "z")
			return result{v, ok}, err
		}, result{0, false}, nil, map[string]int{"a": 1, "b": 2}},
		{"cas match", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			ok, err := tb.CompareAndSwap(ctx, "a", 1, 11, dht.Equal)
			return result{0, ok}, err
		}, result{0, true}, nil, map[string]int{"a": 11, "b": 2}},
		{"cas mismatch", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			ok, err := tb.CompareAndSwap(ctx, "a", 5, 11, dht.Equal)
			return result{0, ok}, err
		}, result{0, false}, nil, map[string]int{"a": 1, "b": 2}},
		{"cas absent never swaps", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			ok, err := tb.CompareAndSwap(ctx, "z", 0, 11, dht.Equal)
			return result{0, ok}, err
		}, result{0, false}, nil, map[string]int{"a": 1, "b": 2}},
		{"cas custom equality", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			ok, err := tb.CompareAndSwap(ctx, "b", 0, 20, func(a, b int) bool { return a%2 == b%2 })
			return result{0, ok}, err
		}, result{0, true}, nil, map[string]int{"a": 1, "b": 20}},
		{"cas nil equality", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			ok, err := tb.CompareAndSwap(ctx, "a", 1, 11, nil)
			return result{0, ok}, err
		}, result{0, false}, dht.ErrNilFunc, map[string]int{"a": 1, "b": 2}},
		{"len", func(ctx context.Context, tb *dht.Table[string, int]) (result, error) {
			n, err := tb.Len(ctx)
			return result{n, false}, err
		}, result{2, false}, nil, map[string]int{"a": 1, "b": 2}},
	}
	for _, shards := range []int{1, 3, 16} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%d shards", c.name, shards), func(t *testing.T) {
				ctx := context.Background()
				sys, failures := newSystem(t)
				tb := newTable(t, sys, shards)
				_, _, err := tb.Put(ctx, "a", 1)
				require.NoError(t, err)
				_, _, err = tb.Put(ctx, "b", 2)
				require.NoError(t, err)

				got, err := c.do(ctx, tb)
				if c.err != nil {
					require.ErrorIs(t, err, c.err)
				} else {
					require.NoError(t, err)
					require.Equal(t, c.want, got)
				}
				requireContents(t, tb, c.after, "a", "b", "c", "z")
				require.Zero(t, failures.Load())
			})
		}
	}
}

// requireContents checks that tb holds exactly want, probing the keys of
// want and extra.
func requireContents(t *testing.T, tb *dht.Table[string, int], want map[string]int, extra ...string) {
	t.Helper()
	ctx := context.Background()
	n, err := tb.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, len(want), n, "Len")
	for k, v := range want {
		got, ok, err := tb.Get(ctx, k)
		require.NoError(t, err)
		require.True(t, ok, "key %q", k)
		require.Equal(t, v, got, "key %q", k)
	}
	for _, k := range extra {
		if _, in := want[k]; !in {
			_, ok, err := tb.Get(ctx, k)
			require.NoError(t, err)
			require.False(t, ok, "key %q", k)
		}
	}
}

func TestKeysLandOnTheirPlacementShard(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 7)
	for _, g := range goldenString {
		i, err := tb.Shard(g.key)
		require.NoError(t, err)
		require.Equal(t, dht.Jump(g.hash, 7), i)
	}
	require.Equal(t, 7, tb.Shards())
}

// TestConcurrentClientsMatchModel runs clients on disjoint and shared
// keys at once. Each client's results on its own keys must equal a
// sequential replay on a map; shared counters, incremented with
// CompareAndSwap loops, must count every successful increment.
func TestConcurrentClientsMatchModel(t *testing.T) {
	const (
		clients  = 8
		ops      = 1500
		ownKeys  = 20
		counters = 4
	)
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 5)
	for c := range counters {
		_, _, err := tb.Put(ctx, fmt.Sprintf("counter-%d", c), 0)
		require.NoError(t, err)
	}

	type step struct {
		kind    int // 0 get, 1 put, 2 delete, 3 cas
		key     string
		val     int
		old     int
		gotVal  int
		gotOk   bool
		gotErr  error
		counter int // -1: an own-key step; else a counter increment
	}
	histories := make([][]step, clients)
	increments := make([]int, counters)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 42))
			var h []step
			for i := range ops {
				if rng.IntN(4) == 0 { // a shared counter increment
					k := rng.IntN(counters)
					key := fmt.Sprintf("counter-%d", k)
					for {
						v, _, err := tb.Get(ctx, key)
						if err != nil {
							h = append(h, step{gotErr: err, counter: k})
							break
						}
						ok, err := tb.CompareAndSwap(ctx, key, v, v+1, dht.Equal)
						if err != nil || ok {
							h = append(h, step{gotErr: err, counter: k, gotOk: ok})
							break
						}
					}
					continue
				}
				s := step{kind: rng.IntN(4), key: fmt.Sprintf("c%d-k%d", c, rng.IntN(ownKeys)),
					val: i, old: rng.IntN(ops), counter: -1}
				switch s.kind {
				case 0:
					s.gotVal, s.gotOk, s.gotErr = tb.Get(ctx, s.key)
				case 1:
					s.gotVal, s.gotOk, s.gotErr = tb.Put(ctx, s.key, s.val)
				case 2:
					s.gotVal, s.gotOk, s.gotErr = tb.Delete(ctx, s.key)
				case 3:
					if rng.IntN(2) == 0 { // often compare with the current value
						s.old, _, _ = tb.Get(ctx, s.key)
					}
					s.gotOk, s.gotErr = tb.CompareAndSwap(ctx, s.key, s.old, s.val, dht.Equal)
				}
				h = append(h, s)
			}
			histories[c] = h
		})
	}
	wg.Wait()

	total := 0
	for c, h := range histories {
		model := map[string]int{}
		for i, s := range h {
			require.NoError(t, s.gotErr, "client %d step %d", c, i)
			if s.counter >= 0 {
				require.True(t, s.gotOk)
				increments[s.counter]++
				continue
			}
			cur, had := model[s.key]
			switch s.kind {
			case 0:
				require.Equal(t, had, s.gotOk, "client %d step %d get %s", c, i, s.key)
				require.Equal(t, cur, s.gotVal, "client %d step %d get %s", c, i, s.key)
			case 1:
				require.Equal(t, had, s.gotOk, "client %d step %d put %s", c, i, s.key)
				require.Equal(t, cur, s.gotVal, "client %d step %d put %s", c, i, s.key)
				model[s.key] = s.val
			case 2:
				require.Equal(t, had, s.gotOk, "client %d step %d delete %s", c, i, s.key)
				require.Equal(t, cur, s.gotVal, "client %d step %d delete %s", c, i, s.key)
				delete(model, s.key)
			case 3:
				want := had && cur == s.old
				require.Equal(t, want, s.gotOk, "client %d step %d cas %s", c, i, s.key)
				if want {
					model[s.key] = s.val
				}
			}
		}
		for k := range ownKeys {
			key := fmt.Sprintf("c%d-k%d", c, k)
			v, ok, err := tb.Get(ctx, key)
			require.NoError(t, err)
			want, had := model[key]
			require.Equal(t, had, ok, "final %s", key)
			require.Equal(t, want, v, "final %s", key)
		}
		total += len(model)
	}
	for k, n := range increments {
		v, ok, err := tb.Get(ctx, fmt.Sprintf("counter-%d", k))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, n, v, "counter %d", k)
	}
	n, err := tb.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, total+counters, n)
	require.Zero(t, failures.Load())
}

func TestClosedTable(t *testing.T) {
	ctx := context.Background()
	sys, _ := newSystem(t)
	tb, err := dht.New[string, int](sys, 4, dht.StringKey)
	require.NoError(t, err)
	_, _, err = tb.Put(ctx, "a", 1)
	require.NoError(t, err)
	require.NoError(t, tb.Close(ctx))
	require.NoError(t, tb.Close(ctx), "Close again")

	_, _, err = tb.Get(ctx, "a")
	require.ErrorIs(t, err, dht.ErrClosed)
	_, _, err = tb.Put(ctx, "a", 2)
	require.ErrorIs(t, err, dht.ErrClosed)
	_, _, err = tb.Delete(ctx, "a")
	require.ErrorIs(t, err, dht.ErrClosed)
	_, err = tb.CompareAndSwap(ctx, "a", 1, 2, dht.Equal)
	require.ErrorIs(t, err, dht.ErrClosed)
	_, err = tb.Len(ctx)
	require.ErrorIs(t, err, dht.ErrClosed)

	errs := make(chan error, 5)
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		report := func(err error) { errs <- err }
		tb.GetIn(r, "a").Events().OnError(report)
		tb.PutIn(r, "a", 1).Events().OnError(report)
		tb.DeleteIn(r, "a").Events().OnError(report)
		tb.CompareAndSwapIn(r, "a", 1, 2, dht.Equal).Events().OnError(report)
		tb.LenIn(r).Events().OnError(report)
		r.Main().Seal()
	})
	require.NoError(t, err)
	for range 5 {
		require.ErrorIs(t, <-errs, dht.ErrClosed)
	}
}

// TestCloseWhileClientsRun: every operation racing with Close either
// succeeds or returns ErrClosed.
func TestCloseWhileClientsRun(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb, err := dht.New[string, int](sys, 4, dht.StringKey)
	require.NoError(t, err)
	started := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if i == 10 && c == 0 {
					close(started)
				}
				_, _, err := tb.Put(ctx, fmt.Sprintf("k%d", i%50), i)
				if err != nil {
					require.ErrorIs(t, err, dht.ErrClosed)
					return
				}
			}
		})
	}
	<-started
	require.NoError(t, tb.Close(ctx))
	wg.Wait()
	require.Zero(t, failures.Load())
}
