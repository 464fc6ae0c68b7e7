package reactortest_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	rt "github.com/reactors-go/reactors/reactortest"
)

const ms = time.Millisecond

var errBoom = errors.New("boom")

// sourceStream returns a Stream over an emitter that the test drives with
// Do; the emitter belongs to the Stream's reactor.
func sourceStream(t testing.TB, sys *reactor.System) (*rt.Stream[int], *events.Emitter[int]) {
	src := new(events.Emitter[int])
	s := rt.NewStream(t, sys, func(*rt.Stream[int], *reactor.Reactor[func()]) events.Events[int] {
		return src.Events()
	})
	return s, src
}

// TestStreamRecordsReactionsOnVirtualTime checks that each reaction is
// recorded once, in order, with its exact virtual time.
func TestStreamRecordsReactionsOnVirtualTime(t *testing.T) {
	rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
		s, src := sourceStream(t, sys)
		s.Do(func() { src.Emit(1) })
		s.At(1500 * ms)
		s.Do(func() {
			src.Emit(2)
			src.EmitError(errBoom)
		})
		s.At(2 * time.Second)
		s.Do(func() { src.Close() })
		s.Expect(rt.EventAt(0, 1), rt.EventAt(1500*ms, 2))
		require.ErrorIs(t, s.ExpectError(1500*ms), errBoom)
		require.Equal(t, rt.DoneAt[int](2*time.Second), s.Next())
		require.Equal(t, 2*time.Second, s.Since())
		s.Quiet()
		require.Equal(t, 2*time.Second+time.Hour, s.Since())
	})
}

// TestStreamRunsTimersOfItsReactor checks that a stream built on the
// reactor's clock reacts on virtual time, and that build gets the Stream.
func TestStreamRunsTimersOfItsReactor(t *testing.T) {
	rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
		built := make(chan time.Duration, 1)
		s := rt.NewStream(t, sys, func(s *rt.Stream[string], r *reactor.Reactor[func()]) events.Events[string] {
			built <- s.Since()
			return events.Map(reactor.After(r, 3*time.Second), func(struct{}) string { return "tick" })
		})
		s.Expect(rt.EventAt(3*time.Second, "tick"), rt.DoneAt[string](3*time.Second))
		require.Equal(t, time.Duration(0), <-built)
		s.Quiet()
	})
}

// TestStreamUnsubscribe checks that Unsubscribe leaves the source, inside
// the reactor, and that nothing is recorded after it.
func TestStreamUnsubscribe(t *testing.T) {
	rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
		s, src := sourceStream(t, sys)
		s.Do(func() { src.Emit(1) })
		s.Unsubscribe()
		subscribed := true
		s.Do(func() {
			subscribed = src.HasSubscribers()
			src.Emit(2)
		})
		require.False(t, subscribed)
		s.Expect(rt.EventAt(0, 1))
		s.Quiet()
	})
}

// TestStreamLenCountsUntaken checks that Len counts the reactions
// recorded and not yet taken, and that Next takes the oldest.
func TestStreamLenCountsUntaken(t *testing.T) {
	rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
		s, src := sourceStream(t, sys)
		require.Zero(t, s.Len())
		s.Do(func() {
			for v := range 3 {
				src.Emit(v)
			}
		})
		require.Equal(t, 3, s.Len())
		require.Equal(t, rt.EventAt(0, 0), s.Next())
		require.Equal(t, 2, s.Len())
		s.Expect(rt.EventAt(0, 1), rt.EventAt(0, 2))
		require.Zero(t, s.Len())
	})
}

// fatalTB is a testing.TB whose Fatalf keeps the message and ends the
// calling goroutine, as FailNow does, without failing the test.
type fatalTB struct {
	testing.TB
	msgs chan string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msgs <- fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs check on a goroutine of its own and returns the message it
// failed with, or "" if it returned.
func (f *fatalTB) fatalOf(check func()) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		check()
	}()
	<-done
	select {
	case m := <-f.msgs:
		return m
	default:
		return ""
	}
}

// TestStreamChecksFail checks that each check fails the test, with a
// message naming what came and what was wanted, when the stream did
// something else; and that it passes when the stream did what it says.
func TestStreamChecksFail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		act   func(s *rt.Stream[int], src *events.Emitter[int])
		check func(s *rt.Stream[int])
		fail  string // "" if the check passes
	}{
		{"other value",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.Emit(1) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.EventAt(0, 2)) },
			"reactortest: reaction 0: got event 1 at 0s, want event 2 at 0s"},
		{"other time",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.At(time.Second); s.Do(func() { src.Emit(1) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.EventAt(0, 1)) },
			"reactortest: reaction 0: got event 1 at 1s, want event 1 at 0s"},
		{"second reaction",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.Emit(1); src.Close() }) },
			func(s *rt.Stream[int]) { s.Expect(rt.EventAt(0, 1), rt.EventAt(0, 2)) },
			"reactortest: reaction 1: got done at 0s, want event 2 at 0s"},
		{"event for an error",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.Emit(1) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.ErrorAt[int](0)) },
			"reactortest: reaction 0: got event 1 at 0s, want error at 0s"},
		{"error for an event",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.EmitError(errBoom) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.EventAt(0, 1)) },
			"reactortest: reaction 0: got error (boom) at 0s, want event 1 at 0s"},
		{"any error matches",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.EmitError(errBoom) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.ErrorAt[int](0)) },
			""},
		{"error at another time",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.EmitError(errBoom) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.ErrorAt[int](time.Second)) },
			"reactortest: reaction 0: got error at 0s, want error at 1s"},
		{"no error",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.Close() }) },
			func(s *rt.Stream[int]) { s.ExpectError(0) },
			"reactortest: got done at 0s, want an error at 0s"},
		{"error late",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.EmitError(errBoom) }) },
			func(s *rt.Stream[int]) { s.ExpectError(time.Second) },
			"reactortest: got error (boom) at 0s, want an error at 1s"},
		{"a reaction left",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.Emit(1); src.Emit(2) }) },
			func(s *rt.Stream[int]) { s.Quiet() },
			"reactortest: 2 unexpected reactions, the first: event 1 at 0s"},
		{"quiet",
			func(s *rt.Stream[int], src *events.Emitter[int]) { s.Do(func() { src.Emit(1) }) },
			func(s *rt.Stream[int]) { s.Expect(rt.EventAt(0, 1)); s.Quiet() },
			""},
		{"late",
			func(s *rt.Stream[int], _ *events.Emitter[int]) { s.At(time.Second) },
			func(s *rt.Stream[int]) { s.At(500 * ms) },
			"reactortest: Stream.At(500ms) at 1s: the test is late"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
				ft := &fatalTB{TB: t, msgs: make(chan string, 1)}
				s, src := sourceStream(ft, sys)
				tc.act(s, src)
				require.Equal(t, tc.fail, ft.fatalOf(func() { tc.check(s) }))
			})
		})
	}
}

// TestStreamQuietWaitsAnHour checks that Quiet fails on a reaction that
// comes within an hour of virtual time after it is called.
func TestStreamQuietWaitsAnHour(t *testing.T) {
	rt.InBubble(t, func(t *testing.T, sys *reactor.System) {
		ft := &fatalTB{TB: t, msgs: make(chan string, 1)}
		s := rt.NewStream(ft, sys, func(_ *rt.Stream[struct{}], r *reactor.Reactor[func()]) events.Events[struct{}] {
			return reactor.After(r, 59*time.Minute)
		})
		require.Equal(t, "reactortest: 2 unexpected reactions an hour later, the first: event {} at 59m0s", ft.fatalOf(s.Quiet))
	})
}
