// Package server is request/reply between reactors and goroutines.
//
// A [Server][Q, R] is a reactor channel of [Request][Q, R]: a value and where
// its reply goes. A reactor serves requests with [Serve] (a function from
// request to reply), [ServeAsync] (the reply comes later, as the first event
// of a stream), [ServeStream] (every event of a stream, then an end marker),
// or by handling Request values itself and calling [Request.Respond] or
// [Request.Fail]. [Open], [Body] and [Spawn] install Serve on a new
// connector, as a reactor body, and as a reactor of its own. Clients ask:
//
//   - from a plain goroutine, Ask(ctx, srv, q) blocks until the reply, the
//     end of ctx, or the end of the server's reactor;
//   - from inside a reactor, AskIn(r, srv, q) returns an IVar that a later
//     turn completes (nothing inside a reactor blocks);
//   - AskStreamIn(r, srv, q) returns the stream of a stream server's
//     replies;
//   - Tell(srv, q) sends a request whose reply nobody waits for;
//   - Call(ctx, sys, start) and CallIn(r, start) start a flow: a [Flow] (a
//     correlation id and a callback point) travels in the messages of a
//     chain of reactors, and the one that produces the result answers the
//     caller directly (kino's callback points). [Request.Flow] hands a
//     request's answer down such a chain.
//
// # Guarantees
//
// Each ask gets at most one reply, and only its own: a reply is tagged
// with the ask it answers, so a reply that arrives after its ask gave up
// (deadline, cancellation, or an answer already taken) is refused with
// [reactor.ErrExpired] and dead-lettered with [reactor.ReasonExpired], never
// delivered to another caller, even though the goroutine form reuses its
// reply slots. A Serve handler that panics answers the request it was
// handling with an error matching [ErrServerFailed] before its reactor
// fails; requests still queued when a server's reactor terminates are
// dead-lettered by the runtime, and askers waiting for them return
// [ErrServerTerminated]. A request dead-lettered anywhere on its way (a
// router with no live target, a router reactor whose target is gone, a
// sealed or terminated channel, an unhandled connector) answers its
// asker with an [*UndeliveredError] ([reactor.Undeliverable]), through any
// chain of forwarding channels.
//
// Deadlines: [Ask] with a context that can end returns by the time it
// ends, on every scheduler and through routers; only a context that
// never ends lets the caller run an idle server's handler itself, for
// its own request alone. Blocking calls (Ask, [Call]) made from inside a
// reactor fail at once with [reactor.ErrInsideReactor].
//
// Ordering: requests of one client are served in the order sent (the
// server channel's per-sender FIFO). Replies are unordered between asks.
package server
