package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol/retry"
)

// The tests of Do run in synctest bubbles without a reactor
// system: the calling goroutine is the test's.

// funcProbe is an f for Do that records when each attempt starts
// and answers with results[attempt] (failing past the end), after taking
// the time given.
type funcProbe struct {
	start   time.Time
	starts  []time.Duration
	results []error
	takes   time.Duration
}

func (p *funcProbe) f(ctx context.Context, k int) error {
	p.starts = append(p.starts, time.Since(p.start))
	time.Sleep(p.takes)
	if k < len(p.results) {
		return p.results[k]
	}
	return fmt.Errorf("%w %d", errBoom, k)
}

// TestDoSchedule checks, on virtual time, when the attempts of Do start
// and when it gives up.
func TestDoSchedule(t *testing.T) {
	for _, tc := range []struct {
		name    string
		b       func() retry.Backoff
		results []error
		takes   time.Duration
		starts  []time.Duration
		end     time.Duration
		err     string
	}{
		{"regular", func() retry.Backoff { return retry.Regular(3, time.Second) }, nil, 0,
			[]time.Duration{0, time.Second, 2 * time.Second}, 2 * time.Second,
			"retry: exhausted after 3 attempts: attempt 2: boom 2"},
		{"exponential jittered", func() retry.Backoff {
			return retry.Jittered(retry.Exponential(4, 100*ms, 2, 0), 0.5, seq(0, 0.5, 1, 0))
		}, nil, 0, []time.Duration{0, 100 * ms, 250 * ms, 450 * ms}, 450 * ms,
			"retry: exhausted after 4 attempts: attempt 3: boom 3"},
		{"waits after slow failures", func() retry.Backoff { return retry.Regular(3, time.Second) }, nil, 300 * ms,
			[]time.Duration{0, 1300 * ms, 2600 * ms}, 2900 * ms,
			"retry: exhausted after 3 attempts: attempt 2: boom 2"},
		{"succeeds", func() retry.Backoff { return retry.Regular(5, time.Second) }, []error{errBoom, errBoom, nil}, 0,
			[]time.Duration{0, time.Second, 2 * time.Second}, 2 * time.Second, ""},
		{"succeeds at once", func() retry.Backoff { return retry.Regular(5, time.Second) }, []error{nil}, 0,
			[]time.Duration{0}, 0, ""},
		{"empty", func() retry.Backoff { return retry.Delays() }, nil, 0, nil, 0,
			"retry: exhausted after 0 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := &funcProbe{start: time.Now(), results: tc.results, takes: tc.takes}
				err := retry.Do(context.Background(), tc.b(), p.f)
				require.Equal(t, tc.end, time.Since(p.start))
				require.Equal(t, tc.starts, p.starts)
				if tc.err == "" {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, retry.ErrExhausted)
				require.EqualError(t, err, tc.err)
				if len(tc.starts) > 0 {
					require.ErrorIs(t, err, errBoom)
				}
			})
		})
	}
}

var errCause = errors.New("gave up")

func TestDoContext(t *testing.T) {
	t.Run("ends a wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeoutCause(context.Background(), 1500*ms, errCause)
			defer cancel()
			p := &funcProbe{start: time.Now()}
			err := retry.Do(ctx, retry.Regular(5, time.Second), p.f)
			require.Equal(t, 1500*ms, time.Since(p.start))
			require.Equal(t, []time.Duration{0, time.Second}, p.starts)
			require.ErrorIs(t, err, errCause)
			require.ErrorIs(t, err, errBoom)
			require.NotErrorIs(t, err, retry.ErrExhausted)
			require.EqualError(t, err, "retry: stopped after 2 attempts: gave up; attempt 1: boom 1")
		})
	})
	t.Run("ends an attempt", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 500*ms)
			defer cancel()
			start := time.Now()
			calls := 0
			err := retry.Do(ctx, retry.Regular(5, time.Second), func(ctx context.Context, _ int) error {
				calls++
				<-ctx.Done()
				return ctx.Err()
			})
			require.Equal(t, 500*ms, time.Since(start))
			require.Equal(t, 1, calls)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.EqualError(t, err, "retry: stopped after 1 attempt: context deadline exceeded; attempt 0: context deadline exceeded")
		})
	})
	t.Run("already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := retry.Do(ctx, retry.Regular(5, time.Second), func(context.Context, int) error {
			t.Fatal("called")
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.EqualError(t, err, "retry: stopped after 0 attempts: context canceled")
	})
}

func TestDoCallsDelayInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := recorder{retry.Regular(3, time.Second), make(chan int, 100)}
		p := &funcProbe{start: time.Now()}
		require.ErrorIs(t, retry.Do(context.Background(), b, p.f), retry.ErrExhausted)
		require.Equal(t, []int{0, 1, 2, 3}, drain(b.calls))
	})
}
