package retry

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff is a retry schedule: how many attempts a retry may make and how
// long each one is given before the next. Delay(k) returns the delay of
// attempt k and true, or false when the schedule has no attempt k: a
// schedule of n attempts reports true for attempts 0 to n-1 and false for
// any other number.
//
// What the delay of attempt k means depends on the retry: [Events] starts
// attempt k+1 Delay(k) after attempt k started (and gives up Delay(k)
// after the last attempt started), [Do] waits Delay(k) after attempt k
// failed. Both call [Backoff.Delay] once per attempt number, in increasing order,
// so a schedule may draw random numbers ([Jittered]) and stay consistent.
//
// The schedules of this package are immutable values, safe for concurrent
// use; Jittered is as safe as its random source. Delay costs a few
// arithmetic operations and allocates nothing. Any type with this method
// is a schedule; one that never reports false retries for ever.
type Backoff interface {
	Delay(attempt int) (time.Duration, bool)
}

// Regular returns a schedule of n attempts, each given d: attempts start
// at 0, d, 2d, ... (Reactors.IO's Backoff.regular). It panics if n or d
// is negative.
func Regular(n int, d time.Duration) Backoff {
	mustCount("Regular", n)
	mustDuration("Regular", d)
	return regular{n: n, d: d}
}

type regular struct {
	n int
	d time.Duration
}

func (b regular) Delay(k int) (time.Duration, bool) {
	if k < 0 || k >= b.n {
		return 0, false
	}
	return b.d, true
}

// Linear returns a schedule of n attempts whose delays grow by step:
// base, base+step, base+2*step, ..., saturating at the largest Duration.
// Reactors.IO's Backoff.linear(n, base, offset) is Linear(n, base+offset,
// base). It panics if n, base or step is negative.
func Linear(n int, base, step time.Duration) Backoff {
	mustCount("Linear", n)
	mustDuration("Linear", base)
	mustDuration("Linear", step)
	return linear{n: n, base: base, step: step}
}

type linear struct {
	n          int
	base, step time.Duration
}

func (b linear) Delay(k int) (time.Duration, bool) {
	if k < 0 || k >= b.n {
		return 0, false
	}
	if b.step > 0 && int64(k) > (math.MaxInt64-int64(b.base))/int64(b.step) {
		return math.MaxInt64, true
	}
	return b.base + time.Duration(k)*b.step, true
}

// Exponential returns a schedule of n attempts whose delays grow by
// factor: base, base*factor, base*factor², ..., each capped at limit (no
// cap if limit <= 0; the largest Duration at most), rounded to the
// nanosecond. Reactors.IO's Backoff.exp(n, base, factor) is
// Exponential(n, base, factor, 0). It panics if n or base is negative or
// factor is less than 1 (or NaN).
func Exponential(n int, base time.Duration, factor float64, limit time.Duration) Backoff {
	mustCount("Exponential", n)
	mustDuration("Exponential", base)
	if !(factor >= 1) || math.IsInf(factor, 1) {
		panic("retry: Exponential: factor must be finite and at least 1")
	}
	if limit <= 0 {
		limit = math.MaxInt64
	}
	return exponential{n: n, base: base, factor: factor, limit: limit}
}

type exponential struct {
	n           int
	base, limit time.Duration
	factor      float64
}

func (b exponential) Delay(k int) (time.Duration, bool) {
	if k < 0 || k >= b.n {
		return 0, false
	}
	if b.base == 0 {
		return 0, true
	}
	f := math.Round(float64(b.base) * math.Pow(b.factor, float64(k)))
	// Also +Inf. float64(b.limit) is the float nearest b.limit, so a
	// smaller float converts to at most b.limit.
	if f >= float64(b.limit) {
		return b.limit, true
	}
	return time.Duration(f), true
}

// Delays returns the schedule of the given delays, one attempt per delay
// (Reactors.IO's retry(backoffScheme)). It copies ds. It panics if a
// delay is negative.
func Delays(ds ...time.Duration) Backoff {
	for _, d := range ds {
		mustDuration("Delays", d)
	}
	return delays(append([]time.Duration(nil), ds...))
}

type delays []time.Duration

func (b delays) Delay(k int) (time.Duration, bool) {
	if k < 0 || k >= len(b) {
		return 0, false
	}
	return b[k], true
}

// Jittered returns b with random jitter: each delay d of b becomes
// d - frac*r*d for a fresh r from rand (rounded to the nanosecond), so it
// lies in [d*(1-frac), d] and never exceeds d: frac = 1 is full jitter
// (anywhere in [0, d]), frac = 0.5 equal jitter ([d/2, d]), frac = 0 no
// jitter. The bound on a retry's duration (the sum of the delays) thus
// holds with jitter too. Jitter spreads
// the retries of many clients that failed together, so that they do not
// come back in step.
//
// rand must return numbers in [0, 1); values outside are clamped. A nil
// rand uses math/rand/v2's Float64. Pass a seeded or scripted source to
// make the schedule reproducible. [Backoff.Delay] calls rand once per attempt, on
// the caller's goroutine; the schedule is safe for concurrent use if rand
// is.
//
// Reactors.IO's Backoff.randexp(n, base, factor), delays drawn from
// [base*factor^k, base*factor^(k+1)), is about Jittered(Exponential(n,
// base*factor, factor, 0), 1-1/factor, rand). It panics if b is nil or
// frac is not in [0, 1].
func Jittered(b Backoff, frac float64, rand func() float64) Backoff {
	if b == nil {
		panic("retry: Jittered: nil Backoff")
	}
	if !(frac >= 0 && frac <= 1) {
		panic("retry: Jittered: frac must be in [0, 1]")
	}
	if rand == nil {
		rand = randFloat64
	}
	return jittered{b: b, frac: frac, rand: rand}
}

var randFloat64 = rand.Float64

type jittered struct {
	b    Backoff
	frac float64
	rand func() float64
}

func (b jittered) Delay(k int) (time.Duration, bool) {
	d, ok := b.b.Delay(k)
	if !ok || d <= 0 {
		return d, ok
	}
	r := min(max(b.rand(), 0), 1)
	cut := math.Round(b.frac * r * float64(d))
	switch {
	case math.IsNaN(cut): // from a NaN r: no jitter
		return d, true
	case cut >= float64(d): // float64(d) may round d up
		return 0, true
	}
	return d - time.Duration(cut), true
}

func mustCount(fn string, n int) {
	if n < 0 {
		panic("retry: " + fn + ": negative attempt count")
	}
}

func mustDuration(fn string, d time.Duration) {
	if d < 0 {
		panic("retry: " + fn + ": negative duration")
	}
}
