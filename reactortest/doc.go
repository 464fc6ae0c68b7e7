// Package reactortest is a deterministic test harness for reactor
// programs and the protocols built on them: fault injection on channels
// (Reactors.IO's Scripted service), a manual clock, a recorder to assert
// on deliveries, and virtual-time bubbles with a recorder of a stream's
// reactions. It imports only the runtime, and the project's own protocol
// tests use it.
//
// # Fault injection
//
// [NewFaulty] puts a [Script] between senders and a target: the channel it
// returns drops, duplicates, reorders or delays the events sent to it
// before they reach the target, the way a network between reactors would.
//
//	rec := reactortest.NewRecorder[int]("sink")
//	f := reactortest.NewFaulty(rec, reactortest.Chain(
//		reactortest.Drop(0.1, 1),
//		reactortest.Duplicate(0.05, 2),
//		reactortest.Reorder(8, 3),
//	))
//	link := f.Channel() // hand this to the code under test
//
// A Script is a pipeline of stages. Each stage decides, per event, with a
// [Decision]: drop it, copy it, hold it back (to reorder), delay it on a
// clock, release what it holds. The ready-made stages are [Drop],
// [Duplicate], [Reorder], [Delay] and [Jitter]; [Func] makes one from a function,
// [Chain] joins them.
//
// # Recording and time
//
// A [Recorder] is a target that keeps what it receives; its [Recorder.WaitN]
// is the barrier a test waits on instead of sleeping. A [ManualClock] moves
// only when the test advances it, running the timers that fall due in order;
// give it to a faulty channel with [WithClock].
//
// # Determinism
//
// Every random choice comes from a seed given to the script, and a Script
// is only a recipe: each channel builds its own stages from it. So, for
// one sending goroutine, the same script and the same sends give the same
// deliveries in the same order, on every run. Delays add the clock's
// timing: inside a testing/synctest bubble with the default clock, or
// with a ManualClock (WithClock), they are deterministic too.
//
// Tests of reactor programs take time from testing/synctest: inside a
// bubble, reactor timers, clock streams and a faulty channel's delays
// all run on one virtual time. A ManualClock drives a faulty channel's
// delays alone, by hand, outside a bubble (a test of the channel itself,
// or one whose other parts cannot live in a bubble, such as a network
// connection); it never moves reactor timers, so do not combine the two. With many
// senders, the decisions follow the order in which their sends take the
// channel's lock.
//
// # Streams on virtual time
//
// InBubble runs a test in a synctest bubble with a system of its own,
// checks that no event was dead-lettered and shuts the system down inside
// the bubble. In it, a Stream runs a stream under test in a reactor and
// records each reaction with its exact virtual time; the test acts inside
// the reactor with Do, moves time with At and checks with Expect and
// Quiet:
//
//	reactortest.InBubble(t, func(t *testing.T, sys *reactor.System) {
//		src := new(events.Emitter[int]) // belongs to the Stream's reactor
//		s := reactortest.NewStream(t, sys, func(_ *reactortest.Stream[int], r *reactor.Reactor[func()]) events.Events[int] {
//			return reactor.Timeout(r, src.Events(), time.Second)
//		})
//		s.At(500 * time.Millisecond)
//		s.Do(func() { src.Emit(1) })
//		s.Expect(reactortest.EventAt(500*time.Millisecond, 1))
//		err := s.ExpectError(1500 * time.Millisecond)
//		require.ErrorIs(t, err, reactor.ErrTimeout)
//		s.Expect(reactortest.DoneAt[int](1500 * time.Millisecond))
//		s.Quiet() // nothing more, even an hour later
//	})
//
// # Rules
//
//   - A dropped event is lost silently, as on a network: Send returns
//     nil, Stats.Dropped counts it, and it is not a dead letter. [Faulty]
//     channels are the one place where the runtime's no-silent-loss rule
//     does not hold, on purpose.
//   - Per-sender FIFO holds through Drop, Duplicate and a constant Delay
//     only. Reorder, Jitter, held events and unequal delays reorder
//     events by design.
//   - Held and delayed events stay pending until released, due or
//     flushed: call [Faulty.Flush] (or advance the clock) before asserting on
//     everything sent, and before shutting the target's system down.
//   - The target is called by one goroutine at a time, without the
//     channel's lock held: it may send to the faulty channel again.
//   - A ManualClock's timers run on the goroutine calling
//     [ManualClock.Advance], one at a time; tests move time explicitly and
//     never sleep.
//   - Invalid arguments (probabilities outside [0, 1], negative delays,
//     nil functions) are programming errors and panic at once, with a
//     "reactortest:" message.
//
// # Cost
//
// A [Faulty.Send] through a script without delays costs 15 to 100 ns plus the
// target's Send (about 0.8 to 1.2 µs under the race detector), takes the
// channel's lock twice and allocates nothing in the steady state. A
// delayed event costs a clock reading and a heap insertion; a stage arms
// one clock timer at a time, for its earliest event, so a constant Delay
// costs no timer per event.
package reactortest
