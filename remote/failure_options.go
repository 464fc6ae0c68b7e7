package remote

import (
	"time"

	"github.com/nats-io/nats.go"
)

// WithNoticeBuffer sets the capacity of [Node.Notices] (default
// [DefaultNoticeBuffer]; n <= 0 keeps the default). Notices beyond a full
// buffer are counted by [Node.NoticesLost], not queued.
func WithNoticeBuffer(n int) Option { return func(c *nodeConfig) { c.noticeBuffer = n } }

// WithReconnect sets how a [WithURL] connection reconnects after losing its
// server: it waits wait between attempts to the same server (nats.go's
// default: 2 s, with a little jitter) and gives up after max attempts
// (default 60; -1: never). When it gives up the connection is closed:
// [Node.Notices] reports [NoticeClosed] and the node's channels fail with
// [ErrClosed]. wait <= 0 keeps the default wait. The embedded in-process
// connection never reconnects (its server lives in this process).
//
// While disconnected, publications are buffered by the connection (8 MB)
// and sent on reconnection; core NATS events may still be lost (the
// receivers' subscriptions may come back after them), at-least-once
// channels resend theirs until acknowledged.
func WithReconnect(wait time.Duration, max int) Option {
	return func(c *nodeConfig) { c.reconnectWait, c.maxReconnects, c.reconnectGiven = wait, max, true }
}

// reconnectOptions returns the connection options of [WithReconnect].
func (c *nodeConfig) reconnectOptions() []nats.Option {
	if !c.reconnectGiven {
		return nil
	}
	var o []nats.Option
	if c.reconnectWait > 0 {
		o = append(o, nats.ReconnectWait(c.reconnectWait), nats.ReconnectJitter(c.reconnectWait/10, c.reconnectWait/10))
	}
	if c.maxReconnects != 0 {
		o = append(o, nats.MaxReconnects(c.maxReconnects))
	}
	return o
}
