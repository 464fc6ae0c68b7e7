// Package events implements push-based event streams: the way a reactor's
// handlers are written and composed.
//
// An [Events][T] value is a stream of T values that observers subscribe to.
// An [Emitter][T] is an imperative source; an [IVar][T] is a single-assignment
// variable that is also a stream. Package reactor feeds each connector's
// events into an Emitter, so a reactor's handlers are observers of those
// streams.
//
// # Combinators
//
// New streams are built from old ones: [Map], [Events.Filter], [Scan],
// [Events.Take], [Zip], [Flatten], [GroupBy] and the rest. Each is cold:
// every subscription to the result subscribes afresh to its inputs, with
// state of its own, and unsubscribing it releases the inputs. Combinators
// that keep the element type are methods (e.Filter(p), e.Take(n)); those that
// change it are functions (Map(e, f)), because Go methods cannot add type
// parameters and a method of Events[T] cannot return Events[[]T] or
// Events[Events[T]]. Upstream errors pass through unless a combinator handles
// them ([Events.Recover], [Events.IgnoreErrors], [Materialize]); a combinator
// that ends early (Take, [Until]) completes downstream and unsubscribes
// upstream at once, even when its input completes during Subscribe. Each doc
// comment says what the combinator buffers. Forwarding an event through a
// stage allocates nothing.
//
// # Rules
//
//   - Streams are reactor-local: an Events value, an Emitter, an IVar, a
//     [Signal] and the subscriptions on them belong to one reactor and must not
//     be used from any other reactor or goroutine. None of these types is
//     safe for concurrent use. To move values between reactors, send them on
//     a channel.
//   - The rule is checked: an Emitter binds to the reactor that first uses it
//     from a constructor or handler, and from then on a Subscribe,
//     [Emitter.Emit], [Emitter.EmitError], [Emitter.Close] or [Emitter.Clear]
//     from anywhere else panics with an error matching [ErrNotOwner], which
//     fails the calling reactor (its lifecycle reports Died) rather than
//     racing with the owner. IVar, Signal and every combinator are built on
//     emitters or on the streams they wrap, so they are covered. Streams used
//     only outside reactors are not checked.
//   - Emission is synchronous and depth-first: Emit calls every subscriber in
//     subscription order before it returns, and a subscriber that emits on
//     another (or the same) stream runs that emission to completion first.
//   - A stream emits any number of events and errors, then at most one done.
//     An error does not end a stream. Nothing is emitted after done.
//   - A subscriber added while an event is being emitted does not receive
//     that event. A subscriber removed while an event is being emitted is
//     not called again, not even for that event.
//   - Subscribing to a completed stream calls the observer's
//     [Observer.OnDone] at once.
//   - An error that reaches an observer with no error handler (OnEvent,
//     OnDone) is unhandled: the observer panics with [*UnhandledError], which
//     fails the reactor it runs in (the reactor's lifecycle reports it as
//     Died).
//
// # Cost
//
// Emitting to one subscriber is one interface call plus the handler, and the
// ownership check: about 2 ns when the reactor runs on the worker that last
// passed it, about 5 ns after it moved. The first subscription to an Emitter
// allocates nothing, later ones allocate a small record each. Subscribing
// with [Events.OnEvent] does not allocate beyond that. Combinators add no
// check per event: only their sources emit. The streams of a reactor's
// connectors check ownership when subscribed to, not per event: the runtime
// delivers their events only in the owner's turns.
package events
