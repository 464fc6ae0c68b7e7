// Package metrics reports a reactor system through the OpenTelemetry
// metrics API: Register creates the instruments below on a Meter and
// keeps them fed until Unregister. The package depends only on the
// OpenTelemetry API (go.opentelemetry.io/otel and its metric package);
// the application picks the SDK and the exporter (Prometheus, OTLP, ...).
//
//	reg, err := metrics.Register(sys) // the global MeterProvider
//	if err != nil { ... }
//	defer reg.Unregister()
//
// # Instruments
//
// Names follow OpenTelemetry's semantic conventions: lower-case,
// dot-separated, under the reactors. prefix, with UCUM units. Every
// measurement carries the attributes given with WithAttributes, and
// those the table lists.
//
//	| Name                         | Instrument            | Unit      | Attributes                  | Meaning                                                                        |
//	|------------------------------|-----------------------|-----------|-----------------------------|--------------------------------------------------------------------------------|
//	| reactors.reactor.spawned     | async Counter         | {reactor} |                             | Reactors spawned                                                               |
//	| reactors.reactor.terminated  | async Counter         | {reactor} |                             | Reactors terminated, whatever the cause                                        |
//	| reactors.reactor.count       | async UpDownCounter   | {reactor} |                             | Live reactors: spawned, not yet terminated                                     |
//	| reactors.reactor.failures    | async Counter         | {failure} |                             | Failures: panics and unhandled stream errors, in constructors and handlers     |
//	| reactors.reactor.restarts    | async Counter         | {restart} |                             | Restarts under restart policies                                                |
//	| reactors.event.handled       | async Counter         | {event}   |                             | Events handed to handlers, by all reactors, terminated ones included (1)       |
//	| reactors.event.dead_lettered | async Counter         | {event}   | reactors.dead_letter.reason | Dead letters, by reason (sealed, terminated, overflow, ...) (2)                |
//	| reactors.mailbox.depth       | async UpDownCounter   | {event}   |                             | Events waiting in the mailboxes of the live reactors (3)                       |
//	| reactors.worker.turns        | async Counter         | {turn}    |                             | Turns run by the shared pool's workers                                         |
//	| reactors.worker.steals       | async Counter         | {turn}    |                             | Turns of reactors a worker took from another worker or the global queue        |
//	| reactors.worker.parks        | async Counter         | {park}    |                             | Times a worker parked for want of work                                         |
//	| reactors.worker.queued       | async UpDownCounter   | {reactor} |                             | Reactors waiting in the pool's run queues, local and global                    |
//	| reactors.turn.duration       | Histogram (float64)   | s         |                             | Duration of a sample of the turns, on any scheduler (4)                        |
//	| reactors.turn.events         | Histogram (int64)     | {event}   |                             | Events handled by each sampled turn (4)                                        |
//	| reactors.ask.duration        | Histogram (float64)   | s         |                             | Duration of a sample of server.Ask calls, from the send to the return (4) (5)  |
//	| reactors.ask.expired         | Counter               | {ask}     |                             | server.Ask calls that stopped waiting because their context ended (5)          |
//	| reactors.router.routed       | async Counter         | {event}   | reactors.router.name, reactors.router.member | Events a router sent to each member (WithRouter; with reactor.WithIntrospection) |
//	| reactors.table.operations    | async Counter         | {operation} | reactors.table.name, reactors.table.shard | Data operations each shard of a table applied (WithTable)                  |
//	| reactors.table.keys          | async UpDownCounter   | {key}     | reactors.table.name, reactors.table.shard | Keys each shard of a table holds (WithTable)                                   |
//	| reactors.table.resizes       | async Counter         | {resize}  | reactors.table.name         | Resizes of a table (WithTable)                                                 |
//
// (1) Counted per turn, after its handlers return, from Register on (from
// the system's start with reactor.WithIntrospection): a turn that fails
// leaves some of its events uncounted (see reactor.ReactorInfo). (2) A
// reason appears once it has a dead letter. (3) The main connector of
// each reactor, and its other connectors too with
// reactor.WithIntrospection; an event being handled is not counted. (4)
// One turn or ask in the system's hook sample (reactor.WithHookSample,
// 64 by default), drawn at random: the histogram's count is about that
// fraction of all turns or asks, and its distribution that of all. (5)
// Asks sent to a reactor of the system; asks through a channel with no
// reactor of its own (a router's, a remote one) are not reported.
//
// With the Prometheus exporter's default translation, the names become
// reactors_reactor_spawned_total, reactors_reactor_count,
// reactors_event_dead_lettered_total{reactors_dead_letter_reason="..."},
// reactors_turn_duration_seconds (a histogram), reactors_turn_events,
// and so on: dots become underscores, counters get _total, and the
// unit "s" gets _seconds.
//
// # Cost
//
// The counters and up-down counters are read by one callback per
// collection, nothing while nobody collects: System.Stats (one atomic
// load per live reactor, under the system's lock) and System.Reactors
// (for the mailbox depth). Both are O(live reactors): on a 2-core
// machine with 200,000 idle reactors, 3 ms and 76 ms. The histograms
// and the expiry counter are recorded by hooks on the system
// (reactor.Hooks), on the goroutine that ran the turn or the ask: with
// the hooks set, a turn costs a random draw more (about 1 ns) and an ask
// one of math/rand/v2's, and a sampled one two clock reads and the
// recording (some hundreds of nanoseconds with the SDK). The package's
// BenchmarkPingPong and BenchmarkAsk measure it.
//
// # Rules
//
//   - Register takes a MeterProvider (WithMeterProvider, the global one
//     by default), not a Meter, as OpenTelemetry asks of instrumentation
//     libraries: it names its own Meter, ScopeName, so that its
//     instruments are told apart from the application's.
//   - Register a system once per provider, or give each registration
//     attributes of its own (WithAttributes).
//   - Unregister once the system is shut down, or earlier to stop
//     reporting: until then the provider's collections keep reading the
//     system, and the system keeps the registration's hooks.
package metrics
