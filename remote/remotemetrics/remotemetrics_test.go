package remotemetrics_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/remotemetrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// point returns the value of the data point of the named int64 sum with
// exactly attrs.
func point(t *testing.T, rm metricdata.ResourceMetrics, name string, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	want := attribute.NewSet(attrs...)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				if dp.Attributes.Equals(&want) {
					return dp.Value
				}
			}
		}
	}
	t.Fatalf("no point of %s with %v", name, attrs)
	return 0
}

// TestRegisterReportsTheNodesStats sends through an export and an
// at-least-once channel nobody exports, and reads the instruments back.
func TestRegisterReportsTheNodesStats(t *testing.T) {
	sys := reactortest.NewSystem(t)
	n := remotetest.StartNode(t, sys)
	_, got := remotetest.Export[int](t, n, "counter", 8)
	remotetest.SendArrives(t, n, "counter", 7, got)
	out, err := remote.Channel[int](n, "nobody", remote.WithAtLeastOnce[int](remote.AtLeastOnce{Window: 8}))
	require.NoError(t, err)
	require.NoError(t, out.Send(1))

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { require.NoError(t, mp.Shutdown(context.Background())) })
	reg, err := remotemetrics.Register(n, mp)
	require.NoError(t, err)
	defer reg.Unregister()

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	st := n.Stats()
	require.GreaterOrEqual(t, point(t, rm, "reactors.remote.messages", attribute.String("reactors.remote.direction", "out")), int64(2))
	require.GreaterOrEqual(t, point(t, rm, "reactors.remote.messages", attribute.String("reactors.remote.direction", "in")), int64(1))
	require.LessOrEqual(t, point(t, rm, "reactors.remote.bytes", attribute.String("reactors.remote.direction", "out")), int64(st.OutBytes))
	require.NotZero(t, point(t, rm, "reactors.remote.bytes", attribute.String("reactors.remote.direction", "out")))
	require.Zero(t, point(t, rm, "reactors.remote.reconnects"))
	require.Zero(t, point(t, rm, "reactors.remote.dropped", attribute.String("reactors.remote.name", "counter")))
	require.Equal(t, int64(1), point(t, rm, "reactors.remote.unacked", attribute.String("reactors.remote.name", "nobody")))
}

// TestRegisterRefusesANilNode checks the error of misuse.
func TestRegisterRefusesANilNode(t *testing.T) {
	_, err := remotemetrics.Register(nil, nil)
	require.ErrorIs(t, err, remotemetrics.ErrNilNode)
}
