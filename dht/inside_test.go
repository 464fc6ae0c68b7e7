package dht_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// TestBlockingCallsInsideReactorFailAtOnce checks that every call that
// blocks until reactors answer returns reactor.ErrInsideReactor when a
// handler makes it, on the pool and on a dedicated goroutine, instead of
// waiting for ever on work the calling reactor holds up.
func TestBlockingCallsInsideReactorFailAtOnce(t *testing.T) {
	for _, opts := range [][]reactor.SpawnOption{nil, {reactor.WithScheduler(reactor.Dedicated)}} {
		sys, _ := newSystem(t)
		tb := newTable(t, sys, 4)
		ctx := context.Background()
		echo, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
		require.NoError(t, err)
		calls := map[string]func() error{
			"Get":    func() error { _, _, err := tb.Get(ctx, "k"); return err },
			"Put":    func() error { _, _, err := tb.Put(ctx, "k", 1); return err },
			"Delete": func() error { _, _, err := tb.Delete(ctx, "k"); return err },
			"CompareAndSwap": func() error {
				_, err := tb.CompareAndSwap(ctx, "k", 1, 2, func(a, b int) bool { return a == b })
				return err
			},
			"Len":      func() error { _, err := tb.Len(ctx); return err },
			"MultiGet": func() error { _, err := tb.MultiGet(ctx, []string{"a", "b"}); return err },
			"Range":    func() error { return tb.Range(ctx, func(string, int) bool { return true }) },
			"Resize":   func() error { return tb.Resize(ctx, 8) },
			"ScatterGather": func() error {
				_, err := router.ScatterGather(ctx, sys, []reactor.Channel[int]{echo}, func(reactor.Channel[int]) int { return 1 }, 1)
				return err
			},
			"TailChop": func() error {
				_, err := router.TailChop(ctx, sys, []reactor.Channel[int]{echo}, func(reactor.Channel[int]) int { return 1 }, time.Millisecond)
				return err
			},
		}
		errs := make(chan map[string]error, 1)
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) {
				got := map[string]error{}
				for name, call := range calls {
					got[name] = call()
				}
				errs <- got
			})
		}, opts...)
		require.NoError(t, err)
		require.NoError(t, ch.Send(1))
		var got map[string]error
		select {
		case got = <-errs:
		case <-time.After(10 * time.Second):
			t.Fatal("a blocking call hung inside a reactor")
		}
		for name := range calls {
			require.ErrorIs(t, got[name], reactor.ErrInsideReactor, name)
		}
		// From a plain goroutine the same table works.
		_, _, err = tb.Put(ctx, "k", 1)
		require.NoError(t, err)
	}
}
