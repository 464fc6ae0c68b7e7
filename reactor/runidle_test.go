package reactor_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// counter is a reactor whose state, a plain int, is changed by its
// handler (one event adds its value) and by RunIfIdle callers.
type counter struct {
	n  int
	ch reactor.Channel[int]
}

func newCounter(t *testing.T, sys *reactor.System, opts ...reactor.SpawnOption) *counter {
	t.Helper()
	c := &counter{}
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v < 0 {
				r.Main().Seal()
				return
			}
			c.n += v
		})
	}, opts...)
	require.NoError(t, err)
	c.ch = ch
	return c
}

// settle waits until the reactor has handled everything sent so far and is
// idle: a RunIfIdle that succeeds after a round trip through the
// handler.
func (c *counter) settle(t *testing.T) {
	t.Helper()
	for !c.ch.RunIfIdle(func() {}) {
		runtime.Gosched() // the constructor's or a pending turn is still running
	}
}

// TestRunIfIdleRunsOnCaller: on an idle reactor fn runs at once on the
// caller's goroutine, sees what every earlier handler did, and what it
// does is seen by later handlers.
func TestRunIfIdleRunsOnCaller(t *testing.T) {
	sys, rec := newSys(t)
	c := newCounter(t, sys)
	c.settle(t)
	require.NoError(t, c.ch.Send(5))
	c.settle(t)
	seen := -1
	require.True(t, c.ch.RunIfIdle(func() { seen = c.n; c.n += 100 }))
	require.Equal(t, 5, seen)
	require.NoError(t, c.ch.Send(1))
	c.settle(t)
	require.True(t, c.ch.RunIfIdle(func() { seen = c.n }))
	require.Equal(t, 106, seen)
	require.Empty(t, rec.failed)
}

// TestRunIfIdleIsSerial: goroutines sending events and goroutines
// running RunIfIdle (retrying until the reactor is idle) change one plain
// int at once; the race detector sees no race and no increment is lost.
func TestRunIfIdleIsSerial(t *testing.T) {
	sys, rec := newSys(t)
	c := newCounter(t, sys)
	const goroutines, each = 4, 2000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				if g%2 == 0 {
					require.NoError(t, c.ch.Send(1))
					continue
				}
				for !c.ch.RunIfIdle(func() { c.n++ }) {
					runtime.Gosched() // a turn runs or is scheduled: retry
				}
			}
		})
	}
	wg.Wait()
	c.settle(t)
	total := -1
	require.True(t, c.ch.RunIfIdle(func() { total = c.n }))
	require.Equal(t, goroutines*each, total)
	require.Empty(t, rec.failed)
}

// TestRunIfIdleRefuses lists the cases where fn must not run.
func TestRunIfIdleRefuses(t *testing.T) {
	sys, _ := newSys(t)
	never := func() { t.Fatal("fn ran") }

	require.False(t, reactor.Channel[int]{}.RunIfIdle(never), "zero channel")
	fwd := reactor.ChannelOf[int](sinkSender{})
	require.False(t, fwd.RunIfIdle(never), "forwarding channel")

	// A reactor busy in its handler.
	busy, release := spawnBusy(t, sys)
	require.False(t, busy.RunIfIdle(never), "busy reactor")
	release()

	// A dedicated reactor.
	ded := newCounter(t, sys, reactor.WithScheduler(reactor.Dedicated))
	require.False(t, ded.ch.RunIfIdle(never), "dedicated scheduler")

	// From inside a reactor, even for an idle target.
	target := newCounter(t, sys)
	target.settle(t)
	inside := make(chan bool, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		inside <- target.ch.RunIfIdle(func() {})
		r.Main().Seal()
	})
	require.NoError(t, err)
	require.False(t, <-inside, "from a reactor")

	// A terminated reactor.
	require.NoError(t, target.ch.Send(-1))
	<-target.ch.Done()
	require.False(t, target.ch.RunIfIdle(never), "terminated")
}

// TestRunIfIdlePanicReleases: a panic in fn reaches the caller and
// leaves the reactor working, its state as fn left it.
func TestRunIfIdlePanicReleases(t *testing.T) {
	sys, rec := newSys(t)
	c := newCounter(t, sys)
	c.settle(t)
	require.PanicsWithValue(t, "boom", func() {
		c.ch.RunIfIdle(func() { c.n = 10; panic("boom") })
	})
	require.NoError(t, c.ch.Send(1))
	c.settle(t)
	got := 0
	require.True(t, c.ch.RunIfIdle(func() { got = c.n }))
	require.Equal(t, 11, got)
	require.Empty(t, rec.failed)
}

