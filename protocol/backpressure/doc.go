// Package backpressure is credit-based flow control between reactors
// (Reactors.IO's Backpressure protocol): a sender ([Valve], or
// [BlockingValve] for a plain goroutine) may have at most a window of
// events sent and not yet consumed by the receiver ([Pump]); the pump
// buffers them and, as its consumer takes them, returns credit to the
// valve, per event ([Sliding]) or once per turn of the receiving reactor
// ([Batching]).
//
//	pm, _ := backpressure.NewPump[string](consumer, backpressure.Batching(64))
//	v, _ := backpressure.NewValve(producer, pm.Channel())
//	err := v.Send("event") // ErrNoCredit: wait for v.Available()
//
// Credits are cumulative, not deltas: a [Credit] says "you may have sent up
// to Limit events in all", and Limit is always the receiver's consumed
// count plus its window at the time the credit was made. The valve keeps
// the largest Limit it has seen. So a credit message that is delayed,
// reordered, duplicated or even lost never lets the sender run ahead of
// the receiver's buffer: stale credits are ignored, duplicates change
// nothing, and a later credit replaces a lost one.
//
// The accounting lives in two pure values, [Credits] (the sender's) and
// [CreditBuffer] (the receiver's): no goroutines, channels or clocks, so
// they can be driven by any transport and model-checked. Valve, Pump and
// BlockingValve are thin shells that move [Packet] and Credit messages.
//
// # Rules
//
//   - Valve and Pump belong to their reactor (owner only; a pump's
//     [Pump.Channel] goes anywhere). A BlockingValve is safe for concurrent
//     use and is for plain goroutines: inside a reactor, an
//     [BlockingValve.Offer] that would wait fails with
//     [reactor.ErrInsideReactor] instead.
//   - Every error this package returns is [ErrNoCredit] or wraps the error
//     that caused it (a refused send, a closed valve's
//     [reactor.ErrSealed]).
//   - Invalid arguments (a window below 1, the zero [Policy]) are
//     programming errors and panic at once, with a "backpressure:"
//     message.
package backpressure
