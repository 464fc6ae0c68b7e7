package reliable

// ReceiveWindow is the receiving half of a reliable link as a pure state
// machine: it takes frames in any order, with duplicates and gaps, and
// delivers their values in sequence order, each exactly once. Frames that
// arrive ahead of a gap wait in a reorder buffer bounded by the window
// (frames beyond the window are refused, which a sender with the same window
// never causes). Acknowledgements are batched: [ReceiveWindow.Ack] returns
// one acknowledgement for everything received since the previous call, to be
// sent at the end of the receiving reactor's turn.
//
// A ReceiveWindow is not safe for concurrent use. Use [NewReceiveWindow]; the
// zero value is not usable. Cost: O(window) memory; [ReceiveWindow.Receive]
// allocates only by appending to out, Ack only when it reports holes.
type ReceiveWindow[T any] struct {
	window   uint64
	upto     uint64 // delivered through
	top      uint64 // highest sequence number received
	heard    bool   // a frame arrived since the last Ack
	buffered int
	buf      []T
	have     []bool
}

// NewReceiveWindow returns a receiver for a sender of the same window.
// It panics if window < 1.
func NewReceiveWindow[T any](window int) *ReceiveWindow[T] {
	if window < 1 {
		panic("reliable: NewReceiveWindow: window < 1")
	}
	return &ReceiveWindow[T]{
		window: uint64(window),
		buf:    make([]T, window),
		have:   make([]bool, window),
	}
}

// Receive takes a frame in and appends to out the values it makes
// deliverable, in order: none if the frame is a duplicate or arrives
// ahead of a gap, its own and those buffered behind it if it fills the
// gap. It returns out.
func (r *ReceiveWindow[T]) Receive(f Frame[T], out []T) []T {
	r.heard = true
	if f.Seq <= r.upto || f.Seq > r.upto+r.window {
		return out
	}
	r.top = max(r.top, f.Seq)
	i := f.Seq % r.window
	if r.have[i] {
		return out
	}
	r.buf[i], r.have[i] = f.Value, true
	r.buffered++
	var zero T
	for {
		j := (r.upto + 1) % r.window
		if !r.have[j] {
			return out
		}
		out = append(out, r.buf[j])
		r.buf[j], r.have[j] = zero, false
		r.buffered--
		r.upto++
	}
}

// Ack returns the acknowledgement of everything received so far, and
// true, if a frame (even a duplicate) arrived since the previous call;
// otherwise the zero Ack and false.
func (r *ReceiveWindow[T]) Ack() (Ack, bool) {
	if !r.heard {
		return Ack{}, false
	}
	r.heard = false
	a := Ack{Upto: r.upto, Top: max(r.top, r.upto)}
	for s := r.upto + 1; s < a.Top && len(a.Holes) < MaxHoles; s++ {
		if !r.have[s%r.window] {
			a.Holes = append(a.Holes, s)
		}
	}
	return a, true
}

// Delivered returns the number of values delivered so far: the highest
// sequence number delivered.
func (r *ReceiveWindow[T]) Delivered() uint64 { return r.upto }

// Buffered returns the number of frames waiting in the reorder buffer; it
// is always below the window.
func (r *ReceiveWindow[T]) Buffered() int { return r.buffered }
