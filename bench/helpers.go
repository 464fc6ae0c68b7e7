package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// runTimeout bounds every wait of a run, so that a lost message fails the
// run instead of hanging the command.
const runTimeout = 2 * time.Minute

// shutdownTimeout bounds the untimed System.Shutdown after a run.
const shutdownTimeout = 30 * time.Second

// Control values of the int64 protocols: data messages are positive (W1)
// or non-negative (W2, W6); these are not.
const (
	setupQuery int64 = 0  // W1: confirm that the peer is known
	countQuery int64 = -1 // W1, W2: reply with the received count
	stopMsg    int64 = -1 // W6: stop
)

// errTimeout reports a wait that hit runTimeout.
var errTimeout = errors.New("timed out")

// latch is a countdown that closes a channel when it reaches zero: each
// actor calls Done once (like sync.WaitGroup.Done, one atomic add), and the
// driver can wait for it with a timeout.
type latch struct {
	left atomic.Int64
	done chan struct{}
}

// newLatch returns a latch expecting n calls of Done (n >= 1).
func newLatch(n int) *latch {
	l := &latch{done: make(chan struct{})}
	l.left.Store(int64(n))
	return l
}

// Done counts one call down; the call that reaches zero closes the latch.
func (l *latch) Done() {
	if l.left.Add(-1) == 0 {
		close(l.done)
	}
}

// wait waits until the latch closes or the deadline fires, then checks that
// Done was called exactly as many times as expected.
func (l *latch) wait(deadline <-chan time.Time, what string) error {
	select {
	case <-l.done:
	case <-deadline:
		return fmt.Errorf("%s: %w with %d of them left", what, errTimeout, l.left.Load())
	}
	if n := l.left.Load(); n != 0 {
		return fmt.Errorf("%s: %d Done calls too many", what, -n)
	}
	return nil
}

// awaitSignal waits for one value on ch, or fails when the deadline fires.
func awaitSignal[T any](ch <-chan T, deadline <-chan time.Time, what string) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-deadline:
		var zero T
		return zero, fmt.Errorf("%s: %w", what, errTimeout)
	}
}

// newDeadline returns a timer that fires after runTimeout; stop it when the
// run is over.
func newDeadline() *time.Timer { return time.NewTimer(runTimeout) }

// startReactors creates a run's system and deadline. finish, deferred
// with the run's named results, stops the deadline and shuts the system
// down (untimed), failing the run if the shutdown fails or an event was
// dead-lettered.
func startReactors(opts ...reactor.Option) (*reactor.System, *time.Timer, func(*result, *error)) {
	deadline := newDeadline()
	sys := reactor.New(opts...)
	return sys, deadline, func(res *result, err *error) {
		deadline.Stop()
		if cerr := closeSystem(sys); cerr != nil && *err == nil {
			*res, *err = nil, cerr
		}
	}
}

// withOptions makes a reactors case of run on a system built with opts
// (the -observed variants turn introspection on).
func withOptions(run func(runParams, ...reactor.Option) (result, error), opts ...reactor.Option) func(runParams) (result, error) {
	return func(p runParams) (result, error) { return run(p, opts...) }
}

// closeSystem shuts sys down (untimed) and fails if the run produced any
// dead letter, which would mean an event was refused or lost.
func closeSystem(sys *reactor.System) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := sys.Shutdown(ctx); err != nil {
		return err
	}
	if st := sys.Stats(); len(st.DeadLetters) > 0 {
		return fmt.Errorf("dead letters during the run: %v", st.DeadLetters)
	}
	return nil
}

// memSnap is a snapshot of the memory figures W6 compares.
type memSnap struct {
	heapInuse  uint64
	stackInuse uint64
	goroutines int
}

// snapshot collects garbage gcs times, then reads the memory statistics and
// the number of goroutines.
func snapshot(gcs int) memSnap {
	for range gcs {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSnap{heapInuse: ms.HeapInuse, stackInuse: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// perActor returns (after - before) / n for counters that may shrink.
func perActor(after, before uint64, n int) float64 {
	return float64(int64(after-before)) / float64(n)
}
