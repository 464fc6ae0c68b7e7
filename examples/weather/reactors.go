package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/reactors-go/reactors/events"
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// splitter returns the body of the reactor that handles
// RequestWeatherHighlights: it sends one RequestCityWeather per city,
// carrying the flow's header, to whichever stations handle that kind.
func splitter(toStations reactor.Channel[RequestCityWeather]) func(*reactor.Reactor[RequestWeatherHighlights]) {
	return func(r *reactor.Reactor[RequestWeatherHighlights]) {
		r.Main().Events().OnEvent(func(req RequestWeatherHighlights) {
			if len(req.Cities) == 0 {
				fail(r.Log(), req.Flow, ErrNoCities)
				return
			}
			for i, city := range req.Cities {
				err := toStations.Send(RequestCityWeather{
					Header: req.Header, City: city, Index: i, Query: req.Query, TotalCityCount: len(req.Cities),
				})
				if err != nil {
					// The cities already sent are dropped by the
					// aggregator at the flow's deadline.
					fail(r.Log(), req.Flow, fmt.Errorf("weather: asking for %s: %w", city, err))
					return
				}
			}
		})
	}
}

// station is a weather station: it handles RequestCityWeather and answers
// with the city's CityWeather for the aggregator and a LogCityWeather for
// the log, both by kind. Stations are redundant and interchangeable.
type station struct {
	name     string
	seed     uint64
	drop     string        // a city whose requests the station loses ("" for none)
	latency  time.Duration // the longest a measurement takes
	readings reactor.Channel[CityWeather]
	logs     reactor.Channel[LogCityWeather]

	// Counters, written by the station's reactor and read by run.
	handled  atomic.Int64 // requests received, lost ones included
	measured atomic.Int64 // readings logged; counted after the log send
}

func (s *station) body(r *reactor.Reactor[RequestCityWeather]) {
	r.Main().Events().OnEvent(func(req RequestCityWeather) {
		// Counted before the answer, so that a caller holding the
		// flow's answer sees the count.
		s.handled.Add(1)
		if req.City == s.drop {
			return // lost: the flow ends at its deadline
		}
		d := latency(s.seed, req.City, req.Query, s.latency)
		if d <= 0 {
			s.measure(r, req)
			return
		}
		// The measurement takes d: a timer, so that the station handles
		// other requests meanwhile (kino's station awaits a web call).
		reactor.After(r, d).OnEvent(func(struct{}) { s.measure(r, req) })
	})
}

// measure answers req with the city's weather.
func (s *station) measure(r *reactor.Reactor[RequestCityWeather], req RequestCityWeather) {
	out := CityWeather{Header: req.Header, TotalCityCount: req.TotalCityCount}
	if t, ok := temperature(s.seed, req.City, req.Query); ok {
		out.Weather = Reading{City: req.City, Index: req.Index, Temperature: t, Station: s.name}
		if err := s.logs.Send(LogCityWeather{FlowID: req.Flow.ID(), Weather: out.Weather}); err != nil {
			r.Log().Warn().Err(err).Uint64("flow", req.Flow.ID()).Msg("reading not logged")
		} else {
			s.measured.Add(1)
		}
	} else {
		out.Err = fmt.Errorf("%w %q", ErrUnknownCity, req.City)
	}
	if err := s.readings.Send(out); err != nil {
		fail(r.Log(), req.Flow, fmt.Errorf("weather: reading of %s not delivered: %w", req.City, err))
	}
}

// aggregator collects the CityWeather of every flow in flight, keyed by
// the flow's correlation id, and answers a flow with its
// WeatherHighlights once all its cities are in. Kino's CityWeather actors
// share a central store for this; one reactor owns the table here, so it
// needs no store and no lock.
//
// A flow fails at its first error. A flow whose readings do not all
// arrive by the caller's deadline is dropped then, and readings that
// arrive after it are dead-lettered, so the table holds only flows
// somebody still waits for.
type aggregator struct {
	flows   map[uint64]*partial
	waiting []*events.IVar[aggStats] // quiet requests, answered when flows is empty
	st      aggStats
}

// partial is a flow being aggregated.
type partial struct {
	got, total      int
	highest, lowest Reading
	failed          bool
	expiry          events.Subscription // the deadline's timer
}

// aggStats is what the aggregator did.
type aggStats struct {
	answered, failed int
	expired          int // flows dropped at their deadline
	late             int // readings that came after their flow's deadline
	mostInFlight     int // most flows aggregated at once
}

// quietName names the aggregator's and the log's quiet servers: they
// answer when nothing is left in flight.
const quietName = "quiet"

