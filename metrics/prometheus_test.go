package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/reactors-go/reactors/metrics"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// scrape serves one scrape of reg's handler and returns the text
// exposition.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}).ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	return rec.Body.String()
}

// value returns the value of the one sample of the family with the given
// label, or of its only sample when label is empty.
func value(t *testing.T, families map[string]*dto.MetricFamily, name, label, labelValue string) float64 {
	t.Helper()
	f, ok := families[name]
	require.True(t, ok, "no family %s", name)
	var found []*dto.Metric
	for _, m := range f.GetMetric() {
		if label == "" {
			found = append(found, m)
			continue
		}
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == labelValue {
				found = append(found, m)
			}
		}
	}
	require.Len(t, found, 1, "%s{%s=%q}", name, label, labelValue)
	m := found[0]
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(m.GetHistogram().GetSampleCount())
	}
	require.Failf(t, "unexpected type", "%s is a %v", name, f.GetType())
	return 0
}

// TestPrometheusScrapeShowsTheInstruments exports through the
// OpenTelemetry Prometheus exporter into a fresh registry and reads the
// scenario's figures back from a scrape's text exposition.
func TestPrometheusScrapeShowsTheInstruments(t *testing.T) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	require.NoError(t, err)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	t.Cleanup(func() { require.NoError(t, mp.Shutdown(context.Background())) })
	sys := reactortest.NewSystem(t, reactor.WithHookSample(1))
	r, err := metrics.Register(sys, metrics.WithMeterProvider(mp))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, r.Unregister()) })

	var depth string
	scenario(t, sys, func() { depth = scrape(t, reg) })
	require.NoError(t, sys.Shutdown(context.Background()))
	text := scrape(t, reg)

	parse := func(text string) map[string]*dto.MetricFamily {
		p := expfmt.NewTextParser(model.UTF8Validation)
		families, err := p.TextToMetricFamilies(strings.NewReader(text))
		require.NoError(t, err)
		return families
	}
	require.Equal(t, float64(wantHeldDepth), value(t, parse(depth), "reactors_mailbox_depth", "", ""))

	families := parse(text)
	for name, typ := range map[string]dto.MetricType{
		"reactors_reactor_spawned_total":     dto.MetricType_COUNTER,
		"reactors_reactor_terminated_total":  dto.MetricType_COUNTER,
		"reactors_reactor_count":             dto.MetricType_GAUGE,
		"reactors_reactor_failures_total":    dto.MetricType_COUNTER,
		"reactors_reactor_restarts_total":    dto.MetricType_COUNTER,
		"reactors_event_handled_total":       dto.MetricType_COUNTER,
		"reactors_event_dead_lettered_total": dto.MetricType_COUNTER,
		"reactors_mailbox_depth":             dto.MetricType_GAUGE,
		"reactors_worker_turns_total":        dto.MetricType_COUNTER,
		"reactors_worker_steals_total":       dto.MetricType_COUNTER,
		"reactors_worker_parks_total":        dto.MetricType_COUNTER,
		"reactors_worker_queued":             dto.MetricType_GAUGE,
		"reactors_turn_duration_seconds":     dto.MetricType_HISTOGRAM,
		"reactors_turn_events":               dto.MetricType_HISTOGRAM,
		"reactors_ask_duration_seconds":      dto.MetricType_HISTOGRAM,
		"reactors_ask_expired_total":         dto.MetricType_COUNTER,
	} {
		f, ok := families[name]
		require.True(t, ok, "no family %s in the scrape", name)
		require.Equal(t, typ, f.GetType(), name)
		require.Contains(t, text, "# HELP "+name+" ")
	}
	require.Equal(t, float64(wantSpawned), value(t, families, "reactors_reactor_spawned_total", "", ""))
	require.Equal(t, float64(wantSpawned), value(t, families, "reactors_reactor_terminated_total", "", ""))
	require.Zero(t, value(t, families, "reactors_reactor_count", "", ""))
	require.Equal(t, float64(wantFailures), value(t, families, "reactors_reactor_failures_total", "", ""))
	require.Equal(t, float64(wantRestarts), value(t, families, "reactors_reactor_restarts_total", "", ""))
	require.Equal(t, float64(wantHandled), value(t, families, "reactors_event_handled_total", "", ""))
	require.Equal(t, float64(wantDead), value(t, families, "reactors_event_dead_lettered_total", "reactors_dead_letter_reason", "terminated"))
	require.Zero(t, value(t, families, "reactors_mailbox_depth", "", ""))
	require.Equal(t, float64(wantAsks), value(t, families, "reactors_ask_duration_seconds", "", ""))
	require.Equal(t, float64(wantAsksExpire), value(t, families, "reactors_ask_expired_total", "", ""))
	require.Positive(t, value(t, families, "reactors_turn_duration_seconds", "", ""))
	require.Contains(t, text, `reactors_event_handled_total{otel_scope_name="`+metrics.ScopeName+`"`)
}
