package metrics_test

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/reactors-go/reactors/metrics"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/server"
)

// What registering costs the hot paths: the same workload with no
// registration, registered at the default hook sample (one turn or ask
// in 64 recorded), and registered with every turn or ask recorded. The
// provider is the SDK's with a manual reader that never collects, so
// that only the recording is measured.
//
//	go test -run '^$' -bench . -count 8 ./metrics | benchstat -col /metrics -
var benchModes = []struct {
	name   string
	on     bool
	sample int
}{{"off", false, reactor.DefaultHookSample}, {"on", true, reactor.DefaultHookSample}, {"every", true, 1}}

// benchSystem returns a system for b, registered as mode says.
func benchSystem(b *testing.B, on bool, sample int) *reactor.System {
	b.Helper()
	sys := reactor.New(reactor.WithLogger(zerolog.Nop()), reactor.WithHookSample(sample))
	b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
	if on {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		reg, err := metrics.Register(sys, metrics.WithMeterProvider(mp))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = reg.Unregister() })
	}
	return sys
}

// BenchmarkPingPong bounces one message between two reactors, as
// reactor's BenchmarkPingPong does; ns/op is per message.
func BenchmarkPingPong(b *testing.B) {
	for _, m := range benchModes {
		b.Run("metrics="+m.name, func(b *testing.B) {
			sys := benchSystem(b, m.on, m.sample)
			reactortest.PingPong(b, sys)
		})
	}
}

// BenchmarkAsk asks an echo server b.N times from one goroutine, as
// server's BenchmarkAsk does.
func BenchmarkAsk(b *testing.B) {
	for _, m := range benchModes {
		b.Run("metrics="+m.name, func(b *testing.B) {
			sys := benchSystem(b, m.on, m.sample)
			srv, err := server.Spawn(sys, func(v int64) (int64, error) { return v, nil })
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range int64(b.N) {
				if v, err := server.Ask(ctx, srv, i); err != nil || v != i {
					b.Fatal("wrong reply", v, err)
				}
			}
		})
	}
}
