// Package protocol holds what protocols share: the installation forms
// (Install, Open, Body, Spawn: Reactors.IO's four ways to start a
// protocol, derived from one function that attaches it to a connector),
// reply inboxes for waiting goroutines (Inbox), and links between
// reactors. Retry with backoff, one of Reactors.IO's Patterns, is package
// protocol/retry; its throttle and timeout are reactor.Throttle and
// reactor.Timeout.
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
// retransmission on a timer, with a pure core (ReliableSender,
// ReliableReceiver) that the reactor shells drive, tested on its own.
// Credit-based backpressure is package protocol/backpressure.
//
// # Rules
//
//   - Every error this package emits or returns matches one of its
//     sentinels (ErrLinkClosed, ErrNoLink) with errors.Is, or wraps the
//     error that caused it.
//   - Invalid arguments (nil functions, sizes out of range) are
//     programming errors and panic at once, with a "protocol:" message.
package protocol
