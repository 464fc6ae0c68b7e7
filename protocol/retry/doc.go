// Package retry makes a request again on a schedule until it is answered:
// [Events] inside a reactor, [Do] on a plain goroutine, both driven by a
// [Backoff].
//
// # Schedules
//
// A Backoff is a retry schedule, a pure value: [Regular], [Linear],
// [Exponential] (with a cap) and [Delays] build one, [Jittered] adds random
// jitter from a source the caller may inject. Schedules read no clock and
// start nothing; the same schedule may serve any number of retries at
// once.
//
// # Inside reactors
//
// Events is a stream operator for a reactor's own code, like the
// combinators of package events: it returns a cold stream owned by the
// reactor o given to it, each subscription has its own state, and it must
// be subscribed to from o's constructor or handlers. It never blocks. Its
// time comes from o's clock ([reactor.After]): the timers deliver into o as
// events, so its state is touched only inside o, and unsubscribing, or
// o's termination, stops them. Tests can run it on virtual time in a
// testing/synctest bubble.
//
// Events makes a request again on a schedule until an attempt answers,
// letting a slow attempt still win (a hedged request), and gives up with
// an error wrapping [ErrExhausted] when the schedule is over. To drop slow
// attempts instead, bound each one with [reactor.Timeout].
//
// # Outside reactors
//
// Do is the retry for plain goroutines: it blocks, attempts never
// overlap, a context stops it, and it starts no goroutine.
//
// # Rules
//
//   - Events keeps the errors of failed attempts rather than forwarding
//     them, and reports the last one when it gives up; once an attempt
//     has won, its errors are forwarded as errors (an error does not end
//     a stream).
//   - Every error this package emits or returns matches ErrExhausted with
//     [errors.Is], or wraps the error that caused it (an attempt's,
//     [context.Cause] of Do's context, or the owning reactor's end).
//   - Invalid arguments (negative counts or durations, nil functions)
//     are programming errors and panic at once, with a "retry:" message.
package retry
