package protocol_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol"
)

// The tests of RetryFunc run in synctest bubbles without a reactor
// system: the calling goroutine is the test's.

// funcProbe is an f for RetryFunc that records when each attempt starts
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

// TestRetryFuncSchedule checks, on virtual time, when the attempts of
// RetryFunc start and when it gives up.
func TestRetryFuncSchedule(t *testing.T) {
	for _, tc := range []struct {
		name    string
		b       func() protocol.Backoff
		results []error
		takes   time.Duration
		starts  []time.Duration
		end     time.Duration
		err     string
	}{
		{"regular", func() protocol.Backoff { return protocol.Regular(3, time.Second) }, nil, 0,
			[]time.Duration{0, time.Second, 2 * time.Second}, 2 * time.Second,
			"protocol: retries exhausted after 3 attempts: attempt 2: boom 2"},
		{"exponential jittered", func() protocol.Backoff {
			return protocol.Jittered(protocol.Exponential(4, 100*ms, 2, 0), 0.5, seq(0, 0.5, 1, 0))
		}, nil, 0, []time.Duration{0, 100 * ms, 250 * ms, 450 * ms}, 450 * ms,
			"protocol: retries exhausted after 4 attempts: attempt 3: boom 3"},
		{"waits after slow failures", func() protocol.Backoff { return protocol.Regular(3, time.Second) }, nil, 300 * ms,
			[]time.Duration{0, 1300 * ms, 2600 * ms}, 2900 * ms,
			"protocol: retries exhausted after 3 attempts: attempt 2: boom 2"},
		{"succeeds", func() protocol.Backoff { return protocol.Regular(5, time.Second) }, []error{errBoom, errBoom, nil}, 0,
			[]time.Duration{0, time.Second, 2 * time.Second}, 2 * time.Second, ""},
		{"succeeds at once", func() protocol.Backoff { return protocol.Regular(5, time.Second) }, []error{nil}, 0,
			[]time.Duration{0}, 0, ""},
		{"empty", func() protocol.Backoff { return protocol.Delays() }, nil, 0, nil, 0,
			"protocol: retries exhausted after 0 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := &funcProbe{start: time.Now(), results: tc.results, takes: tc.takes}
				err := protocol.RetryFunc(context.Background(), tc.b(), p.f)
				require.Equal(t, tc.end, time.Since(p.start))
				require.Equal(t, tc.starts, p.starts)
				if tc.err == "" {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, protocol.ErrRetriesExhausted)
				require.EqualError(t, err, tc.err)
				if len(tc.starts) > 0 {
					require.ErrorIs(t, err, errBoom)
				}
			})
		})
	}
}

var errCause = errors.New("gave up")

func TestRetryFuncContext(t *testing.T) {
	t.Run("ends a wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeoutCause(context.Background(), 1500*ms, errCause)
			defer cancel()
			p := &funcProbe{start: time.Now()}
			err := protocol.RetryFunc(ctx, protocol.Regular(5, time.Second), p.f)
			require.Equal(t, 1500*ms, time.Since(p.start))
			require.Equal(t, []time.Duration{0, time.Second}, p.starts)
			require.ErrorIs(t, err, errCause)
			require.ErrorIs(t, err, errBoom)
			require.NotErrorIs(t, err, protocol.ErrRetriesExhausted)
			require.EqualError(t, err, "protocol: retry stopped after 2 attempts: gave up; attempt 1: boom 1")
		})
	})
	t.Run("ends an attempt", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 500*ms)
			defer cancel()
			start := time.Now()
			calls := 0
			err := protocol.RetryFunc(ctx, protocol.Regular(5, time.Second), func(ctx context.Context, _ int) error {
				calls++
				<-ctx.Done()
				return ctx.Err()
			})
			require.Equal(t, 500*ms, time.Since(start))
			require.Equal(t, 1, calls)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.EqualError(t, err, "protocol: retry stopped after 1 attempt: context deadline exceeded; attempt 0: context deadline exceeded")
		})
	})
	t.Run("already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := protocol.RetryFunc(ctx, protocol.Regular(5, time.Second), func(context.Context, int) error {
			t.Fatal("called")
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.EqualError(t, err, "protocol: retry stopped after 0 attempts: context canceled")
	})
}

func TestRetryFuncCallsDelayInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := recorder{protocol.Regular(3, time.Second), make(chan int, 100)}
		p := &funcProbe{start: time.Now()}
		require.ErrorIs(t, protocol.RetryFunc(context.Background(), b, p.f), protocol.ErrRetriesExhausted)
		require.Equal(t, []int{0, 1, 2, 3}, drain(b.calls))
	})
}
