package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol/retry"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

var errBoom = errors.New("boom")

// retryProbe runs an Events retry whose attempt n is a fresh emitter the test
// drives (through shape, if set), and records when each attempt starts.
type retryProbe struct {
	*reactortest.Stream[int]
	ems    []*events.Emitter[int] // attempt n's source; owned by the reactor
	starts chan time.Duration
}

// shape turns attempt n's source into the stream the attempt returns.
type shape func(r *reactor.Reactor[func()], n int, src events.Events[int]) events.Events[int]

func newRetry(t *testing.T, sys *reactor.System, b retry.Backoff, sh shape) *retryProbe {
	t.Helper()
	p := &retryProbe{starts: make(chan time.Duration, 100)}
	p.Stream = reactortest.NewStream(t, sys, func(h *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
		return retry.Events(r, b, func(n int) events.Events[int] {
			em := new(events.Emitter[int])
			p.ems = append(p.ems, em)
			p.starts <- h.Since()
			if sh != nil {
				return sh(r, n, em.Events())
			}
			return em.Events()
		})
	})
	return p
}

func (p *retryProbe) emit(n, v int)            { p.Do(func() { p.ems[n].Emit(v) }) }
func (p *retryProbe) fail(n int, err error)    { p.Do(func() { p.ems[n].EmitError(err) }) }
func (p *retryProbe) complete(n int)           { p.Do(func() { p.ems[n].Close() }) }
func (p *retryProbe) started() []time.Duration { return drain(p.starts) }

// subscribed reports whether attempt n's source has subscribers.
func (p *retryProbe) subscribed(n int) bool {
	var yes bool
	p.Do(func() { yes = p.ems[n].HasSubscribers() })
	return yes
}

func drain[T any](c chan T) []T {
	var out []T
	for len(c) > 0 {
		out = append(out, <-c)
	}
	return out
}

// failing makes every attempt fail at once with an error wrapping errBoom.
func failing(_ *reactor.Reactor[func()], n int, _ events.Events[int]) events.Events[int] {
	var iv events.IVar[int]
	iv.Fail(fmt.Errorf("%w %d", errBoom, n))
	return iv.Events()
}

// TestEventsSchedule checks, on virtual time, when silent attempts start
// and when the retry gives up: the sum of the schedule.
func TestEventsSchedule(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      func() retry.Backoff // a fresh one per run: jitter draws
		starts []time.Duration
		end    time.Duration
	}{
		{"regular", func() retry.Backoff { return retry.Regular(3, time.Second) },
			[]time.Duration{0, time.Second, 2 * time.Second}, 3 * time.Second},
		{"linear", func() retry.Backoff { return retry.Linear(3, time.Second, 500*ms) },
			[]time.Duration{0, time.Second, 2500 * ms}, 4500 * ms},
		{"exponential capped", func() retry.Backoff { return retry.Exponential(4, 100*ms, 2, 300*ms) },
			[]time.Duration{0, 100 * ms, 300 * ms, 600 * ms}, 900 * ms},
		{"jittered", func() retry.Backoff {
			return retry.Jittered(retry.Regular(3, time.Second), 1, seq(0.5, 0.25, 0))
		}, []time.Duration{0, 500 * ms, 1250 * ms}, 2250 * ms},
		{"delays with a zero", func() retry.Backoff { return retry.Delays(2*time.Second, 0, time.Second) },
			[]time.Duration{0, 2 * time.Second, 2 * time.Second}, 3 * time.Second},
		{"one attempt", func() retry.Backoff { return retry.Regular(1, time.Second) },
			[]time.Duration{0}, time.Second},
		{"empty", func() retry.Backoff { return retry.Delays() }, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				p := newRetry(t, sys, tc.b(), nil)
				err := p.ExpectError(tc.end)
				require.ErrorIs(t, err, retry.ErrExhausted)
				want := fmt.Sprintf("retry: exhausted after %d attempts", len(tc.starts))
				if len(tc.starts) == 1 {
					want = "retry: exhausted after 1 attempt"
				}
				require.EqualError(t, err, want)
				p.Expect(done(tc.end))
				require.Equal(t, tc.starts, p.started())
				for n := range tc.starts {
					require.False(t, p.subscribed(n), "attempt %d", n)
				}
				p.Quiet()
				require.Empty(t, p.started())
			})
		})
	}
}

