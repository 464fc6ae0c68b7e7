package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// expect recomputes a query's highlights from the generated weather,
// without the reactors: the warmest and the coldest city, the earlier one
// in the list on a tie.
func expect(t *testing.T, seed uint64, cities []string, query int) (hi, lo Reading) {
	t.Helper()
	for i, c := range cities {
		temp, ok := temperature(seed, c, query)
		require.True(t, ok, "city %s", c)
		if i == 0 || temp > hi.Temperature {
			hi = Reading{City: c, Index: i, Temperature: temp}
		}
		if i == 0 || temp < lo.Temperature {
			lo = Reading{City: c, Index: i, Temperature: temp}
		}
	}
	return hi, lo
}

// TestRun checks the example's claims for a few configurations: every
// query gets the highlights of its own readings, under its own
// correlation id; the stations share the requests round-robin; every
// reading reaches the log; no flow is left in flight.
func TestRun(t *testing.T) {
	for _, cfg := range []config{
		{cities: parseCities(defaultCities), stations: 3, queries: 3, seed: 1, latency: time.Millisecond},
		{cities: []string{"Oslo"}, stations: 1, queries: 1, seed: 2},
		{cities: []string{"Rome", "Tokyo", "Dubai", "Moscow", "Nairobi"}, stations: 4, queries: 8, seed: 42, latency: 2 * time.Millisecond},
		{cities: []string{"Cairo", "Cairo"}, stations: 2, queries: 5, seed: 7, latency: time.Millisecond}, // ties: the first Cairo wins both
		{cities: knownCities(), stations: 7, queries: 16, seed: 3, latency: time.Millisecond},
	} {
		cfg.timeout = 10 * time.Second
		name := fmt.Sprintf("%d cities %d stations %d queries", len(cfg.cities), cfg.stations, cfg.queries)
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			st, err := run(&out, cfg)
			require.NoError(t, err)
			require.Len(t, st.queries, cfg.queries)

			ids := map[uint64]bool{}
			for i, q := range st.queries {
				require.NoError(t, q.err)
				require.Equal(t, i+1, q.query)
				require.NotZero(t, q.flow)
				require.False(t, ids[q.flow], "correlation id %d used twice", q.flow)
				ids[q.flow] = true
				h := q.highlights
				require.Equal(t, q.flow, h.FlowID, "query %d answered with another flow's result", q.query)
				require.Equal(t, len(cfg.cities), h.Cities)
				hi, lo := expect(t, cfg.seed, cfg.cities, q.query)
				require.Equal(t, hi, Reading{City: h.Highest.City, Index: h.Highest.Index, Temperature: h.Highest.Temperature}, "query %d highest", q.query)
				require.Equal(t, lo, Reading{City: h.Lowest.City, Index: h.Lowest.Index, Temperature: h.Lowest.Temperature}, "query %d lowest", q.query)
				require.True(t, strings.HasPrefix(h.Highest.Station, "station-"), "measured by a station: %+v", h.Highest)
				require.Contains(t, out.String(), fmt.Sprintf("query %d (flow %d): highest %s %.1f°C",
					q.query, q.flow, hi.City, hi.Temperature))
			}

			requests := int64(cfg.queries * len(cfg.cities))
			require.Len(t, st.stations, cfg.stations)
			var total int64
			for _, n := range st.stations {
				total += n
			}
			require.Equal(t, requests, total, "one request per city per query: %v", st.stations)
			require.LessOrEqual(t, slices.Max(st.stations)-slices.Min(st.stations), int64(1), "round-robin balance: %v", st.stations)

			require.Equal(t, aggStats{answered: cfg.queries, mostInFlight: st.agg.mostInFlight}, st.agg)
			require.GreaterOrEqual(t, st.agg.mostInFlight, 1)
			require.Equal(t, int(requests), st.logged, "every reading logged once")
		})
	}
}

// TestRunSeeds: the weather depends on the seed and on the query, and the
// same configuration gives the same answers.
func TestRunSeeds(t *testing.T) {
	cfg := config{cities: parseCities(defaultCities), stations: 2, queries: 4, seed: 5, timeout: 10 * time.Second}
	highlights := func(cfg config) []WeatherHighlights {
		st, err := run(io.Discard, cfg)
		require.NoError(t, err)
		var hs []WeatherHighlights
		for _, q := range st.queries {
			h := q.highlights
			h.FlowID, h.Highest.Station, h.Lowest.Station = 0, "", ""
			hs = append(hs, h)
		}
		return hs
	}
	first := highlights(cfg)
	require.Equal(t, first, highlights(cfg), "same seed, same weather")
	cfg.seed++
	require.NotEqual(t, first, highlights(cfg), "another seed, other weather")
	var temps []float64
	for q := 1; q <= 4; q++ {
		temp, _ := temperature(5, "Oslo", q)
		temps = append(temps, temp)
	}
	slices.Sort(temps)
	require.Less(t, temps[0], temps[3], "the weather changes between queries: %v", temps)
}

