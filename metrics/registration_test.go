package metrics_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/reactors-go/reactors/metrics"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// collection is one collection of a manual reader, by instrument name.
type collection map[string]metricdata.Metrics

func collect(t *testing.T, r *sdkmetric.ManualReader) collection {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	c := collection{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, metrics.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			c[m.Name] = m
		}
	}
	return c
}

// system is the attribute the tests give their registration.
var system = attribute.String("system", "test")

// sum returns the value of the one data point of the named sum that has
// attrs (the registration's own attribute included), and whether the sum
// is monotonic; it fails t if there is none.
func (c collection) sum(t *testing.T, name string, attrs ...attribute.KeyValue) (int64, bool) {
	t.Helper()
	m, ok := c[name]
	require.True(t, ok, "no instrument %s", name)
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T, not an int64 sum", name, m.Data)
	want := attribute.NewSet(append([]attribute.KeyValue{system}, attrs...)...)
	for _, dp := range s.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value, s.IsMonotonic
		}
	}
	require.Failf(t, "no data point", "%s has no point with %v: %+v", name, want.ToSlice(), s.DataPoints)
	return 0, false
}

func (c collection) counter(t *testing.T, name string, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	v, mono := c.sum(t, name, attrs...)
	require.True(t, mono, "%s is a counter", name)
	return v
}

func (c collection) upDown(t *testing.T, name string) int64 {
	t.Helper()
	v, mono := c.sum(t, name)
	require.False(t, mono, "%s is an up-down counter", name)
	return v
}

// histogram returns the one data point of the named histogram.
func histogram[N int64 | float64](t *testing.T, c collection, name, unit string) metricdata.HistogramDataPoint[N] {
	t.Helper()
	m, ok := c[name]
	require.True(t, ok, "no instrument %s", name)
	require.Equal(t, unit, m.Unit)
	h, ok := m.Data.(metricdata.Histogram[N])
	require.True(t, ok, "%s is a %T", name, m.Data)
	require.Len(t, h.DataPoints, 1)
	dp := h.DataPoints[0]
	want := attribute.NewSet(system)
	require.True(t, dp.Attributes.Equals(&want), "%s: attributes %v", name, dp.Attributes.ToSlice())
	return dp
}

