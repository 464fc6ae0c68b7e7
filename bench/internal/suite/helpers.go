package suite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// RunTimeout bounds every wait of a run, so that a lost message fails the
// run instead of hanging the command.
const RunTimeout = 2 * time.Minute

// ShutdownTimeout bounds the untimed System.Shutdown after a run.
const ShutdownTimeout = 30 * time.Second

// Control values of the int64 protocols: data messages are positive (W1)
// or non-negative (W2, W6); these are not.
const (
	SetupQuery int64 = 0  // W1: confirm that the peer is known
	CountQuery int64 = -1 // W1, W2: reply with the received count
	StopMsg    int64 = -1 // W6: stop
)

// errTimeout reports a wait that hit RunTimeout.
var errTimeout = errors.New("timed out")

// Latch is a countdown that closes a channel when it reaches zero: each
// actor calls Done once (like sync.WaitGroup.Done, one atomic add), and the
// driver can wait for it with a timeout.
type Latch struct {
	left atomic.Int64
	done chan struct{}
}

// NewLatch returns a latch expecting n calls of Done (n >= 1).
func NewLatch(n int) *Latch {
	l := &Latch{done: make(chan struct{})}
	l.left.Store(int64(n))
	return l
}

// Done counts one call down; the call that reaches zero closes the latch.
func (l *Latch) Done() {
	if l.left.Add(-1) == 0 {
		close(l.done)
	}
}

// Wait waits until the latch closes or the deadline fires, then checks that
// Done was called exactly as many times as expected.
func (l *Latch) Wait(deadline <-chan time.Time, what string) error {
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

// AwaitSignal waits for one value on ch, or fails when the deadline fires.
func AwaitSignal[T any](ch <-chan T, deadline <-chan time.Time, what string) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-deadline:
		var zero T
		return zero, fmt.Errorf("%s: %w", what, errTimeout)
	}
}

// NewDeadline returns a timer that fires after RunTimeout; stop it when the
// run is over.
func NewDeadline() *time.Timer { return time.NewTimer(RunTimeout) }

// startReactors creates a run's system and deadline. finish, deferred
// with the run's named results, stops the deadline and shuts the system
// down (untimed), failing the run if the shutdown fails or an event was
// dead-lettered.
func startReactors(opts ...reactor.Option) (*reactor.System, *time.Timer, func(*Result, *error)) {
	deadline := NewDeadline()
	sys := reactor.New(opts...)
	return sys, deadline, func(res *Result, err *error) {
		deadline.Stop()
		if cerr := closeSystem(sys); cerr != nil && *err == nil {
			*res, *err = nil, cerr
		}
	}
}

// withOptions makes a reactors case of run on a system built with opts
// (the -observed variants turn introspection on).
func withOptions(run func(RunParams, ...reactor.Option) (Result, error), opts ...reactor.Option) func(RunParams) (Result, error) {
	return func(p RunParams) (Result, error) { return run(p, opts...) }
}

// closeSystem shuts sys down (untimed) and fails if the run produced any
// dead letter, which would mean an event was refused or lost.
func closeSystem(sys *reactor.System) error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := sys.Shutdown(ctx); err != nil {
		return err
	}
	if st := sys.Stats(); len(st.DeadLetters) > 0 {
		return fmt.Errorf("dead letters during the run: %v", st.DeadLetters)
	}
	return nil
}

// MemSnap is a snapshot of the memory figures W6 compares.
type MemSnap struct {
	heapInuse  uint64
	stackInuse uint64
	goroutines int
}

// Snapshot collects garbage gcs times, then reads the memory statistics and
// the number of goroutines.
func Snapshot(gcs int) MemSnap {
	for range gcs {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return MemSnap{heapInuse: ms.HeapInuse, stackInuse: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// perActor returns (after - before) / n for counters that may shrink.
func perActor(after, before uint64, n int) float64 {
	return float64(int64(after-before)) / float64(n)
}
