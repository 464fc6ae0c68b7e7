package server

import (
	"fmt"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/protocol"
	"github.com/reactors-go/reactors/reactor"
)

// Serve answers every request arriving on conn with f's result: its value
// through [Request.Respond], its error through [Request.Fail]. f runs in
// conn's reactor, one request at a time, so it may use the reactor's state;
// it must not block. Owner only: call Serve from the reactor's constructor or
// a handler. The subscription stops serving (requests that arrive afterwards
// are dead-lettered as unhandled if nothing else subscribes).
//
// If f panics, the request it was answering gets an error matching
// [ErrServerFailed], then the panic goes on and fails the reactor as any
// handler panic does (with a restart policy, the next request is served
// by the new incarnation). Serve adds no allocation per request. A nil f
// panics at once.
func Serve[Q, R any](conn *reactor.Connector[Request[Q, R]], f func(Q) (R, error)) events.Subscription {
	mustFunc("Serve", f == nil)
	return conn.Events().OnEvent(func(req Request[Q, R]) { answer(req, f) })
}

// answer runs f for req and replies. A deferred check, not a recover,
// answers a panicking f: the panic itself reaches the reactor's own
// failure handling untouched.
func answer[Q, R any](req Request[Q, R], f func(Q) (R, error)) {
	answered := false
	defer func() {
		if !answered {
			_ = req.Fail(ErrServerFailed)
		}
	}()
	v, err := f(req.Value)
	answered = true
	if err != nil {
		_ = req.Fail(err)
		return
	}
	_ = req.Respond(v)
}

// ServeAsync answers every request on conn with the first event of the
// stream f returns for it, so a server can reply later, after other
// events (an ask of its own, a timer). An error event before any value
// answers with that error; a stream that completes without a value
// answers with [ErrNoReply]. f runs in conn's reactor and must not block.
// Owner only; a nil f panics at once. A panic in f answers like [Serve].
//
// No request is left waiting when the server goes away, whatever path it
// came by (a router, a remote client): requests still waiting for their
// stream when the reactor terminates are answered with an error matching
// [ErrServerTerminated], and when the reactor fails and restarts (its
// streams are dropped with the failed incarnation), with [ErrServerFailed].
// A sealed conn stops taking requests; those it holds are still answered
// by their streams, or when the reactor terminates. (A connector the
// constructor opened is closed by a restart, which ServeAsync cannot tell
// from a seal: serve the main connector for the restart answer.)
//
// Cost beyond Serve's: one map entry per request while its reply is
// pending.
func ServeAsync[Q, R any](conn *reactor.Connector[Request[Q, R]], f func(Q) events.Events[R]) events.Subscription {
	mustFunc("ServeAsync", f == nil)
	pending := map[uint64]Request[Q, R]{} // owner only: requests whose stream has not answered
	var next uint64
	over := false // this incarnation's requests have all been answered
	failAll := func(err error) {
		over = true
		for _, req := range pending {
			_ = req.Fail(err)
		}
		clear(pending)
	}
	ch := conn.Channel()
	handle := func(req Request[Q, R]) {
		answered := false
		defer func() {
			if !answered {
				_ = req.Fail(ErrServerFailed)
			}
		}()
		next++
		key := next
		replied := false
		reply := func(answer func()) {
			if !replied && !over {
				replied = true
				delete(pending, key)
				answer()
			}
		}
		f(req.Value).Once().Subscribe(&events.Funcs[R]{
			Event: func(v R) { reply(func() { _ = req.Respond(v) }) },
			Error: func(err error) { reply(func() { _ = req.Fail(err) }) },
			Done:  func() { reply(func() { _ = req.Fail(ErrNoReply) }) },
		})
		if !replied && !req.OneWay() {
			pending[key] = req
		}
		answered = true
	}
	return conn.Events().Subscribe(&events.Funcs[Request[Q, R]]{
		Event: handle,
		Done: func() {
			if !conn.Sealed() {
				// The connector lives on, without this incarnation's
				// subscribers: the reactor restarts.
				failAll(ErrServerFailed)
				return
			}
			// Sealed, or the reactor terminates: the streams may still
			// answer until the reactor's last turn.
			ch.AfterTerminate(func(error) { failAll(terminated(ch.Name())) })
		},
	})
}

// Open opens a new connector on o that serves requests with f ([Serve] on
// a fresh connector) and returns its channel. Owner only; opts are those
// of [reactor.Open] (a name, a bounded mailbox, daemon). A nil f fails
// with [ErrNilFunc], opening nothing.
func Open[Q, R any](o reactor.Owner, f func(Q) (R, error), opts ...reactor.ConnOption) (Server[Q, R], error) {
	if f == nil {
		return Server[Q, R]{}, fmt.Errorf("server: Open: %w", ErrNilFunc)
	}
	c, err := protocol.Open(o, serving(f), opts...)
	if err != nil {
		return Server[Q, R]{}, err
	}
	return c.Channel(), nil
}

// Body returns the body of a reactor that serves its main channel with f,
// for [reactor.Spawn] or [reactor.Run] with options of the caller's choosing
// (a name, a scheduler, a restart policy). A nil f panics at once.
func Body[Q, R any](f func(Q) (R, error)) func(*reactor.Reactor[Request[Q, R]]) {
	mustFunc("Body", f == nil)
	return protocol.Body(serving(f))
}

// Spawn starts a reactor that serves its main channel with f and returns
// that channel. It is reactor.Spawn(sys, Body(f), opts...), except that
// a nil f fails with [ErrNilFunc], starting nothing.
func Spawn[Q, R any](sys *reactor.System, f func(Q) (R, error), opts ...reactor.SpawnOption) (Server[Q, R], error) {
	if f == nil {
		return Server[Q, R]{}, fmt.Errorf("server: Spawn: %w", ErrNilFunc)
	}
	return protocol.Spawn(sys, serving(f), opts...)
}

// mustFunc panics, naming fn, if its function argument is nil.
func mustFunc(fn string, isNil bool) {
	if isNil {
		panic("server: " + fn + " with a nil function")
	}
}

// serving is [Serve] with f as a protocol installation.
func serving[Q, R any](f func(Q) (R, error)) protocol.Install[Request[Q, R]] {
	return func(c *reactor.Connector[Request[Q, R]]) events.Subscription { return Serve(c, f) }
}
