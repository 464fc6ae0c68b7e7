package metrics_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/metrics"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/router"
)

// TestRoutersAndTablesReportThroughTheirStats routes events to two
// members and works a table across a resize, then reads the router and
// table instruments back.
func TestRoutersAndTablesReportThroughTheirStats(t *testing.T) {
	sys := reactortest.NewSystem(t, reactor.WithIntrospection())
	sink := func(name string) reactor.Channel[int] {
		ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
			r.Main().Events().OnEvent(func(int) {})
		}, reactor.WithName(name))
		require.NoError(t, err)
		return ch
	}
	a, b := sink("a"), sink("b")
	rt := router.New(sys, "jobs", router.RoundRobin[int]())
	require.NoError(t, rt.Add(a, b))
	for i := range 6 {
		require.NoError(t, rt.Channel().Send(i))
	}
	ctx := context.Background()
	tb, err := dht.New[string, int](sys, 2, dht.StringKey, dht.WithName("kv"))
	require.NoError(t, err)
	for i := range 10 {
		_, _, err := tb.Put(ctx, "k"+strconv.Itoa(i), i)
		require.NoError(t, err)
	}
	require.NoError(t, tb.Resize(ctx, 3))
	_, err = tb.Len(ctx) // every shard serves the new layout
	require.NoError(t, err)

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { require.NoError(t, mp.Shutdown(context.Background())) })
	reg, err := metrics.Register(sys, metrics.WithMeterProvider(mp), metrics.WithAttributes(system),
		metrics.WithRouter(rt), metrics.WithTable(tb))
	require.NoError(t, err)
	defer reg.Unregister()

	c := collect(t, reader)
	router := func(member string) []attribute.KeyValue {
		return []attribute.KeyValue{attribute.String("reactors.router.name", "jobs"), attribute.String("reactors.router.member", member)}
	}
	require.Equal(t, int64(3), c.counter(t, "reactors.router.routed", router("a#main")...))
	require.Equal(t, int64(3), c.counter(t, "reactors.router.routed", router("b#main")...))
	require.Equal(t, int64(1), c.counter(t, "reactors.table.resizes", attribute.String("reactors.table.name", "kv")))
	keys, ops := int64(0), int64(0)
	for i := range 3 {
		shard := []attribute.KeyValue{attribute.String("reactors.table.name", "kv"), attribute.Int("reactors.table.shard", i)}
		k, mono := c.sum(t, "reactors.table.keys", shard...)
		require.False(t, mono, "keys go up and down")
		keys += k
		ops += c.counter(t, "reactors.table.operations", shard...)
	}
	require.Equal(t, int64(10), keys)
	require.GreaterOrEqual(t, ops, int64(10), "ten puts, and the Len")
}
