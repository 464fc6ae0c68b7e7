// Package reliable delivers values between two reactors in order and
// exactly once over a transport that may drop, duplicate and reorder:
// sequence numbers, a window of frames in flight, cumulative
// acknowledgements (with the holes below the highest frame received)
// batched once per receiver turn on its Preempted event, and
// retransmission on a timer. Reactors.IO's reliable channels assume a
// transport that never drops; these do not.
//
// [Open] makes the sending end (a [Sender]) on one reactor, [Serve] the
// receiving end (a [Receiver]) on another; the frames travel over any
// [reactor.Channel][Frame[T]] and the acknowledgements back over any
// reactor.Channel[Ack], faulty or not:
//
//	conn, _ := reactor.Open[reliable.Frame[string]](rx)               // in rx: frames arrive here
//	s, _ := reliable.Open[string](tx, conn.Channel(), reliable.Config{}) // in tx
//	k := reliable.Serve(rx, conn, s.Acks(), reliable.Config{})         // in rx
//	k.Events().OnEvent(func(v string) { ... })                         // in order, exactly once
//
// Each end is a reactor shell around a pure core, [SendWindow] and
// [ReceiveWindow]: state machines that start nothing and read no clock,
// tested and model-checked on their own and usable over any transport.
//
// # Rules
//
//   - Senders and Receivers belong to their reactor (owner only), except
//     [Sender.Channel] and [Sender.Acks], which go anywhere.
//   - Each end closes only its own connectors, and neither tells the
//     other: close the sender once [Sender.Unacked] is 0.
//   - Both ends must use the same Config.Window.
//   - A send on a closed link fails with an error matching [ErrClosed].
//   - Invalid arguments (a negative window, period or tolerance) are
//     programming errors and panic at once, with a "reliable:" message.
package reliable