// TestEventsLateAnswerWins: an attempt that answers after the next one
// started still wins; the others are dropped and the winner followed.
func TestEventsLateAnswerWins(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newRetry(t, sys, retry.Regular(3, time.Second), nil)
		p.At(1500 * ms)
		p.emit(0, 7)
		p.Expect(ev(1500*ms, 7))
		require.True(t, p.subscribed(0))
		require.False(t, p.subscribed(1))
		p.At(2500 * ms) // attempt 2 would have started at 2 s
		require.Equal(t, []time.Duration{0, time.Second}, p.started())
		p.emit(0, 8)
		p.fail(0, errBoom)
		p.emit(1, 9) // dropped
		p.complete(0)
		p.Expect(ev(2500*ms, 8), errAt(2500*ms), done(2500*ms))
		p.Quiet()
		require.Empty(t, p.started())
	})
}

// TestEventsFailuresKeepSchedule: failed attempts do not bring the next
// one forward, and the last error is reported.
func TestEventsFailuresKeepSchedule(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newRetry(t, sys, retry.Regular(3, time.Second), failing)
		err := p.ExpectError(2 * time.Second) // the last attempt failed: no wait
		p.Expect(done(2 * time.Second))
		require.ErrorIs(t, err, retry.ErrExhausted)
		require.ErrorIs(t, err, errBoom)
		require.EqualError(t, err, "retry: exhausted after 3 attempts: attempt 2: boom 2")
		require.Equal(t, []time.Duration{0, time.Second, 2 * time.Second}, p.started())
		p.Quiet()
	})
}

// TestEventsWaitsForSilentAttempts: while an attempt may still answer, the
// retry waits for the end of the schedule; a completion without an event
// is a failure.
func TestEventsWaitsForSilentAttempts(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newRetry(t, sys, retry.Regular(3, time.Second), func(r *reactor.Reactor[func()], n int, src events.Events[int]) events.Events[int] {
			switch n {
			case 0:
				return failing(r, n, src)
			case 2:
				em := new(events.Emitter[int])
				em.Close()
				return em.Events() // completes at once, empty
			}
			return src // silent
		})
		err := p.ExpectError(3 * time.Second)
		p.Expect(done(3 * time.Second))
		require.ErrorIs(t, err, events.ErrNoEvent)
		require.EqualError(t, err, "retry: exhausted after 3 attempts: attempt 2: "+events.ErrNoEvent.Error())
		require.False(t, p.subscribed(1))
		p.Quiet()
	})
}

// TestEventsGivesUpWhenNothingCanAnswer: once the last attempt started and
// every attempt has failed, the retry ends at once.
func TestEventsGivesUpWhenNothingCanAnswer(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newRetry(t, sys, retry.Regular(2, time.Second), nil)
		p.At(1200 * ms)
		p.fail(1, errBoom)
		synctest.Wait()
		require.Zero(t, p.Len()) // attempt 0 may still answer
		p.At(1400 * ms)
		p.complete(0)
		err := p.ExpectError(1400 * ms)
		require.EqualError(t, err, "retry: exhausted after 2 attempts: attempt 0: "+events.ErrNoEvent.Error())
		p.Expect(done(1400 * ms))
		p.Quiet()
	})
}

func TestEventsAnswerDuringSubscribe(t *testing.T) {
	answerAt := func(k int) shape {
		return func(_ *reactor.Reactor[func()], n int, src events.Events[int]) events.Events[int] {
			if n != k {
				return src
			}
			var iv events.IVar[int]
			iv.Set(10 + n)
			return iv.Events()
		}
	}
	for k := range 2 {
		t.Run(fmt.Sprint("attempt ", k), func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				p := newRetry(t, sys, retry.Regular(3, time.Second), answerAt(k))
				at := time.Duration(k) * time.Second
				p.Expect(ev(at, 10+k), done(at))
				for n := range k {
					require.False(t, p.subscribed(n))
				}
				p.Quiet()
				require.Len(t, p.started(), k+1)
			})
		})
	}
}

// eager is a stream that emits v (or err, if set) while being subscribed
// to and then follows em, as a stream with a cached outcome would.
type eager struct {
	v   int
	err error
	em  *events.Emitter[int]
}

