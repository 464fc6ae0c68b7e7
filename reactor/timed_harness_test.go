package reactor_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// The harness of the Throttle and Timeout tests. They run in synctest
// bubbles: time is virtual and moves only when every goroutine of the
// bubble is blocked, so the times they check are exact, synctest.Wait
// proves that nothing more is on its way, and a stream that waits for a
// timer that never fires deadlocks the bubble, which fails the test.

const ms = time.Millisecond

var errBoom = errors.New("boom")

// inTimedBubble runs f in a synctest bubble with a system of its own, shut
// down inside the bubble, and checks that no timer left a dead letter.
func inTimedBubble(t *testing.T, f func(t *testing.T, sys *reactor.System)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		sys := reactor.New(reactor.WithWorkers(2), reactor.WithLogger(zerolog.Nop()))
		f(t, sys)
		synctest.Wait()
		require.Zero(t, sys.DeadLetterCount(), "dead letters")
		require.NoError(t, sys.Shutdown(context.Background()))
	})
}

// reaction is one reaction of the stream under test, with the virtual
// time since the harness started.
type reaction struct {
	at   time.Duration
	kind events.ReactionKind
	v    int
	err  error
}

func ev(at time.Duration, v int) reaction { return reaction{at: at, kind: events.EventReaction, v: v} }
func doneAt(at time.Duration) reaction    { return reaction{at: at, kind: events.DoneReaction} }
func errAt(at time.Duration) reaction     { return reaction{at: at, kind: events.ErrorReaction} }

// harness runs a stream built by build inside a reactor whose main
// channel carries closures, so that a test can act inside the reactor
// (emit on a source, unsubscribe) with do.
type harness struct {
	t     *testing.T
	start time.Time
	ch    reactor.Channel[func()]
	out   chan reaction
	sub   events.Subscription // owned by the reactor
}

func newHarness(t *testing.T, sys *reactor.System, build func(h *harness, r *reactor.Reactor[func()]) events.Events[int]) *harness {
	t.Helper()
	h := &harness{t: t, start: time.Now(), out: make(chan reaction, 1000)}
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[func()]) {
		r.Main().Events().OnEvent(func(f func()) { f() })
		h.sub = build(h, r).Subscribe(&events.Funcs[int]{
			Event: func(v int) { h.out <- reaction{at: h.since(), kind: events.EventReaction, v: v} },
			Error: func(err error) { h.out <- reaction{at: h.since(), kind: events.ErrorReaction, err: err} },
			Done:  func() { h.out <- reaction{at: h.since(), kind: events.DoneReaction} },
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
func (h *harness) next() reaction {
	h.t.Helper()
	return <-h.out
}

// expect checks the next reactions, errors by their presence only (see
// nextErr).
func (h *harness) expect(want ...reaction) {
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

// subscribed reports whether em has subscribers, asked inside the reactor.
func (h *harness) subscribed(em *events.Emitter[int]) bool {
	var yes bool
	h.do(func() { yes = em.HasSubscribers() })
	return yes
}

// srcProbe runs an operator over a source emitter that the test drives.
type srcProbe struct {
	*harness
	src *events.Emitter[int] // owned by the reactor
}

func newSrc(t *testing.T, sys *reactor.System, op func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int]) *srcProbe {
	t.Helper()
	p := &srcProbe{src: new(events.Emitter[int])}
	p.harness = newHarness(t, sys, func(_ *harness, r *reactor.Reactor[func()]) events.Events[int] {
		return op(r, p.src.Events())
	})
	return p
}

func (p *srcProbe) send(vs ...int) {
	p.do(func() {
		for _, v := range vs {
			p.src.Emit(v)
		}
	})
}

func (p *srcProbe) fail(err error)         { p.do(func() { p.src.EmitError(err) }) }
func (p *srcProbe) close()                 { p.do(func() { p.src.Close() }) }
func (p *srcProbe) sourceSubscribed() bool { return p.subscribed(p.src) }
