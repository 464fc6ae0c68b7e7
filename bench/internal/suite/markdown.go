package suite

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// renderMarkdown writes rep as Markdown to w: the run's header, then one
// table of the paired ratios (a row per workload, variant and metric, a
// column per peer other than raw Go), and one of the medians of every
// figure. It is what the README's benchmark section shows.
func renderMarkdown(w io.Writer, rep *report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s: %s %s, %d CPUs, GOMAXPROCS=%d, load average %s.\n\n",
		rep.date.UTC().Format(time.DateTime+" MST"), rep.goVersion, rep.platform, rep.numCPU, rep.gomaxprocs, loadOnly(rep.loadAvg))
	var peers []string // the peers with ratios, in the order they first appear
	for _, l := range rep.ratios {
		if !slices.Contains(peers, l.peer) {
			peers = append(peers, l.peer)
		}
	}
	b.WriteString("| workload | variant | against raw Go's | metric |")
	for _, p := range peers {
		b.WriteString(" " + p + " |")
	}
	b.WriteString("\n|---|---|---|---|" + strings.Repeat("---|", len(peers)) + "\n")
	type key struct{ workload, variant, ref, metric string }
	var keys []key
	cells := map[key]map[string]line{}
	for _, l := range rep.ratios {
		ref, metric := splitRatioMetric(l.metric)
		k := key{l.workload, l.variant, ref, metric}
		if cells[k] == nil {
			keys = append(keys, k)
			cells[k] = map[string]line{}
		}
		cells[k][l.peer] = l
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |", k.workload, k.variant, k.ref, metricText(k.metric))
		for _, p := range peers {
			if l, ok := cells[k][p]; ok {
				fmt.Fprintf(&b, " %sx (%s–%s) |", formatValue(l.sum.median), formatValue(l.sum.min), formatValue(l.sum.max))
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteByte('\n')
	}
	b.WriteString("\nRatios are each peer's run against raw Go's run of the same round, median (min–max) over the rounds, oriented so that below 1x is better than raw Go.\n\n")

	var all []string // every peer with figures, in order
	for _, l := range rep.lines {
		if !slices.Contains(all, l.peer) {
			all = append(all, l.peer)
		}
	}
	b.WriteString("| workload | variant | metric |")
	for _, p := range all {
		b.WriteString(" " + p + " |")
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(all)) + "\n")
	type fig struct{ workload, variant, metric string }
	var figs []fig
	vals := map[fig]map[string]line{}
	for _, l := range rep.lines {
		k := fig{l.workload, l.variant, l.metric}
		if vals[k] == nil {
			figs = append(figs, k)
			vals[k] = map[string]line{}
		}
		vals[k][l.peer] = l
	}
	for _, k := range figs {
		fmt.Fprintf(&b, "| %s | %s | %s |", k.workload, k.variant, metricText(k.metric))
		for _, p := range all {
			if l, ok := vals[k][p]; ok {
				b.WriteString(" " + humanValue(l.sum.median) + " |")
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// splitRatioMetric splits a ratio's metric "slowdown_vs_raw:REF:METRIC"
// into raw Go's variant and the metric compared.
func splitRatioMetric(m string) (ref, metric string) {
	parts := strings.SplitN(m, ":", 3)
	if len(parts) != 3 {
		return "", m
	}
	return parts[1], parts[2]
}

// metricText spells a metric name for people: msgs_per_s as msgs/s.
func metricText(m string) string {
	return strings.ReplaceAll(strings.ReplaceAll(m, "_per_", "/"), "_", " ")
}

// loadOnly keeps the three load averages of a /proc/loadavg line.
func loadOnly(s string) string {
	if f := strings.Fields(s); len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return s
}

// render draws cfg.svgPath and cfg.mdPath from the JSON report cfg.from:
// the chart and tables of a saved run, without running anything.
func render(cfg *config) error {
	j, err := readReport(cfg.from)
	if err != nil {
		return err
	}
	rep := &report{goVersion: j.GoVersion, platform: j.Platform, numCPU: j.NumCPU, gomaxprocs: j.GOMAXPROCS,
		loadAvg: j.LoadAvg, params: j.Params}
	if rep.date, err = time.Parse(time.RFC3339, j.Date); err != nil {
		return fmt.Errorf("%s: date: %w", cfg.from, err)
	}
	conv := func(ls []jsonLine) []line {
		var out []line
		for _, l := range ls {
			out = append(out, line{l.Peer, l.Workload, l.Variant, l.Metric, summarize(l.Samples), l.Samples})
		}
		return out
	}
	rep.lines, rep.ratios = conv(j.Lines), conv(j.Ratios)
	return writeDrawings(cfg, rep)
}

// writeDrawings writes the chart (-svg) and the tables (-md) of rep, as
// cfg asks.
func writeDrawings(cfg *config, rep *report) error {
	if cfg.svgPath != "" {
		if err := writeRendered(cfg.svgPath, rep, renderSVG); err != nil {
			return err
		}
	}
	if cfg.mdPath != "" {
		return writeRendered(cfg.mdPath, rep, renderMarkdown)
	}
	return nil
}

// humanValue is formatValue with large figures in thousands or millions.
func humanValue(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + " M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + " k"
	}
	return formatValue(v)
}
