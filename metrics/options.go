package metrics

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Option configures Register.
type Option func(*config)

type config struct {
	provider metric.MeterProvider // nil: the global provider
	attrs    []attribute.KeyValue
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
