package main

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// climate is the mean temperature, in degrees Celsius, of every city the
// stations know. Kino's stations ask a web service; these make the
// weather up around the mean.
var climate = map[string]float64{
	"Amsterdam": 10.5, "Athens": 18.5, "Berlin": 10, "Buenos Aires": 18,
	"Cairo": 22, "Cape Town": 17, "Chicago": 10, "Delhi": 25,
	"Dubai": 28, "Helsinki": 6, "Lisbon": 17.5, "London": 11.5,
	"Madrid": 15, "Moscow": 6, "Mumbai": 27, "Nairobi": 19,
	"New York": 13, "Oslo": 6, "Paris": 12.5, "Reykjavik": 5,
	"Rome": 15.5, "Santiago": 14.5, "Singapore": 27.5, "Stockholm": 7.5,
	"Sydney": 18, "Tokyo": 16, "Toronto": 9, "Ulaanbaatar": -0.5,
	"Vancouver": 11, "Yakutsk": -8.5,
}

// spread is how far a reading may stray from the city's mean, either way.
const spread = 12.0

// defaultCities is the -cities default.
const defaultCities = "Amsterdam,Cairo,Helsinki,Lisbon,Oslo,Reykjavik,Rome,Singapore,Sydney,Yakutsk"

// temperature returns the weather of city at query under seed, rounded
// to a tenth of a degree, and false for a city no station knows. It is a
// pure function of its arguments, so any two stations agree and a test
// can recompute every reading.
func temperature(seed uint64, city string, query int) (float64, bool) {
	mean, ok := climate[city]
	if !ok {
		return 0, false
	}
	t := mean + spread*(2*draw(seed, city, query, 0)-1)
	return math.Round(t*10) / 10, true
}

// latency returns how long a station takes to measure city at query
// under seed: up to most, a pure function of its arguments like
// temperature. It stands for kino's call to a weather service.
func latency(seed uint64, city string, query int, most time.Duration) time.Duration {
	return time.Duration(draw(seed, city, query, 1) * float64(most))
}

// draw returns a number in [0, 1) that depends only on its arguments;
// stream tells apart the numbers drawn for different purposes.
func draw(seed uint64, city string, query int, stream uint64) float64 {
	h := fnv.New64a()
	h.Write([]byte(city))
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(query)))
	h.Write(binary.LittleEndian.AppendUint64(nil, stream))
	return rand.New(rand.NewPCG(seed, h.Sum64())).Float64()
}

// knownCities returns the cities of the climate table, sorted.
func knownCities() []string {
	cities := make([]string, 0, len(climate))
	for c := range climate {
		cities = append(cities, c)
	}
	slices.Sort(cities)
	return cities
}

// parseCities splits a comma-separated list, trimming spaces and
// dropping empty names.
func parseCities(s string) []string {
	var cities []string
	for c := range strings.SplitSeq(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cities = append(cities, c)
		}
	}
	return cities
}