// TestEveryInstrumentReportsWhatTheSystemDid runs the scenario and reads
// every instrument back through a manual reader: while a reactor is held
// with events queued, then after the system has shut down.
func TestEveryInstrumentReportsWhatTheSystemDid(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { require.NoError(t, mp.Shutdown(context.Background())) })
	// Every turn and ask sampled, so that the histograms' counts are
	// exact.
	sys := reactortest.NewSystem(t, reactor.WithHookSample(1), reactor.WithWorkers(2))
	reg, err := metrics.Register(sys, metrics.WithMeterProvider(mp), metrics.WithAttributes(system))
	require.NoError(t, err)

	scenario(t, sys, func() {
		c := collect(t, reader)
		require.Equal(t, int64(wantHeldDepth), c.upDown(t, "reactors.mailbox.depth"))
		require.Equal(t, int64(2), c.upDown(t, "reactors.reactor.count"), "the restarted reactor and the held one")
	})
	// Shutdown returns once every turn has ended, its hooks included.
	require.NoError(t, sys.Shutdown(context.Background()))
	c := collect(t, reader)

	for name, unit := range map[string]string{
		"reactors.reactor.spawned": "{reactor}", "reactors.reactor.terminated": "{reactor}",
		"reactors.reactor.count": "{reactor}", "reactors.reactor.failures": "{failure}",
		"reactors.reactor.restarts": "{restart}", "reactors.event.handled": "{event}",
		"reactors.event.dead_lettered": "{event}", "reactors.mailbox.depth": "{event}",
		"reactors.worker.turns": "{turn}", "reactors.worker.steals": "{turn}",
		"reactors.worker.parks": "{park}", "reactors.worker.queued": "{reactor}",
		"reactors.turn.duration": "s", "reactors.turn.events": "{event}",
		"reactors.ask.duration": "s", "reactors.ask.expired": "{ask}",
	} {
		require.Contains(t, c, name)
		require.Equal(t, unit, c[name].Unit, name)
		require.NotEmpty(t, c[name].Description, name)
	}
	require.Len(t, c, 16, "one instrument per row of the table")

	require.Equal(t, int64(wantSpawned), c.counter(t, "reactors.reactor.spawned"))
	require.Equal(t, int64(wantSpawned), c.counter(t, "reactors.reactor.terminated"), "shutdown ended the last one")
	require.Zero(t, c.upDown(t, "reactors.reactor.count"))
	require.Equal(t, int64(wantFailures), c.counter(t, "reactors.reactor.failures"))
	require.Equal(t, int64(wantRestarts), c.counter(t, "reactors.reactor.restarts"))
	require.Equal(t, int64(wantHandled), c.counter(t, "reactors.event.handled"))
	require.Equal(t, int64(wantDead), c.counter(t, "reactors.event.dead_lettered",
		attribute.String("reactors.dead_letter.reason", "terminated")))
	require.Len(t, c["reactors.event.dead_lettered"].Data.(metricdata.Sum[int64]).DataPoints, 1, "one reason only")
	require.Zero(t, c.upDown(t, "reactors.mailbox.depth"))
	require.Zero(t, c.upDown(t, "reactors.worker.queued"))

	// The pool ran the counting reactor's turns at least; how often its
	// workers stole or parked depends on the scheduling.
	turns := c.counter(t, "reactors.worker.turns")
	require.Positive(t, turns)
	require.GreaterOrEqual(t, turns, c.counter(t, "reactors.worker.steals"))
	require.GreaterOrEqual(t, c.counter(t, "reactors.worker.parks"), int64(0))

	// Every turn was sampled: the events of the sampled turns add up to
	// the events handled, and there are at least as many turns as the
	// pool ran.
	events := histogram[int64](t, c, "reactors.turn.events", "{event}")
	require.Equal(t, int64(wantHandled), events.Sum)
	durations := histogram[float64](t, c, "reactors.turn.duration", "s")
	require.Equal(t, events.Count, durations.Count)
	require.GreaterOrEqual(t, durations.Count, uint64(turns))
	require.GreaterOrEqual(t, durations.Sum, 0.0)

	asks := histogram[float64](t, c, "reactors.ask.duration", "s")
	require.Equal(t, uint64(wantAsks), asks.Count)
	require.Greater(t, asks.Sum, 0.0)
	require.Equal(t, int64(wantAsksExpire), c.counter(t, "reactors.ask.expired"))

	// Unregistered, the system is no longer observed.
	require.NoError(t, reg.Unregister())
	require.NoError(t, reg.Unregister(), "a second call does nothing")
	c = collect(t, reader)
	require.NotContains(t, c, "reactors.reactor.spawned")
}

// TestRegisterRefusesANilSystem: the error matches reactor.ErrNilSystem.
func TestRegisterRefusesANilSystem(t *testing.T) {
	_, err := metrics.Register(nil)
	require.ErrorIs(t, err, reactor.ErrNilSystem)
}

// TestRegisterUsesTheGlobalProvider registers without a provider: the
// instruments come from otel.GetMeterProvider.
func TestRegisterUsesTheGlobalProvider(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { require.NoError(t, mp.Shutdown(context.Background())) })
	old := otel.GetMeterProvider()
	otel.SetMeterProvider(mp)
	t.Cleanup(func() { otel.SetMeterProvider(old) })

	sys := reactortest.NewSystem(t)
	reg, err := metrics.Register(sys, metrics.WithAttributes(system))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, reg.Unregister()) })
	_, err = reactor.Spawn(sys, func(r *reactor.Reactor[int]) {})
	require.NoError(t, err)
	c := collect(t, reader)
	require.Equal(t, int64(1), c.counter(t, "reactors.reactor.spawned"))
}
