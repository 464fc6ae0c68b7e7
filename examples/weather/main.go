// Command weather is kino's weather example: find the cities with the
// highest and the lowest temperature.
//
// The caller starts a flow with server.Call and posts the list of cities
// by message kind. A splitter reactor posts one request per city to the
// weather stations, redundant reactors that share the requests
// round-robin because they handle the same kind. Each station measures
// its city (the weather is made up from a seed, no network) and posts
// the reading to the aggregator and to the log, again by kind. The
// aggregator joins the readings of each flow by its correlation id and,
// when a flow has all its cities, answers the caller through the flow's
// callback point. Nobody in the chain knows who asked, and nobody sends
// to an address: every message finds its handler by its kind.
//
// Several queries run at once and a measurement takes a few milliseconds
// (a timer in the station, standing for kino's call to a weather
// service), so the aggregator has several flows in flight; each query
// prints its correlation id and its result.
//
//	go run ./examples/weather [-cities Oslo,Rome,Cairo] [-stations 3] [-queries 3] [-seed 1] [-latency 5ms]
//
// -drop makes every station lose one city's requests, to show a query
// ending at its deadline (-timeout).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

func main() {
	var cfg config
	var cities string
	flag.StringVar(&cities, "cities", defaultCities, "comma-separated cities to compare")
	flag.IntVar(&cfg.stations, "stations", 3, "redundant weather-station reactors")
	flag.IntVar(&cfg.queries, "queries", 3, "queries run at once, each a flow of its own")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated weather")
	flag.DurationVar(&cfg.latency, "latency", 5*time.Millisecond, "the longest a station takes to measure a city")
	flag.DurationVar(&cfg.timeout, "timeout", 5*time.Second, "deadline of each query")
	flag.StringVar(&cfg.drop, "drop", "", "a city whose requests every station loses")
	flag.Parse()
	cfg.cities = parseCities(cities)
	if _, err := run(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if errors.Is(err, ErrUnknownCity) {
			fmt.Fprintln(os.Stderr, "known cities:", strings.Join(knownCities(), ", "))
		}
		os.Exit(1)
	}
}

type config struct {
	cities            []string
	stations, queries int
	seed              uint64
	latency           time.Duration // the longest a measurement takes
	timeout           time.Duration // each query's deadline
	drop              string        // a city the stations lose, "" for none
}

// stats is what run observed.
type stats struct {
	queries  []queryResult // in query order
	stations []int64       // requests handled, per station
	agg      aggStats
	logged   int // readings in the log
}

// queryResult is one query's outcome.
type queryResult struct {
	query      int
	flow       uint64 // the correlation id
	highlights WeatherHighlights
	err        error
}

// drainTimeout bounds run's wait for the aggregator and the log to
// finish with the flows once every query has returned.
const drainTimeout = 5 * time.Second

// run starts the reactors, runs cfg.queries queries at once, prints each
// result, waits until no flow is left in flight, and prints what each
// reactor did. It returns the first failed query's error, if any, with the
// statistics.
func run(w io.Writer, cfg config) (stats, error) {
	switch {
	case cfg.stations < 1:
		return stats{}, errors.New("weather: -stations must be at least 1")
	case cfg.queries < 1:
		return stats{}, errors.New("weather: -queries must be at least 1")
	case cfg.latency < 0:
		return stats{}, errors.New("weather: -latency must not be negative")
	case cfg.timeout <= 0:
		return stats{}, errors.New("weather: -timeout must be positive")
	}
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	kinds := router.NewKinds(sys)
	stations, err := start(sys, kinds, cfg)
	if err != nil {
		return stats{}, err
	}

	fmt.Fprintf(w, "highest and lowest temperature of %d cities: %d queries at once, %d stations, seed %d\n",
		len(cfg.cities), cfg.queries, cfg.stations, cfg.seed)
	st := stats{queries: make([]queryResult, cfg.queries)}
	var wg sync.WaitGroup
	for i := range st.queries {
		wg.Go(func() { st.queries[i] = query(sys, kinds, cfg, i+1) })
	}
	wg.Wait()
	var failed []queryResult
	for _, q := range st.queries {
		if q.err != nil {
			failed = append(failed, q)
			fmt.Fprintf(w, "query %d (flow %d): %v\n", q.query, q.flow, q.err)
			continue
		}
		h := q.highlights
		fmt.Fprintf(w, "query %d (flow %d): highest %s %.1f°C (%s), lowest %s %.1f°C (%s)\n", q.query, q.flow,
			h.Highest.City, h.Highest.Temperature, h.Highest.Station, h.Lowest.City, h.Lowest.Temperature, h.Lowest.Station)
	}

	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if st.agg, err = quiet[struct{}, aggStats](ctx, sys, "aggregator", struct{}{}); err != nil {
		return st, err
	}
	var measured int64
	for _, s := range stations {
		st.stations = append(st.stations, s.handled.Load())
		measured += s.measured.Load()
	}
	if st.logged, err = quiet[int, int](ctx, sys, "log", int(measured)); err != nil {
		return st, err
	}
	fmt.Fprintf(w, "stations (round-robin on the kind %s):\n", cityRequestKind)
	for i, n := range st.stations {
		fmt.Fprintf(w, "  %s handled %d requests\n", stations[i].name, n)
	}
	a := st.agg
	fmt.Fprintf(w, "aggregator: %d flows answered, %d failed, %d expired, %d late readings; up to %d flows in flight\n",
		a.answered, a.failed, a.expired, a.late, a.mostInFlight)
	fmt.Fprintf(w, "log: %d readings\n", st.logged)

	if len(failed) > 0 {
		q := failed[0]
		return st, fmt.Errorf("%d of %d queries failed; query %d (flow %d): %w", len(failed), cfg.queries, q.query, q.flow, q.err)
	}
	return st, nil
}

