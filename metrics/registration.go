package metrics

import (
	"fmt"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"

	"github.com/reactors-go/reactors/reactor"
)

// ScopeName is the name of the Meter that Register takes from the
// provider: the instrumentation scope of every instrument in the table of
// the package comment.
const ScopeName = "github.com/reactors-go/reactors/metrics"

// Registration is what Register returns: the callback that observes a
// system at each collection, and the hooks that feed the histograms and
// the expiry counter. Safe for concurrent use.
type Registration struct {
	cb     metric.Registration
	unhook func()

	once sync.Once
	err  error // written once, under once
}

// Register creates the instruments of the package comment's table on a
// Meter named ScopeName, taken from the global MeterProvider or the one
// WithMeterProvider gives, and starts reporting sys through them until
// Unregister:
//
//   - the counters and gauges are observed at each collection, by one
//     callback that reads sys.Stats and walks sys.Reactors (for the
//     mailbox depth): O(live reactors), part of it under the system's
//     lock (see System.Stats);
//   - the histograms and the expiry counter are recorded by hooks
//     (reactor.Hooks) on sys, for a sample of the turns and asks (see
//     reactor.WithHookSample), and for every expired ask.
//
// Register a system once per provider, or give each registration its own
// attributes (WithAttributes): two registrations that report the same
// series make the provider see conflicting observations.
//
// It fails, with nothing registered, if sys is nil (an error matching
// reactor.ErrNilSystem) or if the Meter refuses an instrument or the
// callback (its error, wrapped).
func Register(sys *reactor.System, opts ...Option) (*Registration, error) {
	if sys == nil {
		return nil, fmt.Errorf("metrics: register: %w", reactor.ErrNilSystem)
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	mp := cfg.provider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	in, err := newInstruments(mp.Meter(ScopeName), sys, cfg.attrs)
	if err != nil {
		return nil, fmt.Errorf("metrics: register: %w", err)
	}
	in.routers, in.tables = cfg.routers, cfg.tables
	cb, err := in.meter.RegisterCallback(in.observe, in.observables()...)
	if err != nil {
		return nil, fmt.Errorf("metrics: register: %w", err)
	}
	return &Registration{cb: cb, unhook: sys.AddHooks(in.hooks())}, nil
}

// Unregister stops the reporting: the callback is unregistered, so that
// later collections observe nothing of the system, and the hooks are
// removed (a turn or an ask already under way may still record). It
// returns the Meter's error from unregistering the callback, if any; a
// second call does nothing and returns the first one's result. The
// instruments themselves stay in the Meter: OpenTelemetry has no way to
// remove them.
func (r *Registration) Unregister() error {
	r.once.Do(func() {
		r.unhook()
		if err := r.cb.Unregister(); err != nil {
			r.err = fmt.Errorf("metrics: unregister: %w", err)
		}
	})
	return r.err
}
