package metrics

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// reasonKey is the attribute that carries a dead letter's reason.
const reasonKey = attribute.Key("reactors.dead_letter.reason")

// The attributes of the router and table instruments.
const (
	routerKey = attribute.Key("reactors.router.name")
	memberKey = attribute.Key("reactors.router.member")
	tableKey  = attribute.Key("reactors.table.name")
	shardKey  = attribute.Key("reactors.table.shard")
)

// durationBounds are the histogram buckets of turn and ask durations, in
// seconds: from a microsecond, below which a turn or an ask on the
// caller's goroutine rarely falls, to ten seconds, beyond which the
// exact figure no longer matters.
var durationBounds = []float64{
	1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4,
	1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// eventBounds are the buckets of the events of a turn: powers of two up
// to well past the default budget of 64.
var eventBounds = []float64{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024}

// instruments are the instruments of one registration.
type instruments struct {
	meter metric.Meter
	sys   *reactor.System
	attrs []attribute.KeyValue

	obs []metric.ObserveOption // the registration's attributes, for observations
	rec []metric.RecordOption  // and for histograms
	add []metric.AddOption     // and for the counter

	spawned, terminated, failures, restarts metric.Int64ObservableCounter
	handled, deadLetters                    metric.Int64ObservableCounter
	turns, steals, parks                    metric.Int64ObservableCounter
	live, depth, queued                     metric.Int64ObservableUpDownCounter

	routed, tableOps, tableResizes metric.Int64ObservableCounter
	tableKeys                      metric.Int64ObservableUpDownCounter
	routers                        []func() router.Stats
	tables                         []func() dht.Stats

	turnDuration, askDuration metric.Float64Histogram
	turnEvents                metric.Int64Histogram
	askExpired                metric.Int64Counter
}

func newInstruments(m metric.Meter, sys *reactor.System, attrs []attribute.KeyValue) (*instruments, error) {
	in := &instruments{meter: m, sys: sys, attrs: slices.Clone(attrs)}
	if len(attrs) > 0 {
		set := metric.WithAttributeSet(attribute.NewSet(attrs...))
		in.obs = []metric.ObserveOption{set}
		in.rec = []metric.RecordOption{set}
		in.add = []metric.AddOption{set}
	}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	gauge := func(name, unit, desc string) metric.Int64ObservableUpDownCounter {
		c, err := m.Int64ObservableUpDownCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	in.spawned = counter("reactors.reactor.spawned", "{reactor}", "Reactors spawned.")
	in.terminated = counter("reactors.reactor.terminated", "{reactor}", "Reactors terminated.")
	in.live = gauge("reactors.reactor.count", "{reactor}", "Live reactors: spawned and not yet terminated.")
	in.failures = counter("reactors.reactor.failures", "{failure}", "Reactor failures: panics and unhandled stream errors.")
	in.restarts = counter("reactors.reactor.restarts", "{restart}", "Restarts under restart policies.")
	in.handled = counter("reactors.event.handled", "{event}", "Events handed to handlers, by all reactors.")
	in.deadLetters = counter("reactors.event.dead_lettered", "{event}", "Events dead-lettered, by reason.")
	in.depth = gauge("reactors.mailbox.depth", "{event}", "Events waiting in the mailboxes of live reactors.")
	in.turns = counter("reactors.worker.turns", "{turn}", "Turns run by the worker pool.")
	in.steals = counter("reactors.worker.steals", "{turn}", "Turns of reactors a worker took from elsewhere.")
	in.parks = counter("reactors.worker.parks", "{park}", "Times a worker parked for want of work.")
	in.queued = gauge("reactors.worker.queued", "{reactor}", "Reactors waiting in the worker pool's run queues.")
	in.routed = counter("reactors.router.routed", "{event}", "Events a router sent to a member.")
	in.tableOps = counter("reactors.table.operations", "{operation}", "Data operations a table's shard applied.")
	in.tableKeys = gauge("reactors.table.keys", "{key}", "Keys a table's shard holds.")
	in.tableResizes = counter("reactors.table.resizes", "{resize}", "Resizes of a table.")

	var err error
	in.turnDuration, err = m.Float64Histogram("reactors.turn.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of sampled turns."), metric.WithExplicitBucketBoundaries(durationBounds...))
	errs = append(errs, err)
	in.turnEvents, err = m.Int64Histogram("reactors.turn.events", metric.WithUnit("{event}"),
		metric.WithDescription("Events handled by sampled turns."), metric.WithExplicitBucketBoundaries(eventBounds...))
	errs = append(errs, err)
	in.askDuration, err = m.Float64Histogram("reactors.ask.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of sampled asks, from the send to the return."), metric.WithExplicitBucketBoundaries(durationBounds...))
	errs = append(errs, err)
	in.askExpired, err = m.Int64Counter("reactors.ask.expired", metric.WithUnit("{ask}"),
		metric.WithDescription("Asks that stopped waiting because their context ended."))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return in, nil
}

