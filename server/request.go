package server

import "github.com/reactors-go/reactors/reactor"

// Server is the request channel of a server: any goroutine or reactor may
// send it requests. It is a [reactor.Channel], so routers, paths and names
// work with servers as with any channel.
type Server[Q, R any] = reactor.Channel[Request[Q, R]]

// Request is a request as a server receives it: the asked value and where its
// reply goes. Requests are small values; copy them freely. A request is
// answered at most once: later [Request.Respond] or [Request.Fail] calls are
// refused by the asker (ErrExpired) and dead-lettered.
type Request[Q, R any] struct {
	Value Q
	reply reactor.Channel[Reply[R]]
	id    uint64   // which ask of the reply channel this request is
	slot  *slot[R] // set by Ask only, reply being then slot.ch: Respond and Fail answer the slot in place, the same as a send on reply would
}

// Reply is a server's answer as it travels back: a value or an error.
// Clients see it through [Ask], [AskIn] and the reply channels they build.
type Reply[R any] struct {
	Value R
	Err   error
	id    uint64
	more  bool // a stream item: more replies follow (ServeStream)
	end   bool // the end of a stream: no value
}

// NewRequest returns a request for q whose reply goes to reply; id
// distinguishes asks that share one reply channel (it is returned in the
// [Reply], see [Reply.ID]). It is for protocols that build their own reply
// handling (a router's scatter-gather, a correlation flow); [Ask] and [AskIn]
// build their requests themselves.
func NewRequest[Q, R any](q Q, reply reactor.Channel[Reply[R]], id uint64) Request[Q, R] {
	return Request[Q, R]{Value: q, reply: reply, id: id}
}

// ID returns the id of the request this reply answers (see [NewRequest]).
func (r Reply[R]) ID() uint64 { return r.id }

// Streaming reports whether the reply is part of a stream ([ServeStream]):
// an item with more to follow, or the end marker.
func (r Reply[R]) Streaming() bool { return r.more || r.end }

// End reports whether the reply is the end marker of a stream; it carries
// no value, and Err is set if the stream failed.
func (r Reply[R]) End() bool { return r.end }

// OneWay reports whether nobody waits for the request's reply ([Tell]).
func (r Request[Q, R]) OneWay() bool { return r.reply == (reactor.Channel[Reply[R]]{}) }

// Respond sends v as the request's reply. It returns the reply channel's
// Send error: [reactor.ErrExpired] if the asker stopped waiting (the reply
// is then dead-lettered with ReasonExpired), ErrSealed or ErrTerminated if
// an asking reactor is gone. A one-way request ([Tell]) accepts and drops
// the reply. Respond never blocks.
func (r Request[Q, R]) Respond(v R) error {
	if r.slot != nil {
		return r.slot.accept(v, nil, r.id)
	}
	if r.OneWay() {
		return nil
	}
	return r.reply.Send(Reply[R]{Value: v, id: r.id})
}

// Undelivered answers the request with an [*UndeliveredError] when it is
// dead-lettered on its way to a server (it makes [Request] a
// [reactor.Undeliverable]): the runtime and the protocols call it, so that
// the asker learns at once why its request went nowhere, through any
// chain of routers and forwarding channels. A one-way request has nobody
// to tell. It never blocks.
func (r Request[Q, R]) Undelivered(channel string, reason reactor.Reason) {
	_ = r.Fail(&UndeliveredError{Channel: channel, Reason: reason, Err: reasonErr(reason)})
}

// Fail answers the request with err instead of a value; the asker's [Ask]
// returns err. It reports like [Request.Respond].
func (r Request[Q, R]) Fail(err error) error {
	if r.slot != nil {
		return r.slot.accept(*new(R), err, r.id)
	}
	if r.OneWay() {
		return nil
	}
	return r.reply.Send(Reply[R]{Err: err, id: r.id})
}
