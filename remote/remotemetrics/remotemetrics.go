// Package remotemetrics reports a remote node through the OpenTelemetry
// metrics API, as package metrics reports a reactor system: its
// connection's messages and bytes, its reconnections, the messages the
// connection dropped for each export (slow consumers) and each
// at-least-once sender's unacknowledged events, read from
// [remote.Node.Stats] at each collection. It is a package of its own so
// that package metrics links no NATS.
//
//	| Name                      | Instrument          | Unit      | Attributes                          | Meaning                                                        |
//	|---------------------------|---------------------|-----------|-------------------------------------|----------------------------------------------------------------|
//	| reactors.remote.messages  | async Counter       | {message} | reactors.remote.direction (in, out) | Messages the node's connection received or sent                |
//	| reactors.remote.bytes     | async Counter       | By        | reactors.remote.direction (in, out) | Payload bytes received or sent                                 |
//	| reactors.remote.reconnects | async Counter     | {reconnect} |                                  | Reconnections of the node's connection                         |
//	| reactors.remote.dropped   | async Counter       | {message} | reactors.remote.name                | Messages dropped for an export whose consumer was too slow     |
//	| reactors.remote.unacked   | async UpDownCounter | {event}   | reactors.remote.name                | Events an at-least-once sender holds, sent and not acknowledged |
//
// Every measurement also carries the attributes given to Register.
package remotemetrics

import (
	"context"
	"fmt"
	"slices"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/reactors-go/reactors/remote"
)

// ScopeName is the instrumentation scope of the Meter the instruments
// are created on.
const ScopeName = "github.com/reactors-go/reactors/remote/remotemetrics"

const (
	directionKey = attribute.Key("reactors.remote.direction")
	nameKey      = attribute.Key("reactors.remote.name")
)

// Register creates the instruments on a Meter of mp (the global
// provider if mp is nil) and reports n at each collection until the
// returned registration is unregistered. A collection calls
// [remote.Node.Stats] once. It fails, with nothing registered, if n is
// nil ([ErrNilNode]) or the Meter refuses an instrument or the callback.
func Register(n *remote.Node, mp metric.MeterProvider, attrs ...attribute.KeyValue) (metric.Registration, error) {
	if n == nil {
		return nil, ErrNilNode
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName)
	var errs []error
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	messages := counter("reactors.remote.messages", "{message}", "Messages the node's connection received or sent.")
	bytes := counter("reactors.remote.bytes", "By", "Payload bytes the node's connection received or sent.")
	reconnects := counter("reactors.remote.reconnects", "{reconnect}", "Reconnections of the node's connection.")
	dropped := counter("reactors.remote.dropped", "{message}", "Messages dropped for an export whose consumer was too slow.")
	unacked, err := m.Int64ObservableUpDownCounter("reactors.remote.unacked", metric.WithUnit("{event}"),
		metric.WithDescription("Events an at-least-once sender holds, sent and not acknowledged."))
	errs = append(errs, err)
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("remotemetrics: register: %w", err)
		}
	}
	with := func(kv ...attribute.KeyValue) metric.ObserveOption {
		return metric.WithAttributeSet(attribute.NewSet(append(slices.Clip(attrs), kv...)...))
	}
	in, out, plain := with(directionKey.String("in")), with(directionKey.String("out")), with()
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := n.Stats()
		o.ObserveInt64(messages, int64(st.InMsgs), in)
		o.ObserveInt64(messages, int64(st.OutMsgs), out)
		o.ObserveInt64(bytes, int64(st.InBytes), in)
		o.ObserveInt64(bytes, int64(st.OutBytes), out)
		o.ObserveInt64(reconnects, int64(st.Reconnects), plain)
		for _, e := range st.Exports {
			o.ObserveInt64(dropped, int64(e.Dropped), with(nameKey.String(e.Name)))
		}
		for _, w := range st.Windows {
			o.ObserveInt64(unacked, int64(w.Unacked), with(nameKey.String(w.Name)))
		}
		return nil
	}, messages, bytes, reconnects, dropped, unacked)
	if err != nil {
		return nil, fmt.Errorf("remotemetrics: register: %w", err)
	}
	return reg, nil
}
