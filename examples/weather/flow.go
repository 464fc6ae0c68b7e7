package main

import (
	"errors"
	"time"

	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

// The messages of the flow, after kino's weather example:
//
//	in                          action                        out
//	(caller)                    send                       -> RequestWeatherHighlights
//	RequestWeatherHighlights -> for each city send         -> RequestCityWeather
//	RequestCityWeather       -> measure the city's weather -> CityWeather, LogCityWeather
//	LogCityWeather           -> log it
//	CityWeather              -> aggregate by flow          -> WeatherHighlights (to the caller)
//
// Every message is posted by kind (see the kinds below): a sender names
// what it sends, never who handles it.

// Header is what every message of a flow carries, like kino's message
// envelope: the callback point with its correlation id (Flow.ID), and the
// caller's deadline, which kino carries as a TTL but never enforces.
type Header struct {
	Flow     server.Flow[WeatherHighlights]
	Deadline time.Time // when the caller stops waiting; zero: never
}

// Expired reports whether the caller stopped waiting before now.
func (h Header) Expired(now time.Time) bool {
	return !h.Deadline.IsZero() && !now.Before(h.Deadline)
}

// RequestWeatherHighlights starts a flow: the cities whose highest and
// lowest temperature the caller wants (kino's {List of Cities}).
type RequestWeatherHighlights struct {
	Header
	Cities []string
	Query  int // the query's number; the weather depends on it
}

// RequestCityWeather asks a weather station for one city's weather
// (kino's {Weather Request for a City}). TotalCityCount tells the
// aggregator how many readings the flow waits for.
type RequestCityWeather struct {
	Header
	City           string
	Index          int // the city's place in the list, to break ties
	Query          int
	TotalCityCount int
}

// Reading is a station's measurement of one city.
type Reading struct {
	City        string
	Index       int     // the city's place in the flow's list
	Temperature float64 // degrees Celsius, one decimal
	Station     string  // who measured it
}

// CityWeather is a station's answer for one city, for the aggregator
// (kino's {City Weather}). Err is set instead of Weather when the station
// could not measure the city; it fails the flow.
type CityWeather struct {
	Header
	Weather        Reading
	Err            error
	TotalCityCount int
}

// LogCityWeather is a reading for the log (kino's {Log City Weather}).
// It carries the correlation id but not the callback point: the log
// cannot answer the flow.
type LogCityWeather struct {
	FlowID  uint64
	Weather Reading
}

// WeatherHighlights is the flow's result, the kind the caller awaits
// (kino's {Cities with Highest and Lowest Temperature}). On equal
// temperatures the city earlier in the list wins.
type WeatherHighlights struct {
	FlowID  uint64 // the correlation id of the flow it answers
	Highest Reading
	Lowest  Reading
	Cities  int // readings aggregated
}

// The message kinds: a name and a version, like kino's message identity
// and version. Handlers register for a kind; senders post to it.
var (
	highlightsKind  = router.Kind[RequestWeatherHighlights]{Name: "weather.RequestWeatherHighlights", Version: 1}
	cityRequestKind = router.Kind[RequestCityWeather]{Name: "weather.RequestCityWeather", Version: 1}
	cityWeatherKind = router.Kind[CityWeather]{Name: "weather.CityWeather", Version: 1}
	logKind         = router.Kind[LogCityWeather]{Name: "weather.LogCityWeather", Version: 1}
)

// Errors that end a flow. Match them with errors.Is.
var (
	// ErrNoCities: the request named no city.
	ErrNoCities = errors.New("weather: no cities to ask about")
	// ErrUnknownCity: no station knows the city (wrapped with its name).
	ErrUnknownCity = errors.New("weather: unknown city")
)
