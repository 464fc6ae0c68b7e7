package suite

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// report collects everything the command prints.
type report struct {
	date       time.Time
	goVersion  string
	platform   string
	numCPU     int
	gomaxprocs int
	loadAvg    string
	params     []string // one header line each
	lines      []line   // absolute figures
	ratios     []line   // paired slowdowns against raw
	failures   []failure
}

// line is one output line: a metric of a (peer, workload, variant) and the
// summary of its samples.
type line struct {
	peer, workload, variant, metric string
	sum                             summary
	samples                         []float64
}

// newReport fills in the header of a report for cfg.
func newReport(cfg *config) *report {
	rep := &report{
		date:       time.Now(),
		goVersion:  runtime.Version(),
		platform:   runtime.GOOS + "/" + runtime.GOARCH,
		numCPU:     runtime.NumCPU(),
		gomaxprocs: runtime.GOMAXPROCS(0),
		loadAvg:    loadAverage(),
	}
	rep.params = append(rep.params, fmt.Sprintf("workloads=%s peers=%s runs=%d scale=%g warm-up=%g",
		strings.Join(cfg.workloads, ","), strings.Join(cfg.peers, ","), cfg.runs, cfg.scale, warmFraction))
	for _, p := range cfg.extra {
		if p.About != "" && slices.Contains(cfg.peers, p.Name) {
			rep.params = append(rep.params, p.Name+": "+p.About)
		}
	}
	for _, w := range workloads() {
		if !slices.Contains(cfg.workloads, w.name) {
			continue
		}
		desc := w.name + ": " + w.describe(cfg)
		for _, peer := range cfg.peers {
			if note := peerNote(cfg.extra, peer, w.name); note != "" {
				desc += "; " + peer + ": " + note
			}
		}
		rep.params = append(rep.params, desc)
	}
	for _, env := range []string{"GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v, ok := os.LookupEnv(env); ok {
			rep.params = append(rep.params, env+"="+v)
		}
	}
	return rep
}

// loadAverage returns the contents of /proc/loadavg, or "n/a".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	return strings.TrimSpace(string(b))
}

// addWorkload summarizes the records of one workload: a line per metric of
// every case, then the ratio lines of every non-raw peer.
func (rep *report) addWorkload(w workload, recs []*record, peers []string) {
	find := func(peer, variant string) *record {
		for _, r := range recs {
			if r.c.peer == peer && r.c.variant == variant {
				return r
			}
		}
		return nil
	}
	for _, r := range recs {
		for _, name := range metricNames(r.runs) {
			var xs []float64
			for _, res := range r.runs {
				if v, ok := res.Get(name); ok && res != nil {
					xs = append(xs, v)
				}
			}
			rep.lines = append(rep.lines, line{r.c.peer, w.name, r.c.variant, name, summarize(xs), xs})
		}
	}
	for _, d := range w.ratios {
		ref := find(peerRaw, d.refVariant)
		if ref == nil {
			continue
		}
		for _, peer := range peers {
			r := find(peer, d.variant)
			if peer == peerRaw || r == nil {
				continue
			}
			xs := pairedRatios(d.metric, r.runs, ref.runs)
			if len(xs) == 0 {
				continue
			}
			name := "slowdown_vs_raw:" + d.refVariant + ":" + d.metric
			rep.ratios = append(rep.ratios, line{peer, w.name, d.variant, name, summarize(xs), xs})
		}
	}
}

// metricNames returns the metric names of the runs, in reporting order.
func metricNames(runs []Result) []string {
	var names []string
	for _, res := range runs {
		for _, m := range res {
			if !slices.Contains(names, m.Name) {
				names = append(names, m.Name)
			}
		}
	}
	return names
}

// writeHeader prints the '#' header lines.
func writeHeader(out io.Writer, rep *report) {
	fmt.Fprintf(out, "# reactors bench %s\n", rep.date.Format(time.RFC3339))
	fmt.Fprintf(out, "# go %s %s NumCPU=%d GOMAXPROCS=%d\n", rep.goVersion, rep.platform, rep.numCPU, rep.gomaxprocs)
	fmt.Fprintf(out, "# loadavg %s\n", rep.loadAvg)
	for _, p := range rep.params {
		fmt.Fprintf(out, "# %s\n", p)
	}
	fmt.Fprintln(out, "# peer workload variant metric median min max")
}

// writeError prints the ERROR line of a failed run.
func writeError(out io.Writer, f failure) {
	fmt.Fprintf(out, "ERROR %s %s %s %s: %v\n", f.peer, f.workload, f.variant, f.run, f.err)
}

// writeTable prints the metric lines, then the ratio lines, aligned in
// whitespace-separated columns.
func writeTable(out io.Writer, rep *report) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, group := range [][]line{rep.lines, rep.ratios} {
		for _, l := range group {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.peer, l.workload, l.variant, l.metric,
				formatValue(l.sum.median), formatValue(l.sum.min), formatValue(l.sum.max))
		}
	}
	tw.Flush()
}

// formatValue prints v with about four significant digits, without an
// exponent.
func formatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e4:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		prec := min(8, 3-int(math.Floor(math.Log10(a)))-1)
		return strconv.FormatFloat(v, 'f', prec, 64)
	}
}

// formatResult prints a run's metrics on one line, for progress notes.
func formatResult(res Result) string {
	var b strings.Builder
	for i, m := range res {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(m.Name + "=" + formatValue(m.Value))
	}
	return b.String()
}

// jsonLine is a line of the JSON report.
type jsonLine struct {
	Peer     string    `json:"peer"`
	Workload string    `json:"workload"`
	Variant  string    `json:"variant"`
	Metric   string    `json:"metric"`
	Median   float64   `json:"median"`
	Min      float64   `json:"min"`
	Max      float64   `json:"max"`
	Samples  []float64 `json:"samples"`
}

// jsonReport is the JSON form of a report.
type jsonReport struct {
	Date       string     `json:"date"`
	GoVersion  string     `json:"go_version"`
	Platform   string     `json:"platform"`
	NumCPU     int        `json:"num_cpu"`
	GOMAXPROCS int        `json:"gomaxprocs"`
	LoadAvg    string     `json:"loadavg"`
	Params     []string   `json:"params"`
	Lines      []jsonLine `json:"lines"`
	Ratios     []jsonLine `json:"ratios"`
	Errors     []string   `json:"errors"`
}

// writeJSON writes rep as indented JSON to path.
func writeJSON(path string, rep *report) error {
	conv := func(ls []line) []jsonLine {
		out := []jsonLine{}
		for _, l := range ls {
			out = append(out, jsonLine{l.peer, l.workload, l.variant, l.metric,
				l.sum.median, l.sum.min, l.sum.max, l.samples})
		}
		return out
	}
	j := jsonReport{
		Date:       rep.date.Format(time.RFC3339),
		GoVersion:  rep.goVersion,
		Platform:   rep.platform,
		NumCPU:     rep.numCPU,
		GOMAXPROCS: rep.gomaxprocs,
		LoadAvg:    rep.loadAvg,
		Params:     rep.params,
		Lines:      conv(rep.lines),
		Ratios:     conv(rep.ratios),
		Errors:     []string{},
	}
	for _, f := range rep.failures {
		j.Errors = append(j.Errors, fmt.Sprintf("%s %s %s %s: %v", f.peer, f.workload, f.variant, f.run, f.err))
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