func (a *aggregator) body(r *reactor.Reactor[CityWeather]) {
	a.flows = make(map[uint64]*partial)
	quiet, err := reactor.Open[server.Request[struct{}, aggStats]](r, reactor.Named(quietName))
	if err != nil {
		panic(err) // a fresh reactor's own connector: fails only this reactor
	}
	server.ServeAsync(quiet, func(struct{}) events.Events[aggStats] {
		iv := &events.IVar[aggStats]{}
		a.waiting = append(a.waiting, iv)
		a.checkQuiet()
		return iv.Events()
	})
	r.Main().Events().OnEvent(func(cw CityWeather) { a.add(r, cw) })
}

func (a *aggregator) add(r *reactor.Reactor[CityWeather], cw CityWeather) {
	id := cw.Flow.ID()
	p := a.flows[id]
	if p == nil {
		if cw.Expired(time.Now()) {
			a.st.late++
			r.System().DeadLetter(r.Name(), reactor.ReasonExpired, cw)
			return
		}
		p = &partial{total: cw.TotalCityCount}
		a.flows[id] = p
		a.st.mostInFlight = max(a.st.mostInFlight, len(a.flows))
		if !cw.Deadline.IsZero() {
			p.expiry = reactor.After(r, time.Until(cw.Deadline)).OnEvent(func(struct{}) {
				if a.flows[id] == p {
					delete(a.flows, id)
					a.st.expired++
					a.checkQuiet()
				}
			})
		}
	}
	p.got++
	switch {
	case p.failed:
	case cw.Err != nil:
		p.failed = true
		a.st.failed++
		fail(r.Log(), cw.Flow, cw.Err)
	case p.got == 1:
		p.highest, p.lowest = cw.Weather, cw.Weather
	default:
		p.highest = warmer(p.highest, cw.Weather)
		p.lowest = colder(p.lowest, cw.Weather)
	}
	if p.got < p.total {
		return
	}
	delete(a.flows, id)
	if p.expiry != nil {
		p.expiry.Unsubscribe()
	}
	if !p.failed {
		a.st.answered++
		// The first reactor producing the awaited kind answers the
		// caller, without knowing who asked.
		if err := cw.Flow.Answer(WeatherHighlights{FlowID: id, Highest: p.highest, Lowest: p.lowest, Cities: p.total}); err != nil {
			r.Log().Debug().Err(err).Uint64("flow", id).Msg("answer refused: the caller stopped waiting")
		}
	}
	a.checkQuiet()
}

// checkQuiet answers the waiting quiet requests if no flow is in flight.
func (a *aggregator) checkQuiet() {
	if len(a.flows) > 0 {
		return
	}
	for _, iv := range a.waiting {
		iv.Set(a.st)
	}
	a.waiting = nil
}

// warmer returns the warmer reading, the earlier city on a tie.
func warmer(a, b Reading) Reading {
	if b.Temperature > a.Temperature || b.Temperature == a.Temperature && b.Index < a.Index {
		return b
	}
	return a
}

// colder returns the colder reading, the earlier city on a tie.
func colder(a, b Reading) Reading {
	if b.Temperature < a.Temperature || b.Temperature == a.Temperature && b.Index < a.Index {
		return b
	}
	return a
}

// logbook handles LogCityWeather: it logs each reading (at debug level)
// and counts them. Its quiet server answers a count n once n readings are
// logged.
type logbook struct {
	logged  int
	waiting []logWait
}

type logWait struct {
	want int
	iv   *events.IVar[int]
}

func (l *logbook) body(r *reactor.Reactor[LogCityWeather]) {
	quiet, err := reactor.Open[server.Request[int, int]](r, reactor.Named(quietName))
	if err != nil {
		panic(err) // a fresh reactor's own connector: fails only this reactor
	}
	server.ServeAsync(quiet, func(want int) events.Events[int] {
		iv := &events.IVar[int]{}
		l.waiting = append(l.waiting, logWait{want: want, iv: iv})
		l.check()
		return iv.Events()
	})
	r.Main().Events().OnEvent(func(m LogCityWeather) {
		r.Log().Debug().Uint64("flow", m.FlowID).Str("city", m.Weather.City).
			Float64("celsius", m.Weather.Temperature).Str("station", m.Weather.Station).Msg("city weather")
		l.logged++
		l.check()
	})
}

func (l *logbook) check() {
	kept := l.waiting[:0]
	for _, w := range l.waiting {
		if l.logged >= w.want {
			w.iv.Set(l.logged)
		} else {
			kept = append(kept, w)
		}
	}
	l.waiting = kept
}

// fail ends a flow with err. A caller that stopped waiting refuses it
// (the runtime dead-letters the answer), which only the debug log notes.
func fail(log *zerolog.Logger, f server.Flow[WeatherHighlights], err error) {
	if ferr := f.Fail(err); ferr != nil {
		log.Debug().Err(ferr).Uint64("flow", f.ID()).Msg("failure refused: the caller stopped waiting")
	}
}
