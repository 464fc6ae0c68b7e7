package reliable

import "time"

// Config configures both ends of a reliable link; the zero value gives the
// defaults. Both ends must use the same Window.
type Config struct {
	// Window is the most frames in flight, unacknowledged, and the size
	// of the receiver's reorder buffer. Default 1024.
	Window int
	// Retransmit is the period of the sender's retransmission timer: a
	// period without acknowledgement progress resends every frame in
	// flight. Default 10ms.
	Retransmit time.Duration
	// Tolerance is how far, in transmissions, a frame may be overtaken
	// before a hole reported by the receiver is resent without waiting
	// for the timer (see [SendWindow]). Default 8.
	Tolerance int
}

func (c Config) withDefaults() Config {
	if c.Window == 0 {
		c.Window = 1024
	}
	if c.Retransmit == 0 {
		c.Retransmit = 10 * time.Millisecond
	}
	if c.Tolerance == 0 {
		c.Tolerance = 8
	}
	if c.Window < 1 || c.Retransmit < 0 || c.Tolerance < 0 {
		panic("reliable: Config: negative window, period or tolerance")
	}
	return c
}