func (s eager) Subscribe(o events.Observer[int]) events.Subscription {
	if s.err != nil {
		o.OnError(s.err)
	} else {
		o.OnEvent(s.v)
	}
	return s.em.Subscribe(o)
}

// TestEventsDropsDuringSubscribe: an attempt that fails, or loses, while
// being subscribed to is dropped once its Subscribe returns.
func TestEventsDropsDuringSubscribe(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{{"failed", errBoom}, {"answered, then left", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
				p := &retryProbe{starts: make(chan time.Duration, 10)}
				p.Stream = reactortest.NewStream(t, sys, func(h *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
					return retry.Events(r, retry.Regular(1, time.Second), func(n int) events.Events[int] {
						em := new(events.Emitter[int])
						p.ems = append(p.ems, em)
						return events.From[int](eager{v: n, err: tc.err, em: em})
					}).Once()
				})
				if tc.err != nil {
					require.ErrorIs(t, p.ExpectError(0), errBoom)
				} else {
					p.Expect(ev(0, 0))
				}
				p.Expect(done(0))
				require.False(t, p.subscribed(0))
				p.Quiet()
			})
		})
	}
}

// TestEventsUnsubscribe: unsubscribing drops every attempt and the timer.
func TestEventsUnsubscribe(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newRetry(t, sys, retry.Regular(3, time.Second), nil)
		p.At(1500 * ms)
		p.Unsubscribe()
		require.False(t, p.subscribed(0))
		require.False(t, p.subscribed(1))
		p.Quiet()
		require.Len(t, p.started(), 2)
	})
}

// TestEventsDownstreamEndsWinner: a result that its subscriber leaves from
// inside a handler (Once) drops the winner.
func TestEventsDownstreamEndsWinner(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := &retryProbe{starts: make(chan time.Duration, 10)}
		p.Stream = reactortest.NewStream(t, sys, func(h *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
			return retry.Events(r, retry.Regular(3, time.Second), func(int) events.Events[int] {
				em := new(events.Emitter[int])
				p.ems = append(p.ems, em)
				return em.Events()
			}).Once()
		})
		p.At(500 * ms)
		p.emit(0, 1)
		p.Expect(ev(500*ms, 1), done(500*ms))
		require.False(t, p.subscribed(0))
		p.Quiet()
	})
}

// TestEventsWithTimeout: attempts bounded by reactor.Timeout fail when
// slow and cannot win late.
func TestEventsWithTimeout(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		p := newRetry(t, sys, retry.Regular(3, time.Second), func(r *reactor.Reactor[func()], _ int, src events.Events[int]) events.Events[int] {
			return reactor.Timeout(r, src.Once(), 500*ms)
		})
		p.At(700 * ms)
		require.False(t, p.subscribed(0)) // timed out at 500 ms
		p.At(1200 * ms)
		p.emit(1, 2)
		p.Expect(ev(1200*ms, 2), done(1200*ms))
		p.Quiet()
	})
}

// recorder is a schedule that records the attempt numbers asked for.
type recorder struct {
	retry.Backoff
	calls chan int
}

func (r recorder) Delay(k int) (time.Duration, bool) {
	r.calls <- k
	return r.Backoff.Delay(k)
}

func TestEventsCallsDelayInOrder(t *testing.T) {
	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
		b := recorder{retry.Regular(3, time.Second), make(chan int, 100)}
		p := newRetry(t, sys, b, nil)
		p.ExpectError(3 * time.Second)
		p.Expect(done(3 * time.Second))
		require.Equal(t, []int{0, 1, 2, 3}, drain(b.calls))
	})
}

func TestEventsPanicsOnNil(t *testing.T) {
	require.PanicsWithValue(t, "retry: Events: nil Backoff or attempt", func() {
		retry.Events[int](nil, nil, func(int) events.Events[int] { return events.Events[int]{} })
	})
	require.PanicsWithValue(t, "retry: Events: nil Backoff or attempt", func() {
		retry.Events[int](nil, retry.Regular(1, 1), nil)
	})
	require.PanicsWithValue(t, "retry: Do: nil Backoff or function", func() {
		_ = retry.Do(context.Background(), nil, func(context.Context, int) error { return nil })
	})
	require.PanicsWithValue(t, "retry: Do: nil Backoff or function", func() {
		_ = retry.Do(context.Background(), retry.Regular(1, 1), nil)
	})
}
