package sched

import (
	"sync"

	"github.com/reactors-go/reactors/internal/owner"
)

// Loop runs the turns of a single task on one goroutine: a dedicated
// goroutine ([Loop.Go]) or the caller's own ([Loop.Run]). It costs one channel of
// capacity 1.
type Loop[T any] struct {
	wake     chan struct{}
	onCaller bool
}

// NewLoop returns a loop that is not yet running. onCaller tells that it
// will run on the goroutine of a caller rather than on one of its own
// (see [Loop.OnCaller]).
func NewLoop[T any](onCaller bool) *Loop[T] {
	return &Loop[T]{wake: make(chan struct{}, 1), onCaller: onCaller}
}

// OnCaller reports what NewLoop was told: whether the loop runs on a
// caller's goroutine. Any goroutine.
func (l *Loop[T]) OnCaller() bool { return l.onCaller }

// Schedule wakes the loop. It never blocks. The caller must own the task's
// scheduling right. It reports whether it left the wake-up token (false:
// one was already waiting); a loop goroutine parked on it was made
// runnable by the caller, as with [Pool.Schedule].
func (l *Loop[T]) Schedule() (woke bool) {
	select {
	case l.wake <- struct{}{}:
		return true
	default:
		return false
	}
}

// Run runs turns of t on the calling goroutine until turn reports that t is
// finished. turn returns (again, finished): again means run another turn at
// once; otherwise the loop sleeps until the next [Loop.Schedule]. The goroutine
// holds an ownership slot for the duration, passed to turn.
func (l *Loop[T]) Run(t *T, turn func(*T, *owner.Slot) (again, finished bool)) {
	slot := owner.Register()
	defer slot.Unregister()
	for {
		<-l.wake
		for {
			again, finished := turn(t, slot)
			if finished {
				return
			}
			if !again {
				break
			}
		}
	}
}

// Go runs [Loop.Run] on a new goroutine and adds it to wg for the duration.
func (l *Loop[T]) Go(wg *sync.WaitGroup, t *T, turn func(*T, *owner.Slot) (again, finished bool)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.Run(t, turn)
	}()
}