// TestRunIfIdleThenShutdown: a reactor used through RunIfIdle stops at
// Shutdown like any other.
func TestRunIfIdleThenShutdown(t *testing.T) {
	sys := reactor.New()
	c := newCounter(t, sys)
	c.settle(t)
	require.True(t, c.ch.RunIfIdle(func() { c.n++ }))
	require.NoError(t, sys.Shutdown(context.Background()))
	<-c.ch.Done()
	require.False(t, c.ch.RunIfIdle(func() {}))
}

// sinkSender is a Sender that takes everything.
type sinkSender struct{}

func (sinkSender) Send(int) error { return nil }
func (sinkSender) Name() string   { return "sink" }

// TestRunIfIdleAsRunsOnSeveralReactors: one Guest runs steps of several
// idle reactors one after another on the caller's goroutine; what each
// step does is seen by the reactor's later handlers.
func TestRunIfIdleAsRunsOnSeveralReactors(t *testing.T) {
	sys, rec := newSys(t)
	cs := []*counter{newCounter(t, sys), newCounter(t, sys), newCounter(t, sys)}
	for _, c := range cs {
		c.settle(t)
	}
	g, ok := reactor.TakeGuest()
	require.True(t, ok)
	for i, c := range cs {
		require.True(t, c.ch.RunIfIdleAs(g, func() { c.n += i + 1 }))
	}
	g.Release()
	for i, c := range cs {
		require.NoError(t, c.ch.Send(10))
		c.settle(t)
		got := 0
		require.True(t, c.ch.RunIfIdle(func() { got = c.n }))
		require.Equal(t, i+11, got)
	}
	require.Empty(t, rec.failed)
}

// TestRunIfIdleAsRefuses: the zero Guest runs nothing, TakeGuest fails
// inside a reactor, and a Guest refuses a busy reactor like RunIfIdle.
func TestRunIfIdleAsRefuses(t *testing.T) {
	sys, _ := newSys(t)
	never := func() { t.Fatal("fn ran") }
	c := newCounter(t, sys)
	c.settle(t)
	require.False(t, c.ch.RunIfIdleAs(reactor.Guest{}, never), "zero Guest")
	reactor.Guest{}.Release() // accepted

	inside := make(chan bool, 1)
	_, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		g, ok := reactor.TakeGuest()
		g.Release()
		inside <- ok
		r.Main().Seal()
	})
	require.NoError(t, err)
	require.False(t, <-inside, "from a reactor")

	busy, release := spawnBusy(t, sys)
	g, ok := reactor.TakeGuest()
	require.True(t, ok)
	require.False(t, busy.RunIfIdleAs(g, never), "busy reactor")
	require.True(t, c.ch.RunIfIdleAs(g, func() {}), "the Guest still serves idle reactors")
	g.Release()
	release()
}

// TestRunIfIdleAsPanicReleases: a panic in fn reaches the caller and
// leaves the reactor working; the Guest is released by its holder.
func TestRunIfIdleAsPanicReleases(t *testing.T) {
	sys, rec := newSys(t)
	c := newCounter(t, sys)
	c.settle(t)
	require.PanicsWithValue(t, "boom", func() {
		g, _ := reactor.TakeGuest()
		defer g.Release()
		c.ch.RunIfIdleAs(g, func() { c.n = 10; panic("boom") })
	})
	require.NoError(t, c.ch.Send(1))
	c.settle(t)
	got := 0
	require.True(t, c.ch.RunIfIdle(func() { got = c.n }))
	require.Equal(t, 11, got)
	require.Empty(t, rec.failed)
}

// spawnBusy spawns a reactor of sys and keeps it busy in its handler
// until release is called.
func spawnBusy(t *testing.T, sys *reactor.System) (busy reactor.Channel[int], release func()) {
	t.Helper()
	in, out := make(chan struct{}), make(chan struct{})
	busy, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(int) { close(in); <-out })
	})
	require.NoError(t, err)
	require.NoError(t, busy.Send(1))
	<-in
	return busy, func() { close(out) }
}

// TestRunIfIdleCountsAsAnEventHandled: an observed reactor counts a step
// run by its caller as one event handled, beside the events of its turns.
func TestRunIfIdleCountsAsAnEventHandled(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	c := newCounter(t, sys, reactor.WithName("steps"))
	c.settle(t) // one step
	require.NoError(t, c.ch.Send(1))
	c.settle(t) // one event, one step
	require.True(t, c.ch.RunIfIdle(func() {}))
	info, ok := infoOf(t, sys, "steps")
	require.True(t, ok)
	require.Equal(t, uint64(4), info.Handled, "three steps and an event")
}
