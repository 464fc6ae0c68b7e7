package reactortest_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

func TestRecorderWaitN(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := rt.NewRecorder[int]("sink")
		results := make(chan []int, 2)
		for _, n := range []int{2, 3} {
			go func() {
				got, err := rec.WaitN(context.Background(), n)
				require.NoError(t, err)
				results <- got
			}()
		}
		synctest.Wait()
		require.NoError(t, rec.Send(1))
		synctest.Wait()
		require.Empty(t, results, "nobody is released by one event")
		require.NoError(t, rec.Send(2))
		require.Equal(t, []int{1, 2}, <-results)
		require.NoError(t, rec.Send(3))
		require.Equal(t, []int{1, 2, 3}, <-results)

		got, err := rec.WaitN(context.Background(), 3)
		require.NoError(t, err, "already reached")
		require.Equal(t, []int{1, 2, 3}, got)
		require.Equal(t, 3, rec.Len())
		require.Equal(t, "sink", rec.Name())
	})
}

func TestRecorderWaitNContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := rt.NewRecorder[int]("sink")
		require.NoError(t, rec.Send(1))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		got, err := rec.WaitN(ctx, 2)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, []int{1}, got)
		require.Equal(t, time.Second, time.Since(start))

		// The abandoned wait left nothing behind: later waits work.
		done := make(chan []int)
		go func() {
			got, _ := rec.WaitN(context.Background(), 2)
			done <- got
		}()
		synctest.Wait()
		require.NoError(t, rec.Send(2))
		require.Equal(t, []int{1, 2}, <-done)
	})
}

func TestRecorderEventsIsACopy(t *testing.T) {
	rec := rt.NewRecorder[int]("sink")
	require.NoError(t, rec.Send(1))
	got := rec.Events()
	got[0] = 99
	require.Equal(t, []int{1}, rec.Events())
}

func TestRecorderConcurrent(t *testing.T) {
	const senders, each = 8, 2000
	rec := rt.NewRecorder[int]("sink")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			got, err := rec.WaitN(ctx, (g+1)*senders*each/4)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(got), (g+1)*senders*each/4)
		})
	}
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				_ = rec.Send(s*each + i)
			}
		})
	}
	wg.Wait()
	require.Len(t, counts(rec.Events()), senders*each)
}
