// Package reactor is the runtime: reactor systems, typed channels and
// connectors, the scheduler, lifecycle, names, clock, dead letters and
// supervision.
//
// A reactor is a unit of concurrency that owns typed connectors. Each
// connector has a send side, [Channel][T], that anyone may hold and send to,
// and an owner side whose events (package events) the reactor's handlers
// subscribe to. A reactor handles at most one event at a time, so its state
// needs no locks.
//
//	sys := reactor.New()
//	defer sys.Shutdown(context.Background())
//	ch, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
//		r.Main().Events().OnEvent(func(s string) {
//			fmt.Println(s)
//			r.Main().Seal() // no more events: the reactor terminates
//		})
//	})
//	ch.Send("hello")
//	<-ch.Done() // the event is handled before Shutdown stops the reactor
//
// # Guarantees
//
// Serial processing: a reactor's constructor, handlers and lifecycle
// handlers never run concurrently with each other; each turn synchronizes
// before the next one of the same reactor, on whatever goroutine it runs.
//
// Ordering: events of one sender on one channel are delivered in the order
// sent (per-sender FIFO). Nothing is promised between different senders, or
// between different channels of one reactor beyond the scheduling rule: a
// turn handles up to the budget (64 by default) of events, draining one
// connector at a time in FIFO order and moving round-robin to the next.
//
// Delivery: an event accepted by [Channel.Send] (nil error) is delivered
// exactly once, or dead-lettered with a reason if its connector closes or its
// reactor terminates first; it is never silently dropped. Events queued when
// a reactor terminates are dead-lettered with [ReasonTerminated], or
// [ReasonShutdown] during [System.Shutdown]. An event delivered to a
// connector nobody subscribes to is dead-lettered with [ReasonUnhandled].
//
// Early sends: the channel returned by [Spawn] is usable at once. Events sent
// before the constructor has run are queued and handled after it returns.
// Spawning from inside a reactor and sending to yourself are ordinary
// operations.
//
// Failure: a panic in a constructor or handler, or an error that reaches a
// handler without an error handler, fails only that reactor: it emits
// Died(err) with the panic value and stack, then [Terminated] (or, with a
// [RestartPolicy], runs its constructor again), and the system's failure
// handler is told. Other reactors are unaffected. The event whose handler
// failed is not redelivered. The functions the runtime calls outside a turn
// are isolated the same way: a panic in an [Channel.AfterTerminate] function,
// or in a stream's completion handler run while a reactor terminates, is told
// to the failure handler; a panic in the failure handler or the dead-letter
// handler is logged. No panic of a user function reaches a worker goroutine.
//
// Bad input: a nil function, size, duration or policy that cannot work is
// refused where it is given, never later on a worker: calls that return an
// error return one ([ErrInvalidOption], [ErrNilSystem]), the others panic at
// once with a "reactor: " message (a nil Spawn body, a nil AfterTerminate
// function or [ChannelOf] [Sender], a non-positive [Periodic] period or
// [Timeout], a nil [Throttle] interval).
//
// Termination: a reactor terminates when all its non-daemon connectors are
// sealed and its queues are drained, when it fails, or at shutdown. After
// that, sends to its channels return [ErrTerminated].
//
// # Clock and time operators
//
// After, Periodic and [Countdown] are the clock's streams: each
// subscription starts a timer whose ticks arrive as events of a daemon
// connector of the reactor, so their handlers run inside it like any
// other. [Debounce], [Window], Throttle and Timeout are stream operators on
// that clock, for a reactor's own code like the combinators of package
// events: Debounce keeps the last event of a burst, Window collects
// events per period, Throttle spaces events out (queueing them), and
// Timeout fails a stream with an error wrapping [ErrTimeout] when it goes
// silent for too long; events.Until(e, After(o, d)) bounds a whole
// stream without an error. Their state is touched only inside the
// owning reactor, and unsubscribing, or its termination, stops their
// timers. Tests can run them on virtual time in a testing/synctest
// bubble.
//
// # Scheduling and cost
//
// An idle reactor owns no goroutine. The default scheduler is a pool of
// worker goroutines (GOMAXPROCS); a reactor woken by a handler runs next on
// the same worker, so request/reply between reactors hands off without a
// goroutine switch. Idle workers park: the system uses no CPU at rest.
// [Dedicated] runs a reactor on a goroutine of its own, and [Run] on the
// caller's goroutine.
//
// Send costs one or two atomic operations and no allocation on the fast
// path; docs/benchmarks.md gives measured figures.
//
// # Rules
//
//   - The [Reactor] value, its connectors' owner side ([Connector.Events],
//     [Connector.Seal]) and every stream built from them belong to the
//     reactor: use them only from its constructor and handlers. Channels are
//     safe everywhere.
//   - Handlers must not block: inside a reactor nothing waits. Blocking calls
//     of this package ([Await], [Channel.Offer], a full [Block] mailbox) are
//     for plain goroutines; inside any reactor a full Block mailbox returns
//     [ErrFull] instead of waiting.
//   - Do not mutate a value after sending it.
//   - Shut a system down with Shutdown; it stops every reactor and
//     goroutine the system started.
//
// # For protocol authors
//
// A few calls exist so that protocols (packages router, server, dht,
// remote, and yours) can be as fast and as honest as the runtime
// itself. They are public API with the same guarantees as the rest, and
// each one's doc gives its full contract:
//
//   - [Channel.SendAndRun] lets a plain goroutine that will wait for the
//     answer run an idle reactor's turn itself, for one event. Use it only
//     when the caller may block for as long as the handler runs (an ask
//     whose context cannot end); otherwise use Offer.
//   - [Channel.RunIfIdle], [TakeGuest] and [Channel.RunIfIdleAs] run a
//     function as a step of an idle reactor on the calling goroutine (how
//     package dht applies an operation to an idle shard without a
//     request). The function reads and writes the reactor's state as a
//     handler would and follows a handler's rules; it must not block, and
//     must not seal or open connectors. Serial processing holds.
//   - [ChannelOf] makes a channel of any [Sender]; a Sender may offer
//     Done, Offer and SendAndRun methods that the channel then passes on.
//   - [System.DeadLetter] reports an event that a protocol could not
//     deliver, with one of the [Reason] constants, exactly as the runtime
//     reports its own; [Undeliverable] events (a server request) are told
//     why, so that their senders never wait for an answer that cannot
//     come.
//   - [System.AskProbe] reports a protocol's asks to the Ask and
//     AskExpired functions of the system's [Hooks] (package metrics
//     registers some): Start before the send, End when the ask returns.
//     It is nil, at the cost of one atomic load, while no such hook is
//     registered.
//
// None of them can break a reactor's serial processing or lose an event;
// misused (a blocking function in [Channel.RunIfIdle]), they stall only the
// reactor they run as, like a blocking handler.
package reactor
