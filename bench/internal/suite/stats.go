package suite

import (
	"slices"
	"strings"
)

// summary is the median, min and max of a set of samples.
type summary struct {
	median, min, max float64
	n                int
}

// summarize returns the summary of xs; n is 0 for no samples. The median
// of an even number of samples is the mean of the two middle ones.
func summarize(xs []float64) summary {
	if len(xs) == 0 {
		return summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{median: m, min: s[0], max: s[len(s)-1], n: len(s)}
}

// lowerIsBetter reports whether a smaller value of the metric is better
// (times, memory, CPU); otherwise it is a throughput, where larger is
// better.
func lowerIsBetter(metric string) bool {
	return strings.HasSuffix(metric, "_ns") || strings.HasPrefix(metric, "ns_") ||
		strings.Contains(metric, "bytes") || strings.Contains(metric, "goroutines") ||
		strings.Contains(metric, "cpu")
}

// slowdown returns the ratio of a peer's value against raw's, oriented so
// that above 1 means worse than raw: peer/raw for times, raw/peer for
// throughputs. ok is false when the ratio is undefined (a zero divisor).
func slowdown(metric string, peer, raw float64) (float64, bool) {
	num, den := raw, peer
	if lowerIsBetter(metric) {
		num, den = peer, raw
	}
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

// pairedRatios compares run i of peer with run i of raw for every round in
// which both succeeded and measured the metric.
func pairedRatios(metric string, peer, raw []Result) []float64 {
	var out []float64
	for i := range min(len(peer), len(raw)) {
		if peer[i] == nil || raw[i] == nil {
			continue
		}
		p, ok1 := peer[i].Get(metric)
		r, ok2 := raw[i].Get(metric)
		if !ok1 || !ok2 {
			continue
		}
		if v, ok := slowdown(metric, p, r); ok {
			out = append(out, v)
		}
	}
	return out
}