func (in *instruments) observables() []metric.Observable {
	return []metric.Observable{
		in.spawned, in.terminated, in.live, in.failures, in.restarts, in.handled,
		in.deadLetters, in.depth, in.turns, in.steals, in.parks, in.queued,
		in.routed, in.tableOps, in.tableKeys, in.tableResizes,
	}
}

// observe is the registration's callback: it reads the system once per
// collection.
func (in *instruments) observe(_ context.Context, o metric.Observer) error {
	st := in.sys.Stats()
	o.ObserveInt64(in.spawned, int64(st.Spawned), in.obs...)
	o.ObserveInt64(in.terminated, int64(st.Terminated), in.obs...)
	o.ObserveInt64(in.live, int64(st.Reactors), in.obs...)
	o.ObserveInt64(in.failures, int64(st.Failures), in.obs...)
	o.ObserveInt64(in.restarts, int64(st.Restarts), in.obs...)
	o.ObserveInt64(in.handled, int64(st.Handled), in.obs...)
	for r, n := range st.DeadLetters {
		kv := append(slices.Clip(in.attrs), reasonKey.String(r.String()))
		o.ObserveInt64(in.deadLetters, int64(n), metric.WithAttributeSet(attribute.NewSet(kv...)))
	}
	var turns, steals, parks uint64
	queued := st.GlobalQueue
	for _, w := range st.Workers {
		turns += w.Turns
		steals += w.Steals
		parks += w.Parks
		queued += w.Queue
	}
	o.ObserveInt64(in.turns, int64(turns), in.obs...)
	o.ObserveInt64(in.steals, int64(steals), in.obs...)
	o.ObserveInt64(in.parks, int64(parks), in.obs...)
	o.ObserveInt64(in.queued, int64(queued), in.obs...)
	depth := 0
	for info := range in.sys.Reactors() {
		depth += info.Depth
	}
	o.ObserveInt64(in.depth, int64(depth), in.obs...)
	for _, stats := range in.routers {
		rs := stats()
		for _, m := range rs.Members {
			o.ObserveInt64(in.routed, int64(m.Routed), in.with(routerKey.String(rs.Name), memberKey.String(m.Channel)))
		}
	}
	for _, stats := range in.tables {
		ts := stats()
		o.ObserveInt64(in.tableResizes, int64(ts.Resizes), in.with(tableKey.String(ts.Name)))
		for i, sh := range ts.Shards {
			opt := in.with(tableKey.String(ts.Name), shardKey.Int(i))
			o.ObserveInt64(in.tableOps, int64(sh.Ops), opt)
			o.ObserveInt64(in.tableKeys, int64(sh.Keys), opt)
		}
	}
	return nil
}

// with is an observation option of the registration's attributes and kv.
func (in *instruments) with(kv ...attribute.KeyValue) metric.ObserveOption {
	return metric.WithAttributeSet(attribute.NewSet(append(slices.Clip(in.attrs), kv...)...))
}

// hooks are the registration's hooks on the system.
func (in *instruments) hooks() reactor.Hooks {
	ctx := context.Background()
	return reactor.Hooks{
		Turn: func(d time.Duration, events int) {
			in.turnDuration.Record(ctx, d.Seconds(), in.rec...)
			in.turnEvents.Record(ctx, int64(events), in.rec...)
		},
		Ask: func(d time.Duration) {
			in.askDuration.Record(ctx, d.Seconds(), in.rec...)
		},
		AskExpired: func() {
			in.askExpired.Add(ctx, 1, in.add...)
		},
	}
}
