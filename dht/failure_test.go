package dht_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
)

// fill puts n keys into tb and returns them as a map.
func fill(t *testing.T, tb *dht.Table[string, int], n int) map[string]int {
	t.Helper()
	want := map[string]int{}
	for i := range n {
		k := fmt.Sprintf("key-%d", i)
		_, _, err := tb.Put(context.Background(), k, i)
		require.NoError(t, err)
		want[k] = i
	}
	return want
}

func TestKeyFunctionPanicFailsOnlyThatOperation(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	key := func(k string) uint64 {
		if k == "boom" {
			panic("bad key")
		}
		return dht.StringKey(k)
	}
	tb, err := dht.New[string, int](sys, 4, key)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(ctx)) })
	want := fill(t, tb, 100)

	_, _, err = tb.Get(ctx, "boom")
	require.ErrorIs(t, err, dht.ErrUserPanic)
	require.ErrorContains(t, err, "bad key")
	_, _, err = tb.Put(ctx, "boom", 1)
	require.ErrorIs(t, err, dht.ErrUserPanic)
	_, _, err = tb.Delete(ctx, "boom")
	require.ErrorIs(t, err, dht.ErrUserPanic)
	_, err = tb.CompareAndSwap(ctx, "boom", 1, 2, dht.Equal)
	require.ErrorIs(t, err, dht.ErrUserPanic)
	_, err = tb.Shard("boom")
	require.ErrorIs(t, err, dht.ErrUserPanic)

	requireContents(t, tb, want)
	require.Zero(t, failures.Load())
}

func TestEqualityPanicKeepsShardAndData(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb := newTable(t, sys, 3)
	want := fill(t, tb, 300)

	for range 3 { // more than once: the shard keeps serving
		swapped, err := tb.CompareAndSwap(ctx, "key-7", 7, 70, func(a, b int) bool { panic("bad equality") })
		require.ErrorIs(t, err, dht.ErrUserPanic)
		require.ErrorContains(t, err, "bad equality")
		require.False(t, swapped)
	}
	requireContents(t, tb, want)
	ok, err := tb.CompareAndSwap(ctx, "key-7", 7, 70, dht.Equal)
	require.NoError(t, err)
	require.True(t, ok)
	require.Zero(t, failures.Load(), "no shard reactor failed")
}

// TestUnhashableInterfaceKey: the map's own hashing of an interface key
// whose dynamic type is not comparable panics in the shard; only that
// operation fails.
func TestUnhashableInterfaceKey(t *testing.T) {
	ctx := context.Background()
	sys, failures := newSystem(t)
	tb, err := dht.New[any, int](sys, 2, func(k any) uint64 { return dht.HashString(fmt.Sprint(k)) })
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tb.Close(ctx)) })
	for i := range 50 {
		_, _, err := tb.Put(ctx, i, i)
		require.NoError(t, err)
	}
	_, _, err = tb.Put(ctx, []int{1}, 1)
	require.ErrorIs(t, err, dht.ErrUserPanic)
	_, _, err = tb.Get(ctx, []int{1})
	require.ErrorIs(t, err, dht.ErrUserPanic)
	n, err := tb.Len(ctx)
	require.NoError(t, err)
	require.Equal(t, 50, n)
	for i := range 50 {
		v, ok, err := tb.Get(ctx, i)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	require.Zero(t, failures.Load())
}

func TestCanceledContextSendsNothing(t *testing.T) {
	sys, _ := newSystem(t)
	tb := newTable(t, sys, 2)
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("caller gave up")
	cancel(cause)
	_, _, err := tb.Put(ctx, "a", 1)
	require.ErrorIs(t, err, cause)
	requireContents(t, tb, map[string]int{}, "a")
}

// askedCtx is a context that reports when Ask first waits on it, that
// is, after the request was sent.
type askedCtx struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func (c *askedCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}

// TestContextExpiryRevertsOperation: an operation whose context ends
// while it waits in its shard's queue returns the context's error, and
// the shard, finding its reply refused, reverts it.
func TestContextExpiryRevertsOperation(t *testing.T) {
	for _, name := range []string{"put new", "put existing", "delete", "cas"} {
		t.Run(name, func(t *testing.T) {
			bg := context.Background()
			expired := make(chan struct{}, 1)
			sys, _ := newSystem(t, reactor.WithLogger(zerolog.Nop()), reactor.WithDeadLetterHandler(func(d reactor.DeadLetter) {
				if d.Reason == reactor.ReasonExpired {
					expired <- struct{}{}
				}
			}))
			tb := newTable(t, sys, 1)
			want := map[string]int{"x": 1, "k": 5}
			for k, v := range want {
				_, _, err := tb.Put(bg, k, v)
				require.NoError(t, err)
			}

			// Hold the shard busy inside an equality.
			inEq, release := make(chan struct{}), make(chan struct{})
			held := make(chan error, 1)
			go func() {
				_, err := tb.CompareAndSwap(bg, "x", 1, 1, func(a, b int) bool {
					close(inEq)
					<-release
					return false
				})
				held <- err
			}()
			<-inEq

			inner, cancel := context.WithCancel(bg)
			ctx := &askedCtx{Context: inner, asked: make(chan struct{})}
			done := make(chan error, 1)
			go func() {
				var err error
				switch name {
				case "put new":
					_, _, err = tb.Put(ctx, "n", 9)
				case "put existing":
					_, _, err = tb.Put(ctx, "k", 9)
				case "delete":
					_, _, err = tb.Delete(ctx, "k")
				case "cas":
					_, err = tb.CompareAndSwap(ctx, "k", 5, 9, dht.Equal)
				}
				done <- err
			}()
			<-ctx.asked // the request is in the shard's queue
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
			close(release)
			require.NoError(t, <-held)
			<-expired // the shard applied the operation, then found its reply refused

			requireContents(t, tb, want, "n")
		})
	}
}
