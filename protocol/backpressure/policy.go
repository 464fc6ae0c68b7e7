package backpressure

import "fmt"

// Policy says how big a pump's window is and when it returns credits.
// Create one with [Sliding] or [Batching]; the zero Policy is not usable.
type Policy struct {
	window  int
	batched bool
}

// Sliding returns the policy that returns one credit per consumed event,
// at once: the sender refills the window as soon as the consumer frees a
// slot. It suits events that are large or slow to process. It panics if
// window < 1.
func Sliding(window int) Policy {
	if window < 1 {
		panic("backpressure: Sliding: window < 1")
	}
	return Policy{window: window}
}

// Batching returns the policy that accumulates the credits of the events
// consumed during a turn of the receiving reactor and returns them in one
// message when the turn ends (on its Preempted lifecycle event). It suits
// events that are cheap to process: one credit message per turn instead
// of one per event. It panics if window < 1.
func Batching(window int) Policy {
	if window < 1 {
		panic("backpressure: Batching: window < 1")
	}
	return Policy{window: window, batched: true}
}

// Window returns the most events a sender may have in flight: sent and
// not yet consumed.
func (p Policy) Window() int { return p.window }

// Batched reports whether credits are returned once per turn ([Batching])
// rather than once per event ([Sliding]).
func (p Policy) Batched() bool { return p.batched }

// String returns "Sliding(n)" or "Batching(n)".
func (p Policy) String() string {
	if p.batched {
		return fmt.Sprintf("Batching(%d)", p.window)
	}
	return fmt.Sprintf("Sliding(%d)", p.window)
}
