// Package protocol holds what protocols share: the installation forms
// (Install, Open, Body, Spawn: Reactors.IO's four ways to start a
// protocol, derived from one function that attaches it to a connector),
// retry with backoff (one of Reactors.IO's Patterns; its throttle and
// timeout are reactor.Throttle and reactor.Timeout), and links between
// reactors.
//
// # Links
//
// Two-way links (ServeTwoWay, OpenTwoWayServer, Connect) give two
// reactors a channel each way. Reliable links (OpenReliable on the
// sending side, ServeReliable on the receiving side) deliver in order and
// exactly once over a transport that may drop, duplicate and reorder:
// sequence numbers, a window of frames in flight, cumulative
// acknowledgements (with the holes below the highest frame received)
// batched once per receiver turn on its Preempted event, and
// retransmission on a timer. Credit-based backpressure (NewValve and
// NewBlockingValve on the sending side, NewPump on the receiving side)
// never lets a sender have more than a window of events unconsumed, with
// credits returned per event (Sliding) or once per turn (Batching). Each
// has a pure core (ReliableSender, ReliableReceiver, Credits,
// CreditBuffer) that the reactor shells drive, tested on its own.
//
// # Schedules
//
// A Backoff is a retry schedule, a pure value: Regular, Linear,
// Exponential (with a cap) and Delays build one, Jittered adds random
// jitter from a source the caller may inject. Schedules read no clock and
// start nothing; the same schedule may serve any number of retries at
// once.
//
// # Patterns inside reactors
//
// Retry is a stream operator for a reactor's own code, like the
// combinators of package events: it returns a cold stream owned by the
// reactor o given to it, each subscription has its own state, and it must
// be subscribed to from o's constructor or handlers. It never blocks. Its
// time comes from o's clock (reactor.After): the timers deliver into o as
// events, so its state is touched only inside o, and unsubscribing, or
// o's termination, stops them. Tests can run it on virtual time in a
// testing/synctest bubble.
//
// Retry makes a request again on a schedule until an attempt answers,
// letting a slow attempt still win (a hedged request), and gives up with
// an error wrapping ErrRetriesExhausted when the schedule is over.
//
// # Outside reactors
//
// RetryFunc is the retry for plain goroutines: it blocks, attempts never
// overlap, a context stops it, and it starts no goroutine.
//
// # Rules
//
//   - Operators forward errors of their inputs as errors (an error does
//     not end a stream), except where a doc comment says they are
//     consumed: Retry keeps the errors of failed attempts and reports the
//     last one when it gives up.
//   - Every error this package emits or returns matches one of its
//     sentinels (ErrRetriesExhausted, ErrNoCredit, ErrLinkClosed,
//     ErrNoLink) with errors.Is, or wraps the error that caused it.
//   - Invalid arguments (negative counts or durations, nil functions)
//     are programming errors and panic at once, with a "protocol:"
//     message.
package protocol
