package metrics_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/reactors-go/reactors/metrics"
	"github.com/reactors-go/reactors/reactor"
)

// Register a system with a MeterProvider (here the SDK's, read by hand;
// in a program, one with a Prometheus or OTLP exporter), run it, and
// read what the instruments saw.
func ExampleRegister() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	sys := reactor.New()
	reg, err := metrics.Register(sys, metrics.WithMeterProvider(mp))
	if err != nil {
		panic(err)
	}
	defer reg.Unregister()

	ch, _ := reactor.Spawn(sys, func(r *reactor.Reactor[string]) {
		r.Main().Events().OnEvent(func(s string) {
			if s == "bye" {
				r.Main().Seal()
			}
		})
	})
	for _, s := range []string{"hello", "world", "bye"} {
		_ = ch.Send(s)
	}
	<-ch.Done()
	_ = sys.Shutdown(context.Background())

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch m.Name {
		case "reactors.reactor.spawned", "reactors.event.handled":
			fmt.Println(m.Name, m.Data.(metricdata.Sum[int64]).DataPoints[0].Value, m.Unit)
		}
	}
	// Unordered output:
	// reactors.reactor.spawned 1 {reactor}
	// reactors.event.handled 3 {event}
}
