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
// reactors a channel each way. Reliable links are package
// protocol/reliable, credit-based backpressure package
// protocol/backpressure.
//
// # Rules
//
//   - Every error this package emits or returns matches one of its
//     sentinel ErrNoLink with errors.Is, or wraps the error that caused
//     it.
//   - Invalid arguments (nil functions, sizes out of range) are
//     programming errors and panic at once, with a "protocol:" message.
package protocol
