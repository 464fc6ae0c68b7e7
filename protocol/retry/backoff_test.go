package retry_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol/retry"
)

const ms = time.Millisecond

// schedule lists the delays of b, at most 100.
func schedule(b retry.Backoff) []time.Duration {
	out := []time.Duration{}
	for k := 0; k < 100; k++ {
		d, ok := b.Delay(k)
		if !ok {
			return out
		}
		out = append(out, d)
	}
	return out
}

// TestBackoffGolden pins the exact schedules.
func TestBackoffGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    retry.Backoff
		want []time.Duration
	}{
		{"regular", retry.Regular(3, time.Second), []time.Duration{time.Second, time.Second, time.Second}},
		{"regular empty", retry.Regular(0, time.Second), []time.Duration{}},
		{"regular zero delay", retry.Regular(2, 0), []time.Duration{0, 0}},
		{"linear", retry.Linear(4, 100*ms, 50*ms), []time.Duration{100 * ms, 150 * ms, 200 * ms, 250 * ms}},
		{"linear from zero", retry.Linear(3, 0, time.Second), []time.Duration{0, time.Second, 2 * time.Second}},
		{"linear flat", retry.Linear(2, time.Second, 0), []time.Duration{time.Second, time.Second}},
		{"exponential", retry.Exponential(5, 100*ms, 2, 0), []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms}},
		{"exponential capped", retry.Exponential(5, 100*ms, 2, 500*ms), []time.Duration{100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms}},
		{"exponential 1.5", retry.Exponential(4, 100*ms, 1.5, 0), []time.Duration{100 * ms, 150 * ms, 225 * ms, 337500 * time.Microsecond}},
		{"exponential rounds", retry.Exponential(3, 1, 1.5, 0), []time.Duration{1, 2, 2}}, // 1, 1.5, 2.25
		{"exponential factor 1", retry.Exponential(3, time.Second, 1, 0), []time.Duration{time.Second, time.Second, time.Second}},
		{"exponential zero base", retry.Exponential(2, 0, 2, 0), []time.Duration{0, 0}},
		{"delays", retry.Delays(time.Second, 3*time.Second, 2*time.Second), []time.Duration{time.Second, 3 * time.Second, 2 * time.Second}},
		{"delays empty", retry.Delays(), []time.Duration{}},
		{"full jitter", retry.Jittered(retry.Regular(4, time.Second), 1, seq(0, 0.5, 0.25, 0.75)),
			[]time.Duration{time.Second, 500 * ms, 750 * ms, 250 * ms}},
		{"equal jitter", retry.Jittered(retry.Exponential(3, 200*ms, 2, 0), 0.5, seq(0, 0.5, 0.5)),
			[]time.Duration{200 * ms, 300 * ms, 600 * ms}},
		{"no jitter", retry.Jittered(retry.Regular(2, time.Second), 0, seq(0.5, 0.9)), []time.Duration{time.Second, time.Second}},
		{"jitter clamps", retry.Jittered(retry.Regular(4, time.Second), 1, seq(-1, 2, 1, math.NaN())),
			[]time.Duration{time.Second, 0, 0, time.Second}},
		{"proportional jitter clamps", retry.Jittered(retry.Regular(3, time.Second), 0.5, seq(-1, 2, math.Inf(1))),
			[]time.Duration{time.Second, 500 * ms, 500 * ms}},
		{"jitter of zero", retry.Jittered(retry.Regular(1, 0), 1, seq()), []time.Duration{0}}, // rand not called
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, schedule(tc.b))
		})
	}
}

func TestBackoffOutOfRange(t *testing.T) {
	for _, b := range []retry.Backoff{
		retry.Regular(2, time.Second),
		retry.Linear(2, time.Second, time.Second),
		retry.Exponential(2, time.Second, 2, 0),
		retry.Delays(time.Second, time.Second),
		retry.Jittered(retry.Regular(2, time.Second), 1, nil),
	} {
		for _, k := range []int{-1, 2, math.MaxInt} {
			d, ok := b.Delay(k)
			require.False(t, ok, "%T attempt %d", b, k)
			require.Zero(t, d)
		}
	}
}

