package reliable

// Frame is a reliable link's data message on the wire: a value and its
// sequence number. Sequence numbers start at 1 and count every value the
// link's sender accepted, in order; a retransmitted frame carries the
// sequence number it had the first time.
type Frame[T any] struct {
	Seq   uint64
	Value T
}

// Ack is a reliable link's acknowledgement on the wire, from the receiver
// back to the sender. It is cumulative: every frame up to and including
// Upto has been received (0: none yet). Top is the highest sequence number
// received so far, and Holes lists, in increasing order, sequence numbers
// between Upto and Top not received yet (at most [MaxHoles] of them, the
// lowest), so that the sender can resend lost frames before its timer
// fires. Holes is never mutated after the Ack is sent; the zero Ack
// acknowledges nothing.
type Ack struct {
	Upto  uint64
	Top   uint64
	Holes []uint64
}

// MaxHoles is the most holes an [Ack] lists.
const MaxHoles = 64
