package reactor_test

import (
	"errors"
	"testing"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// The Throttle and Timeout tests run in bubbles (reactortest.InBubble)
// and record the stream under test with a reactortest.Stream: time is
// virtual, so the times they check are exact, Quiet proves that nothing
// more is on its way, and a stream that waits for a timer that never
// fires deadlocks the bubble, which fails the test.

const ms = time.Millisecond

var errBoom = errors.New("boom")

// ev, doneAt and errAt are the reactions of the int streams under test.
func ev(at time.Duration, v int) reactortest.Reaction[int] { return reactortest.EventAt(at, v) }
func doneAt(at time.Duration) reactortest.Reaction[int]    { return reactortest.DoneAt[int](at) }
func errAt(at time.Duration) reactortest.Reaction[int]     { return reactortest.ErrorAt[int](at) }

// srcProbe runs an operator over a source emitter that the test drives.
type srcProbe struct {
	*reactortest.Stream[int]
	src *events.Emitter[int] // owned by the reactor
}

func newSrc(t *testing.T, sys *reactor.System, op func(r *reactor.Reactor[func()], e events.Events[int]) events.Events[int]) *srcProbe {
	t.Helper()
	p := &srcProbe{src: new(events.Emitter[int])}
	p.Stream = reactortest.NewStream(t, sys, func(_ *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
		return op(r, p.src.Events())
	})
	return p
}

func (p *srcProbe) send(vs ...int) {
	p.Do(func() {
		for _, v := range vs {
			p.src.Emit(v)
		}
	})
}

func (p *srcProbe) fail(err error) { p.Do(func() { p.src.EmitError(err) }) }
func (p *srcProbe) close()         { p.Do(func() { p.src.Close() }) }

// sourceSubscribed reports whether the source has subscribers, asked
// inside the reactor.
func (p *srcProbe) sourceSubscribed() bool {
	var yes bool
	p.Do(func() { yes = p.src.HasSubscribers() })
	return yes
}
