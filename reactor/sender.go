package reactor

import "context"

// Sender is a destination a [Channel] can forward to instead of a reactor's
// own connector: a router, a remote channel. [Sender.Send] must be safe for
// concurrent use and follow [Channel.Send]'s contract (per-sender FIFO where
// it delivers to one place, no silent loss); [Sender.Name] names the destination
// for dead letters and logs.
//
// A Sender may also have the methods
//
//	Offer(ctx context.Context, v T) error
//	SendAndRun(ctx context.Context, v T) error
//	SendAndYield(ctx context.Context, v T) error
//
// with the contracts of Channel's methods of those names; the forwarding
// channel's [Channel.Offer], [Channel.SendAndRun] and [Channel.SendAndYield]
// then call them (a router passes them on to the target it picks).
// Without the last two, they call Offer; without Offer, Send.
// A Sender that belongs to a system may also have the method
//
//	System() *System
//
// which the forwarding channel's [Channel.System] then returns.
type Sender[T any] interface {
	Send(v T) error
	Name() string
}

// forward makes an [Channel.Offer] or [Channel.SendAndRun] through a
// forwarding channel.
func forward[T any](s Sender[T], ctx context.Context, v T, mode int) error {
	switch mode {
	case modeRun:
		if r, ok := s.(interface {
			SendAndRun(context.Context, T) error
		}); ok {
			return r.SendAndRun(ctx, v)
		}
	case modeYield:
		if r, ok := s.(interface {
			SendAndYield(context.Context, T) error
		}); ok {
			return r.SendAndYield(ctx, v)
		}
	}
	if o, ok := s.(interface {
		Offer(context.Context, T) error
	}); ok {
		return o.Offer(ctx, v)
	}
	return s.Send(v)
}

// ChannelOf returns a [Channel] whose sends go to s, so that protocols can
// hand out ordinary channels. Each call makes a new channel (a small
// allocation): channels from two calls are not equal, so call it once per
// destination and share the result. Its Done is s's Done if s has one
// (see [Channel.Done]), else nil; its [Channel.Err] is nil. A nil s panics.
func ChannelOf[T any](s Sender[T]) Channel[T] {
	if s == nil {
		panic("reactor: ChannelOf with a nil Sender")
	}
	return Channel[T]{c: &Connector[T]{cx: &connExtra[T]{fwd: s}}}
}
