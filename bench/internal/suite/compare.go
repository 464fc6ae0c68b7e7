package suite

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Flags of a compared ratio line.
const (
	flagWorse   = "worse"    // the new median lies above the old run's max
	flagBetter  = "better"   // the new median lies below the old run's min
	flagWithin  = "~"        // the new median lies within the old run's min-max
	flagOnlyOld = "only-old" // the ratio is in the old report only
	flagOnlyNew = "only-new" // the ratio is in the new report only
)

// comparison is one compared ratio line: the line in the old and the new
// report (nil where it is missing) and its flag.
type comparison struct {
	old, new *jsonLine
	flag     string
}

// compareFlag returns the flag of a ratio measured in both runs: whether
// the new median lies outside the old run's min-max spread, and on which
// side. Ratios are oriented so that above 1 is worse than raw Go, so a
// higher ratio is worse.
func compareFlag(before, after jsonLine) string {
	switch {
	case after.Median > before.Max:
		return flagWorse
	case after.Median < before.Min:
		return flagBetter
	}
	return flagWithin
}

// compareRatios pairs the ratio lines of two reports by peer, workload,
// variant and metric: the old report's lines in their order, then the
// lines only the new report has.
func compareRatios(before, after *jsonReport) []comparison {
	key := func(l jsonLine) string { return l.Peer + " " + l.Workload + " " + l.Variant + " " + l.Metric }
	newByKey := map[string]*jsonLine{}
	for i := range after.Ratios {
		newByKey[key(after.Ratios[i])] = &after.Ratios[i]
	}
	seen := map[string]bool{}
	var cs []comparison
	for i := range before.Ratios {
		o := &before.Ratios[i]
		k := key(*o)
		seen[k] = true
		n, ok := newByKey[k]
		if !ok {
			cs = append(cs, comparison{old: o, flag: flagOnlyOld})
			continue
		}
		cs = append(cs, comparison{old: o, new: n, flag: compareFlag(*o, *n)})
	}
	for i := range after.Ratios {
		if n := &after.Ratios[i]; !seen[key(*n)] {
			cs = append(cs, comparison{new: n, flag: flagOnlyNew})
		}
	}
	return cs
}

// readReport reads a JSON report written by -json.
func readReport(path string) (*jsonReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep jsonReport
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &rep, nil
}

// runCompare reads the reports oldPath and newPath and writes the
// comparison of their ratio lines to out: '#' header lines naming both
// runs, then per ratio the old and the new median, min and max, the
// change of the median, and the flag; then a '#' summary line.
func runCompare(oldPath, newPath string, out io.Writer) error {
	before, err := readReport(oldPath)
	if err != nil {
		return err
	}
	after, err := readReport(newPath)
	if err != nil {
		return err
	}
	for _, r := range []struct {
		what, path string
		rep        *jsonReport
	}{{"old", oldPath, before}, {"new", newPath, after}} {
		fmt.Fprintf(out, "# %s %s: %s %s %s GOMAXPROCS=%d\n", r.what, r.path, r.rep.Date, r.rep.GoVersion, r.rep.Platform, r.rep.GOMAXPROCS)
		if len(r.rep.Params) > 0 {
			fmt.Fprintf(out, "# %s %s\n", r.what, r.rep.Params[0])
		}
		if len(r.rep.Errors) > 0 {
			fmt.Fprintf(out, "# %s: %d failed runs, left out of its ratios\n", r.what, len(r.rep.Errors))
		}
	}
	fmt.Fprintln(out, "# a ratio above 1 is worse than raw Go; change = new median / old median - 1;")
	fmt.Fprintln(out, "# flag: worse or better when the new median lies outside the old run's min-max, ~ within it")
	fmt.Fprintln(out, "# peer workload variant metric old_median old_min old_max new_median new_min new_max change flag")

	counts := map[string]int{}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range compareRatios(before, after) {
		counts[c.flag]++
		id, o, n, change := c.old, "-\t-\t-", "-\t-\t-", "-"
		if id == nil {
			id = c.new
		}
		if c.old != nil {
			o = formatSpread(*c.old)
		}
		if c.new != nil {
			n = formatSpread(*c.new)
		}
		if c.old != nil && c.new != nil && c.old.Median != 0 {
			change = formatChange(c.new.Median/c.old.Median - 1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id.Peer, id.Workload, id.Variant, id.Metric, o, n, change, c.flag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "# %d worse, %d better, %d within the old spread, %d only in the old run, %d only in the new run\n",
		counts[flagWorse], counts[flagBetter], counts[flagWithin], counts[flagOnlyOld], counts[flagOnlyNew])
	return err
}

// formatSpread prints a line's median, min and max as three columns.
func formatSpread(l jsonLine) string {
	return formatValue(l.Median) + "\t" + formatValue(l.Min) + "\t" + formatValue(l.Max)
}

// formatChange prints a relative change as a signed percentage.
func formatChange(c float64) string {
	s := strconv.FormatFloat(100*c, 'f', 1, 64) + "%"
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}
