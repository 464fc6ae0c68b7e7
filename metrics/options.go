package metrics

import (
	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/router"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Option configures Register.
type Option func(*config)

type config struct {
	provider metric.MeterProvider // nil: the global provider
	attrs    []attribute.KeyValue
	routers  []func() router.Stats
	tables   []func() dht.Stats
}

// WithRouter also reports rt: the events it routed to each member, as
// reactors.router.routed with the attributes reactors.router.name and
// reactors.router.member, read from [router.Router.Stats] at each
// collection. A router counts only when its system was built with
// [reactor.WithIntrospection]; otherwise it reports 0. A member's count
// starts when it joins.
func WithRouter[T any](rt *router.Router[T]) Option {
	return func(c *config) { c.routers = append(c.routers, rt.Stats) }
}

// WithTable also reports t: each shard's data operations
// (reactors.table.operations) and keys (reactors.table.keys), with the
// attributes reactors.table.name and reactors.table.shard, and the
// table's resizes (reactors.table.resizes), read from [dht.Table.Stats]
// at each collection (no shard is asked). Name the table
// ([dht.WithName]) to tell tables apart.
func WithTable[K comparable, V any](t *dht.Table[K, V]) Option {
	return func(c *config) { c.tables = append(c.tables, t.Stats) }
}

// WithMeterProvider makes Register take its Meter from mp instead of the
// global provider (otel.GetMeterProvider). A nil mp means the global
// one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.provider = mp }
}

// WithAttributes adds attrs to every measurement of the registration,
// for instance to tell apart the systems of one process that report to
// one provider (attribute.String("system", "orders")). Keep them few and
// of bounded values: each one multiplies the series a backend stores.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(c *config) { c.attrs = append(c.attrs, attrs...) }
}
