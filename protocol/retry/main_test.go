package retry_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tests of time run in synctest bubbles: time is virtual and moves only
// when every goroutine of the bubble is blocked, so the times they check
// are exact, synctest.Wait proves that nothing more is on its way, and a
// stream that waits for a timer that never fires deadlocks the bubble,
// which fails the test.

// inBubble runs f in a synctest bubble with a system of its own, shut down
// inside the bubble, and checks that no timer left a dead letter.
func inBubble(t *testing.T, f func(t *testing.T, sys *reactor.System)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		sys := reactor.New(reactor.WithWorkers(2), reactor.WithLogger(zerolog.Nop()))
		f(t, sys)
		synctest.Wait()
		require.Zero(t, sys.DeadLetterCount(), "dead letters")
		require.NoError(t, sys.Shutdown(context.Background()))
	})
}

// rec is one reaction of the stream under test, with the virtual time
// since the harness started.
type rec struct {
	at   time.Duration
	kind events.ReactionKind
	v    int
	err  error
}

func ev(at time.Duration, v int) rec { return rec{at: at, kind: events.EventReaction, v: v} }
func done(at time.Duration) rec      { return rec{at: at, kind: events.DoneReaction} }
func errAt(at time.Duration) rec     { return rec{at: at, kind: events.ErrorReaction} }

// harness runs a stream built by build inside a reactor whose main
// channel carries closures, so that a test can act inside the reactor
// (emit on a source, unsubscribe) with do.
type harness struct {
	t     *testing.T
	start time.Time
	ch    reactor.Channel[func()]
	out   chan rec
	sub   events.Subscription // owned by the reactor
}

func newHarness(t *testing.T, sys *reactor.System, build func(h *harness, r *reactor.Reactor[func()]) events.Events[int]) *harness {
	t.Helper()
	h := &harness{t: t, start: time.Now(), out: make(chan rec, 1000)}
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[func()]) {
		r.Main().Events().OnEvent(func(f func()) { f() })
		h.sub = build(h, r).Subscribe(&events.Funcs[int]{
			Event: func(v int) { h.out <- rec{at: h.since(), kind: events.EventReaction, v: v} },
			Error: func(err error) { h.out <- rec{at: h.since(), kind: events.ErrorReaction, err: err} },
			Done:  func() { h.out <- rec{at: h.since(), kind: events.DoneReaction} },
		})
	})
	require.NoError(t, err)
	h.ch = ch
	return h
}

func (h *harness) since() time.Duration { return time.Since(h.start) }

// do runs f inside the reactor and returns when it has run.
func (h *harness) do(f func()) {
	h.t.Helper()
	ran := make(chan struct{})
	require.NoError(h.t, h.ch.Send(func() { f(); close(ran) }))
	<-ran
}

// at sleeps until the virtual time d since the start.
func (h *harness) at(d time.Duration) {
	h.t.Helper()
	now := h.since()
	require.LessOrEqual(h.t, now, d, "the test is late")
	time.Sleep(d - now)
}

func (h *harness) unsubscribe() { h.do(func() { h.sub.Unsubscribe() }) }

// next returns the next reaction.
func (h *harness) next() rec {
	h.t.Helper()
	return <-h.out
}

// expect checks the next reactions, errors by their presence only (see
// nextErr).
func (h *harness) expect(want ...rec) {
	h.t.Helper()
	for _, w := range want {
		got := h.next()
		if w.kind == events.ErrorReaction {
			require.Error(h.t, got.err)
			got.err = nil
		}
		require.Equal(h.t, w, got)
	}
}

// nextErr checks that the next reaction is an error at the time given and
// returns it.
func (h *harness) nextErr(at time.Duration) error {
	h.t.Helper()
	got := h.next()
	require.Equal(h.t, events.ErrorReaction, got.kind, "%+v", got)
	require.Equal(h.t, at, got.at)
	return got.err
}

// quiet waits until the bubble is idle and checks that nothing more was
// emitted, then lets virtual time run on and checks again.
func (h *harness) quiet() {
	h.t.Helper()
	synctest.Wait()
	require.Empty(h.t, h.out)
	time.Sleep(time.Hour)
	synctest.Wait()
	require.Empty(h.t, h.out)
}

// seq returns a random source that yields rs in turn.
func seq(rs ...float64) func() float64 {
	i := 0
	return func() float64 {
		r := rs[i]
		i++
		return r
	}
}
