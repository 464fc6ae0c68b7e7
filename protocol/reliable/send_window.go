package reliable

// SendWindow is the sending half of a reliable link as a pure state machine:
// it numbers values, keeps at most a window of them unacknowledged in flight
// (buffering the rest, without bound, in order), releases them as
// acknowledgements arrive and decides what to resend. It starts nothing and
// reads no clock: its inputs are the values to send ([SendWindow.Send]), the
// acknowledgements received ([SendWindow.Ack]) and the ticks of a
// retransmission timer ([SendWindow.Tick]), and each returns the frames to
// transmit, appended to the slice it is given. The frames may be lost,
// duplicated and reordered on their way; a [ReceiveWindow] with the same
// window delivers their values in order, exactly once.
//
// Resending: a frame listed as a hole by an acknowledgement is resent at
// once when the frame the receiver saw last ([Ack.Top]) was transmitted
// more than the tolerance transmissions after the hole's own last
// transmission (so that frames merely overtaken on the way are not
// resent); and a Tick that finds no acknowledgement progress since the
// previous Tick resends every frame in flight that no acknowledgement has
// reported received (frames between Upto and Top that are not holes are
// known to have arrived, up to the last hole listed when the list was
// cut at [MaxHoles]).
//
// A SendWindow is not safe for concurrent use. Use [NewSendWindow]; the zero
// value is not usable. Cost: O(window) memory for the frames in flight plus
// the buffered values; Send and Ack allocate nothing beyond the slices they
// append to and the buffer's growth.
type SendWindow[T any] struct {
	window    int
	tolerance uint64
	base      uint64 // lowest unacknowledged sequence number
	next      uint64 // sequence number of the next value put in flight
	tx        uint64 // transmissions so far, retransmissions included
	tickBase  uint64 // base at the previous Tick
	marked    uint64 // highest sequence number whose arrival Ack has examined
	flight    []slot[T]
	pending   []T // buffered values beyond the window, from head
	head      int
}

type slot[T any] struct {
	v   T
	tx  uint64 // tx count of the last transmission
	got bool   // an acknowledgement reported it received (above Upto)
}

// NewSendWindow returns a sender whose window is window frames and
// whose reorder tolerance is tolerance transmissions (see the type's
// doc). It panics if window < 1 or tolerance < 0.
func NewSendWindow[T any](window, tolerance int) *SendWindow[T] {
	if window < 1 {
		panic("reliable: NewSendWindow: window < 1")
	}
	if tolerance < 0 {
		panic("reliable: NewSendWindow: negative tolerance")
	}
	return &SendWindow[T]{
		window: window, tolerance: uint64(tolerance),
		base: 1, next: 1, tickBase: 1,
		flight: make([]slot[T], window),
	}
}

// Send accepts v, the next value of the link. If the window has room
// (and nothing is buffered before v), it appends v's frame to out;
// otherwise v waits in the buffer. It returns out.
func (s *SendWindow[T]) Send(v T, out []Frame[T]) []Frame[T] {
	if s.head == len(s.pending) && s.InFlight() < s.window {
		return s.launch(v, out)
	}
	s.pending = append(s.pending, v)
	return out
}

// launch puts v in flight with the next sequence number.
func (s *SendWindow[T]) launch(v T, out []Frame[T]) []Frame[T] {
	seq := s.next
	s.next++
	s.tx++
	s.flight[seq%uint64(s.window)] = slot[T]{v: v, tx: s.tx}
	return append(out, Frame[T]{Seq: seq, Value: v})
}

// resend transmits the frame in flight with sequence number seq again.
func (s *SendWindow[T]) resend(seq uint64, out []Frame[T]) []Frame[T] {
	f := &s.flight[seq%uint64(s.window)]
	s.tx++
	f.tx = s.tx
	return append(out, Frame[T]{Seq: seq, Value: f.v})
}

// Ack takes an acknowledgement in: it releases the frames it
// acknowledges, puts buffered values in flight as the window allows,
// resends the holes it shows lost, and appends all those frames to out.
// Stale and duplicated acknowledgements are harmless; one acknowledging
// frames never sent (a peer's error) is ignored. It returns out.
func (s *SendWindow[T]) Ack(a Ack, out []Frame[T]) []Frame[T] {
	if a.Upto >= s.next || a.Top >= s.next {
		return out
	}
	var zero slot[T]
	for ; s.base <= a.Upto; s.base++ {
		s.flight[s.base%uint64(s.window)] = zero
	}
	s.markReceived(a)
	if a.Top >= s.base {
		top := s.flight[a.Top%uint64(s.window)].tx
		for _, h := range a.Holes {
			if h < s.base || h >= a.Top {
				continue
			}
			if top > s.flight[h%uint64(s.window)].tx+s.tolerance {
				out = s.resend(h, out)
			}
		}
	}
	for s.head < len(s.pending) && s.InFlight() < s.window {
		v := s.pending[s.head]
		var zv T
		s.pending[s.head] = zv
		s.head++
		out = s.launch(v, out)
	}
	if s.head == len(s.pending) {
		s.pending, s.head = s.pending[:0], 0
	} else if s.head > 1024 && s.head > len(s.pending)/2 {
		n := copy(s.pending, s.pending[s.head:])
		clear(s.pending[n:])
		s.pending, s.head = s.pending[:n], 0
	}
	return out
}

// markReceived records the frames a tells arrived: those between Upto
// and Top that are not holes, up to the last hole listed if the list was
// cut. Each sequence number is examined once, by the first
// acknowledgement that covers it, so a hole filled later is learnt only
// when Upto passes it.
func (s *SendWindow[T]) markReceived(a Ack) {
	known := a.Top
	if len(a.Holes) >= MaxHoles {
		known = a.Holes[len(a.Holes)-1]
	}
	holes := a.Holes
	for seq := max(s.base, s.marked+1); seq <= known && seq < s.next; seq++ {
		for len(holes) > 0 && holes[0] < seq {
			holes = holes[1:]
		}
		if len(holes) > 0 && holes[0] == seq {
			continue
		}
		s.flight[seq%uint64(s.window)].got = true
	}
	s.marked = max(s.marked, known)
}

// Tick is a tick of the retransmission timer: if frames are in flight and
// none was acknowledged since the previous Tick, it appends every frame
// in flight that is not known to have arrived to out, in order. It
// returns out.
func (s *SendWindow[T]) Tick(out []Frame[T]) []Frame[T] {
	if s.base < s.next && s.base == s.tickBase {
		for seq := s.base; seq < s.next; seq++ {
			if !s.flight[seq%uint64(s.window)].got {
				out = s.resend(seq, out)
			}
		}
	}
	s.tickBase = s.base
	return out
}

// InFlight returns the number of frames sent and not acknowledged yet;
// it never exceeds the window.
func (s *SendWindow[T]) InFlight() int { return int(s.next - s.base) }

// Buffered returns the number of values waiting for room in the window.
func (s *SendWindow[T]) Buffered() int { return len(s.pending) - s.head }

// Acked returns the highest sequence number acknowledged: every value up
// to it has been delivered.
func (s *SendWindow[T]) Acked() uint64 { return s.base - 1 }

// Window returns the sender's window.
func (s *SendWindow[T]) Window() int { return s.window }
