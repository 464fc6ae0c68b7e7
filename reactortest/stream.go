package reactortest

import (
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
)

// Stream runs a stream under test inside a reactor of its own and records
// each of its reactions (events, errors, completion) with the virtual
// time since the Stream started, for the test to check in order. The
// reactor's main channel carries closures: Do runs one inside it, so the
// test can act there (emit on a source, unsubscribe) between checks.
//
// Use it in a testing/synctest bubble (InBubble): the times it records
// are then exact, Quiet can prove that nothing more is on its way, and a
// Next that waits for a reaction that never comes deadlocks the bubble,
// which fails the test. Quiet panics outside a bubble.
//
// The methods are for the test's goroutine, one call at a time, and must
// not be called from inside the reactor (Do and Next would wait for
// themselves); Since is safe anywhere. Recording a reaction synchronizes
// before the Next, Expect or ExpectError that takes it. The reactor runs
// until its system shuts down. Cost: one reactor, no goroutine; the
// reactor never blocks on recording, and reactions not yet taken stay in
// memory until taken.
type Stream[T any] struct {
	t     testing.TB
	start time.Time
	ch    reactor.Channel[func()]
	sub   events.Subscription // owned by the reactor
	ready chan struct{}       // one slot: a reaction was recorded

	mu    sync.Mutex    // protects queue
	queue []Reaction[T] // recorded, not yet taken, oldest first
}

// NewStream spawns the Stream's reactor on sys; inside it, at its first
// turn, build returns the stream under test and the Stream subscribes to
// it. build may use r (its clock, its connectors) and s.Since; it must
// not call s's other methods. The Stream's time starts before the spawn.
// NewStream returns without waiting for build: Do and Next wait for it
// as they wait for the reactor. If the spawn fails, t fails (Fatalf).
func NewStream[T any](t testing.TB, sys *reactor.System, build func(s *Stream[T], r *reactor.Reactor[func()]) events.Events[T]) *Stream[T] {
	t.Helper()
	s := &Stream[T]{t: t, start: time.Now(), ready: make(chan struct{}, 1)}
	ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[func()]) {
		r.Main().Events().OnEvent(func(f func()) { f() })
		s.sub = build(s, r).Subscribe(&events.Funcs[T]{
			Event: func(v T) { s.record(EventAt(s.Since(), v)) },
			Error: func(err error) {
				rc := ErrorAt[T](s.Since())
				rc.Err = err
				s.record(rc)
			},
			Done: func() { s.record(DoneAt[T](s.Since())) },
		})
	})
	if err != nil {
		t.Fatalf("reactortest: NewStream: %v", err)
	}
	s.ch = ch
	return s
}

// record keeps rc and wakes a waiting Next. It runs in the reactor.
func (s *Stream[T]) record(rc Reaction[T]) {
	s.mu.Lock()
	s.queue = append(s.queue, rc)
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// Since returns the virtual time since the Stream started.
func (s *Stream[T]) Since() time.Duration { return time.Since(s.start) }

// Do runs f inside the reactor and returns when it has run. If the
// reactor refuses f (it has terminated), t fails (Fatalf); if f panics,
// the reactor fails and Do never returns, which deadlocks the bubble.
func (s *Stream[T]) Do(f func()) {
	s.t.Helper()
	ran := make(chan struct{})
	if err := s.ch.Send(func() { f(); close(ran) }); err != nil {
		s.t.Fatalf("reactortest: Stream.Do: %v", err)
	}
	<-ran
}

// At sleeps until the virtual time d since the start. If that time has
// passed already, the test is late and t fails (Fatalf).
func (s *Stream[T]) At(d time.Duration) {
	s.t.Helper()
	now := s.Since()
	if now > d {
		s.t.Fatalf("reactortest: Stream.At(%v) at %v: the test is late", d, now)
	}
	time.Sleep(d - now)
}

// Unsubscribe ends the subscription to the stream under test, inside the
// reactor, and returns when it has ended.
func (s *Stream[T]) Unsubscribe() { s.Do(func() { s.sub.Unsubscribe() }) }

// Next returns the oldest reaction not yet taken, waiting for one if
// there is none: it blocks until the stream reacts, forever if it never
// does.
func (s *Stream[T]) Next() Reaction[T] {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			rc := s.queue[0]
			s.queue[0] = Reaction[T]{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return rc
		}
		s.mu.Unlock()
		<-s.ready
	}
}

// Len returns the number of reactions recorded and not yet taken.
func (s *Stream[T]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Expect takes the next len(want) reactions (waiting for them as Next
// does) and fails t (Fatalf) at the first that differs from its wanted
// one. Errors match by their presence only: a wanted ErrorAt matches any
// non-nil error at its time; ExpectError returns the error to check.
func (s *Stream[T]) Expect(want ...Reaction[T]) {
	s.t.Helper()
	for i, w := range want {
		got := s.Next()
		if w.Kind == events.ErrorReaction {
			if got.Err == nil {
				s.t.Fatalf("reactortest: reaction %d: got %v, want %v", i, got, w)
			}
			w.Err, got.Err = nil, nil
		}
		if !reflect.DeepEqual(w, got) {
			s.t.Fatalf("reactortest: reaction %d: got %v, want %v", i, got, w)
		}
	}
}

// ExpectError takes the next reaction (waiting for it as Next does),
// fails t (Fatalf) unless it is an error at virtual time at, and returns
// the error.
func (s *Stream[T]) ExpectError(at time.Duration) error {
	s.t.Helper()
	got := s.Next()
	if got.Kind != events.ErrorReaction || got.At != at {
		s.t.Fatalf("reactortest: got %v, want an error at %v", got, at)
	}
	return got.Err
}

// Quiet checks that the stream has nothing more to say: it waits until
// the bubble is idle (synctest.Wait) and fails t (Fatalf) if a reaction
// is waiting to be taken, then lets an hour of virtual time pass and
// checks again. Call it from the bubble's goroutine, after the last
// Expect.
func (s *Stream[T]) Quiet() {
	s.t.Helper()
	synctest.Wait()
	s.requireNone("")
	time.Sleep(time.Hour)
	synctest.Wait()
	s.requireNone(" an hour later")
}

// requireNone fails t (Fatalf) if a reaction is waiting to be taken.
func (s *Stream[T]) requireNone(when string) {
	s.t.Helper()
	if n := s.Len(); n != 0 {
		s.t.Fatalf("reactortest: %d unexpected reactions%s, the first: %v", n, when, s.Next())
	}
}