// TestUnknownCity: a station that does not know a city fails the flow;
// the caller gets the error and the aggregator still clears the flow.
func TestUnknownCity(t *testing.T) {
	cfg := config{cities: []string{"Oslo", "Atlantis", "Rome"}, stations: 2, queries: 3, seed: 1, timeout: 10 * time.Second}
	st, err := run(io.Discard, cfg)
	require.ErrorIs(t, err, ErrUnknownCity)
	require.ErrorContains(t, err, `unknown city "Atlantis"`)
	for _, q := range st.queries {
		require.ErrorIs(t, q.err, ErrUnknownCity, "query %d", q.query)
	}
	require.Equal(t, cfg.queries, st.agg.failed)
	require.Zero(t, st.agg.answered)
	require.Zero(t, st.agg.expired)
	require.Equal(t, 2*cfg.queries, st.logged, "the known cities are still measured and logged")
}

// TestNoCities: an empty list (as -cities " , " parses) fails every
// query at the splitter, and no station is asked.
func TestNoCities(t *testing.T) {
	require.Empty(t, parseCities(" , ,"))
	require.Equal(t, []string{"Oslo", "New York"}, parseCities(" Oslo,,New York "))
	cfg := config{cities: parseCities(" , "), stations: 2, queries: 2, seed: 1, timeout: 10 * time.Second}
	st, err := run(io.Discard, cfg)
	require.ErrorIs(t, err, ErrNoCities)
	for _, q := range st.queries {
		require.ErrorIs(t, q.err, ErrNoCities)
	}
	require.Equal(t, []int64{0, 0}, st.stations)
}

// TestDeadline: stations that lose a city's requests leave the flows
// incomplete; each query ends with its deadline, and the aggregator drops
// the partial flows rather than keeping them.
func TestDeadline(t *testing.T) {
	cfg := config{
		cities: []string{"Oslo", "Rome", "Cairo"}, stations: 3, queries: 3, seed: 1,
		timeout: 50 * time.Millisecond, drop: "Oslo",
	}
	begin := time.Now()
	st, err := run(io.Discard, cfg)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(begin), drainTimeout, "run waited past the deadline for nothing")
	for _, q := range st.queries {
		require.ErrorIs(t, q.err, context.DeadlineExceeded, "query %d", q.query)
	}
	require.ErrorContains(t, err, "3 of 3 queries failed", "the queries failed, not the wait for the reactors")
	require.Zero(t, st.agg.answered)
	require.Zero(t, st.agg.failed)
	// run returned, so the aggregator holds no flow: each one's partial
	// entry was dropped at the deadline, or never made because its
	// readings all came late (a slow machine).
	require.LessOrEqual(t, st.agg.expired, cfg.queries, "%+v", st.agg)
	require.GreaterOrEqual(t, st.agg.expired+st.agg.late, cfg.queries, "%+v", st.agg)
	var total int64
	for _, n := range st.stations {
		total += n
	}
	require.LessOrEqual(t, total, int64(cfg.queries*len(cfg.cities)))
}

func TestConfigErrors(t *testing.T) {
	good := config{cities: []string{"Oslo"}, stations: 1, queries: 1, timeout: time.Second}
	for _, bad := range []func(*config){
		func(c *config) { c.stations = 0 },
		func(c *config) { c.queries = 0 },
		func(c *config) { c.timeout = 0 },
		func(c *config) { c.latency = -time.Millisecond },
	} {
		cfg := good
		bad(&cfg)
		_, err := run(io.Discard, cfg)
		require.ErrorContains(t, err, "weather: -")
	}
	_, err := run(io.Discard, good)
	require.NoError(t, err)
}

func BenchmarkRun(b *testing.B) {
	cfg := config{cities: parseCities(defaultCities), stations: 3, queries: 8, seed: 1, timeout: 10 * time.Second}
	for b.Loop() {
		if _, err := run(io.Discard, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