// TestBackoffSaturates checks that schedules that never end stay at the
// largest Duration instead of overflowing.
func TestBackoffSaturates(t *testing.T) {
	const maxD = time.Duration(math.MaxInt64)
	for _, tc := range []struct {
		name string
		b    retry.Backoff
		k    int
		want time.Duration
	}{
		{"exponential", retry.Exponential(math.MaxInt, time.Second, 2, 0), 100, maxD},
		{"exponential infinite", retry.Exponential(math.MaxInt, time.Second, 2, 0), 1 << 20, maxD},
		{"exponential just below", retry.Exponential(math.MaxInt, 1, 2, 0), 62, 1 << 62},
		{"exponential capped", retry.Exponential(math.MaxInt, time.Second, 2, time.Minute), 1 << 20, time.Minute},
		{"linear", retry.Linear(math.MaxInt, time.Hour, time.Hour), math.MaxInt - 1, maxD},
		{"linear at the edge", retry.Linear(math.MaxInt, 1, 1), math.MaxInt64 - 1, maxD},
		{"linear one past the edge", retry.Linear(math.MaxInt, 2, 1), math.MaxInt64 - 1, maxD},
		{"linear below the edge", retry.Linear(math.MaxInt, 2, 1), math.MaxInt64 - 3, maxD - 1},
		{"full jitter of the largest", retry.Jittered(retry.Regular(1, maxD), 1, seq(0.5)), 0, 1<<62 - 1},
		{"full jitter to zero", retry.Jittered(retry.Regular(1, maxD), 1, seq(1)), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := tc.b.Delay(tc.k)
			require.True(t, ok)
			require.Equal(t, tc.want, d)
		})
	}
}

// TestJitteredDefaultSource checks the default random source: delays in
// [d*(1-frac), d] that vary.
func TestJitteredDefaultSource(t *testing.T) {
	ds := schedule(retry.Jittered(retry.Regular(100, time.Second), 0.5, nil))
	require.Len(t, ds, 100)
	seen := map[time.Duration]bool{}
	for _, d := range ds {
		require.GreaterOrEqual(t, d, 500*ms)
		require.LessOrEqual(t, d, time.Second)
		seen[d] = true
	}
	require.Greater(t, len(seen), 50)
}

// TestRandExpEquivalent checks the documented translation of Reactors.IO's
// Backoff.randexp: delay k lies in [base*factor^k, base*factor^(k+1)].
func TestRandExpEquivalent(t *testing.T) {
	for _, factor := range []float64{2, 3} {
		for _, r := range []float64{0, 0.3, 0.999999} {
			base := 100 * ms
			b := retry.Jittered(retry.Exponential(5, time.Duration(float64(base)*factor), factor, 0), 1-1/factor,
				func() float64 { return r })
			for k, d := range schedule(b) {
				lo := float64(base) * math.Pow(factor, float64(k))
				require.GreaterOrEqual(t, float64(d), lo-1, "factor %v r %v k %d", factor, r, k)
				require.LessOrEqual(t, float64(d), lo*factor+1, "factor %v r %v k %d", factor, r, k)
			}
		}
	}
}

func TestBackoffPanics(t *testing.T) {
	for _, tc := range []struct {
		msg string
		f   func()
	}{
		{"retry: Regular: negative attempt count", func() { retry.Regular(-1, time.Second) }},
		{"retry: Regular: negative duration", func() { retry.Regular(1, -time.Second) }},
		{"retry: Linear: negative attempt count", func() { retry.Linear(-1, 0, 0) }},
		{"retry: Linear: negative duration", func() { retry.Linear(1, -1, 0) }},
		{"retry: Linear: negative duration", func() { retry.Linear(1, 0, -1) }},
		{"retry: Exponential: negative attempt count", func() { retry.Exponential(-1, 0, 2, 0) }},
		{"retry: Exponential: negative duration", func() { retry.Exponential(1, -1, 2, 0) }},
		{"retry: Exponential: factor must be finite and at least 1", func() { retry.Exponential(1, 1, 0.5, 0) }},
		{"retry: Exponential: factor must be finite and at least 1", func() { retry.Exponential(1, 1, math.NaN(), 0) }},
		{"retry: Exponential: factor must be finite and at least 1", func() { retry.Exponential(1, 1, math.Inf(1), 0) }},
		{"retry: Delays: negative duration", func() { retry.Delays(time.Second, -1) }},
		{"retry: Jittered: frac must be in [0, 1]", func() { retry.Jittered(retry.Regular(1, 1), -0.1, nil) }},
		{"retry: Jittered: frac must be in [0, 1]", func() { retry.Jittered(retry.Regular(1, 1), 1.1, nil) }},
		{"retry: Jittered: frac must be in [0, 1]", func() { retry.Jittered(retry.Regular(1, 1), math.NaN(), nil) }},
	} {
		require.PanicsWithValue(t, tc.msg, tc.f)
	}
}

// TestDelaysCopies checks that Delays does not alias its argument.
func TestDelaysCopies(t *testing.T) {
	ds := []time.Duration{time.Second, 2 * time.Second}
	b := retry.Delays(ds...)
	ds[0] = time.Hour
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second}, schedule(b))
}
