package suite

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"time"
)

// warmFraction scales the counts of the untimed warm-up run of every case.
const warmFraction = 0.1

// Metric is one measured figure of a run.
type Metric struct {
	Name  string // as BENCHMARKS.md names metrics: msgs_per_s, p50_ns, ...
	Value float64
}

// Result is what one successful run measured, in reporting order.
type Result []Metric

// Get returns the value of the named metric.
func (r Result) Get(name string) (float64, bool) {
	for _, m := range r {
		if m.Name == name {
			return m.Value, true
		}
	}
	return 0, false
}

// RunParams are the parameters of one run of a case.
type RunParams struct {
	cfg    *config
	factor float64 // multiplies the workload's base counts: -scale, times warmFraction in the warm-up
	warmUp bool
}

// Count returns base scaled by the run's factor, at least 1.
func (p RunParams) Count(base int) int {
	return max(1, int(math.Round(float64(base)*p.factor)))
}

// benchCase is one measured implementation of a workload variant by a peer.
// run builds its own system before t0 and tears it down after t1; it
// returns an error when the run's check fails.
type benchCase struct {
	peer    string
	variant string
	run     func(p RunParams) (Result, error)
}

// ratioDef names a paired comparison: the metric of variant (for every
// non-raw peer) against the same metric of the raw peer's refVariant.
type ratioDef struct {
	variant    string
	refVariant string
	metric     string
}

// workload is one of W0-W7.
type workload struct {
	name     string
	describe func(cfg *config) string // the parameters, for the header
	cases    []benchCase
	ratios   []ratioDef
}

// workloads returns every implemented workload, in canonical order.
func workloads() []workload {
	return []workload{w0(), w1(), w2(), w3(), w4(), w5(), w5b(), w6(), w7()}
}

// variantNames returns the variant names of every workload, then of the
// extra peers' cases, each once, in the order of first appearance.
func variantNames(extra []Peer) []string {
	var names []string
	for _, w := range workloads() {
		for _, c := range w.cases {
			if !slices.Contains(names, c.variant) {
				names = append(names, c.variant)
			}
		}
	}
	for _, p := range extra {
		for _, c := range p.Cases {
			if !slices.Contains(names, c.Variant) {
				names = append(names, c.Variant)
			}
		}
	}
	return names
}

// workloadNames returns the names of every implemented workload.
func workloadNames() []string {
	var names []string
	for _, w := range workloads() {
		names = append(names, w.name)
	}
	return names
}

// record holds the measured runs of one case; runs[i] is round i, nil when
// that run failed.
type record struct {
	workload string
	c        benchCase
	runs     []Result
}

// failure is a run that failed its check.
type failure struct {
	peer, workload, variant string
	run                     string // "warm-up" or "run N"
	err                     error
}

// runSuite runs every selected workload and writes the report to out and
// progress notes to progress. It reports false when any run failed.
func runSuite(cfg *config, out, progress io.Writer) (bool, error) {
	rep := newReport(cfg)
	writeHeader(out, rep)
	for _, w := range withPeers(cfg.extra) {
		if !slices.Contains(cfg.workloads, w.name) {
			continue
		}
		recs := runWorkload(cfg, w, rep, out, progress)
		rep.addWorkload(w, recs, cfg.peers)
	}
	writeTable(out, rep)
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, rep); err != nil {
			return false, err
		}
	}
	if err := writeDrawings(cfg, rep); err != nil {
		return false, err
	}
	return len(rep.failures) == 0, nil
}

// runWorkload runs the warm-up and the measured rounds of one workload.
// Failed runs are printed as ERROR lines on out at once and recorded in
// rep.
func runWorkload(cfg *config, w workload, rep *report, out, progress io.Writer) []*record {
	var recs []*record
	for _, c := range w.cases {
		if slices.Contains(cfg.peers, c.peer) && (cfg.variants == nil || slices.Contains(cfg.variants, c.variant)) {
			recs = append(recs, &record{workload: w.name, c: c, runs: make([]Result, cfg.runs)})
		}
	}
	fail := func(r *record, run string, err error) {
		f := failure{peer: r.c.peer, workload: w.name, variant: r.c.variant, run: run, err: err}
		rep.failures = append(rep.failures, f)
		writeError(out, f)
	}
	for _, r := range recs {
		fmt.Fprintf(progress, "%s %s %s: warm-up\n", w.name, r.c.peer, r.c.variant)
		runtime.GC()
		if _, err := r.c.run(RunParams{cfg: cfg, factor: cfg.scale * warmFraction, warmUp: true}); err != nil {
			fail(r, "warm-up", err)
		}
	}
	for round := range cfg.runs {
		for _, peer := range rotate(cfg.peers, round) {
			for _, r := range recs {
				if r.c.peer != peer {
					continue
				}
				runtime.GC()
				start := time.Now()
				res, err := r.c.run(RunParams{cfg: cfg, factor: cfg.scale})
				if err != nil {
					fail(r, fmt.Sprintf("run %d", round+1), err)
					continue
				}
				r.runs[round] = res
				fmt.Fprintf(progress, "%s %s %s: run %d/%d (%.1fs) %s\n", w.name, peer, r.c.variant,
					round+1, cfg.runs, time.Since(start).Seconds(), formatResult(res))
			}
		}
	}
	return recs
}

// rotate returns peers rotated left by round, so that every peer goes first
// in turn.
func rotate(peers []string, round int) []string {
	k := round % len(peers)
	return append(slices.Clone(peers[k:]), peers[:k]...)
}