// start spawns the reactors of the flow and registers each as the handler
// of the kind it handles. Registering from here, rather than from the
// reactors' constructors, means every handler is in place before the
// first post. It returns the stations.
func start(sys *reactor.System, kinds *router.Kinds, cfg config) ([]*station, error) {
	toStations, err := router.KindChannel(kinds, cityRequestKind)
	if err != nil {
		return nil, err
	}
	toAggregator, err := router.KindChannel(kinds, cityWeatherKind)
	if err != nil {
		return nil, err
	}
	toLog, err := router.KindChannel(kinds, logKind)
	if err != nil {
		return nil, err
	}

	ch, err := reactor.Spawn(sys, splitter(toStations), reactor.WithName("splitter"))
	if err != nil {
		return nil, err
	}
	if err := router.Handle(kinds, highlightsKind, ch); err != nil {
		return nil, err
	}
	stations := make([]*station, cfg.stations)
	for i := range stations {
		s := &station{
			name: fmt.Sprintf("station-%d", i+1), seed: cfg.seed, drop: cfg.drop, latency: cfg.latency,
			readings: toAggregator, logs: toLog,
		}
		ch, err := reactor.Spawn(sys, s.body, reactor.WithName(s.name))
		if err != nil {
			return nil, err
		}
		if err := router.Handle(kinds, cityRequestKind, ch); err != nil {
			return nil, err
		}
		stations[i] = s
	}
	agg, err := reactor.Spawn(sys, (&aggregator{}).body, reactor.WithName("aggregator"))
	if err != nil {
		return nil, err
	}
	if err := router.Handle(kinds, cityWeatherKind, agg); err != nil {
		return nil, err
	}
	log, err := reactor.Spawn(sys, (&logbook{}).body, reactor.WithName("log"))
	if err != nil {
		return nil, err
	}
	if err := router.Handle(kinds, logKind, log); err != nil {
		return nil, err
	}
	return stations, nil
}

// query asks for the highlights of cfg.cities as query number n: it starts
// a flow and waits for its answer, or for the query's deadline.
func query(sys *reactor.System, kinds *router.Kinds, cfg config, n int) queryResult {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	res := queryResult{query: n}
	res.highlights, res.err = server.Call(ctx, sys, func(f server.Flow[WeatherHighlights]) error {
		res.flow = f.ID()
		return router.Post(kinds, highlightsKind, RequestWeatherHighlights{
			Header: Header{Flow: f, Deadline: deadline}, Cities: cfg.cities, Query: n,
		})
	})
	return res
}

// quiet asks the quiet server of the reactor named name and waits for its
// answer: it comes once the reactor has nothing left in flight.
func quiet[Q, R any](ctx context.Context, sys *reactor.System, name string, q Q) (R, error) {
	var zero R
	srv, err := reactor.Await[server.Request[Q, R]](ctx, sys, name+"#"+quietName)
	if err != nil {
		return zero, fmt.Errorf("weather: finding %s: %w", name, err)
	}
	r, err := server.Ask(ctx, srv, q)
	if err != nil {
		return zero, fmt.Errorf("weather: waiting for %s: %w", name, err)
	}
	return r, nil
}
