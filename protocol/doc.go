// Package protocol holds what the protocols of this module stand on: the
// installation forms, Reactors.IO's four ways to start a protocol, and
// reply inboxes for goroutines that wait on reactors.
//
// # Installation forms
//
// A protocol written as an [Install], a function that attaches it to a
// connector of its reactor, gets the other three forms for free: [Open]
// installs it on a new connector of a reactor, [Body] makes it the body of
// a reactor spawned with any options, and [Spawn] starts it as a reactor
// of its own. Packages router and server are built this way.
//
// # Inboxes
//
// An [Inbox] takes the replies to a plain goroutine's requests (a
// scatter-gather, a batch over shards) while it waits for them: a
// [reactor.Sender] that never blocks a replying reactor and dead-letters
// the replies nobody waits for any more.
//
// # The protocols above
//
// The protocols built on these live in packages of their own, one
// concept each:
//
//   - protocol/backpressure: credit-based flow control (Valve, Pump);
//   - protocol/reliable: links that deliver in order and exactly once
//     over a transport that may drop, duplicate and reorder;
//   - protocol/retry: backoff schedules and retries, in reactors
//     (retry.Events) and in goroutines (retry.Do);
//   - protocol/twoway: two-way links between reactors.
//
// Reactors.IO's throttle and timeout patterns are the time operators of
// package reactor, [reactor.Throttle] and [reactor.Timeout].
//
// # Rules
//
//   - An Install runs inside its connector's reactor (owner only) and
//     must not block. [Inbox.Send] is safe for concurrent use; the rest of
//     an Inbox belongs to its waiting goroutine.
//   - Invalid arguments (a nil Install, a nil system, a negative inbox
//     size) are programming errors and panic at once, with a "protocol:"
//     message.
package protocol
