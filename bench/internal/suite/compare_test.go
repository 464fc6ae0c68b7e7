package suite

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The two reports TestCompare compares, as -json writes them (the fields
// the comparison does not read left out).
const (
	compareOld = `{
  "date": "2026-12-01T10:00:00Z", "go_version": "go1.26.8", "platform": "linux/amd64", "num_cpu": 2, "gomaxprocs": 2,
  "params": ["workloads=W1,W2,W3 peers=raw,reactors,protoactor runs=5 scale=1 warm-up=0.1"],
  "lines": [{"peer": "raw", "workload": "W1", "variant": "pingpong", "metric": "ns_per_msg", "median": 160, "min": 150, "max": 170}],
  "ratios": [
    {"peer": "reactors", "workload": "W1", "variant": "pingpong", "metric": "slowdown_vs_raw:pingpong:ns_per_msg", "median": 0.30, "min": 0.28, "max": 0.33},
    {"peer": "protoactor", "workload": "W1", "variant": "pingpong", "metric": "slowdown_vs_raw:pingpong:ns_per_msg", "median": 12, "min": 11, "max": 13},
    {"peer": "reactors", "workload": "W2", "variant": "fanin", "metric": "slowdown_vs_raw:fanin:msgs_per_s", "median": 0.75, "min": 0.70, "max": 0.80},
    {"peer": "reactors", "workload": "W3", "variant": "drr", "metric": "slowdown_vs_raw:roundrobin:msgs_per_s", "median": 1.05, "min": 1.0, "max": 1.1}
  ],
  "errors": ["reactors W2 fanin run 3: timed out"]
}`
	compareNew = `{
  "date": "2026-12-06T10:00:00Z", "go_version": "go1.26.8", "platform": "linux/amd64", "num_cpu": 2, "gomaxprocs": 2,
  "params": ["workloads=W1,W2,W7 peers=raw,reactors,protoactor runs=5 scale=1 warm-up=0.1"],
  "ratios": [
    {"peer": "reactors", "workload": "W7", "variant": "oneway-tcp", "metric": "slowdown_vs_raw:oneway-tcp:msgs_per_s", "median": 1.2, "min": 1.1, "max": 1.3},
    {"peer": "reactors", "workload": "W2", "variant": "fanin", "metric": "slowdown_vs_raw:fanin:msgs_per_s", "median": 0.60, "min": 0.55, "max": 0.78},
    {"peer": "protoactor", "workload": "W1", "variant": "pingpong", "metric": "slowdown_vs_raw:pingpong:ns_per_msg", "median": 12.5, "min": 10, "max": 14},
    {"peer": "reactors", "workload": "W1", "variant": "pingpong", "metric": "slowdown_vs_raw:pingpong:ns_per_msg", "median": 0.40, "min": 0.38, "max": 0.42}
  ],
  "errors": []
}`
)

// writeReports writes the given reports to files and returns their paths.
func writeReports(t *testing.T, docs ...string) []string {
	t.Helper()
	var paths []string
	for i, d := range docs {
		p := filepath.Join(t.TempDir(), "run"+string(rune('a'+i))+".json")
		if err := os.WriteFile(p, []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestCompare compares two hand-written reports: a ratio whose new median
// lies above the old run's max is worse, one below its min better, one
// within it ~, and ratios of one run only are listed as such, in the old
// run's order, then the new run's.
func TestCompare(t *testing.T) {
	paths := writeReports(t, compareOld, compareNew)
	var out, errOut bytes.Buffer
	if code := Main([]string{"-compare", paths[0], paths[1]}, &out, &errOut); code != 0 {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	var rows [][]string
	var header []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(l, "#") {
			header = append(header, l)
			continue
		}
		rows = append(rows, strings.Fields(l))
	}
	want := [][]string{
		{"reactors", "W1", "pingpong", "slowdown_vs_raw:pingpong:ns_per_msg", "0.300", "0.280", "0.330", "0.400", "0.380", "0.420", "+33.3%", "worse"},
		{"protoactor", "W1", "pingpong", "slowdown_vs_raw:pingpong:ns_per_msg", "12.00", "11.00", "13.00", "12.50", "10.00", "14.00", "+4.2%", "~"},
		{"reactors", "W2", "fanin", "slowdown_vs_raw:fanin:msgs_per_s", "0.750", "0.700", "0.800", "0.600", "0.550", "0.780", "-20.0%", "better"},
		{"reactors", "W3", "drr", "slowdown_vs_raw:roundrobin:msgs_per_s", "1.05", "1.00", "1.10", "-", "-", "-", "-", "only-old"},
		{"reactors", "W7", "oneway-tcp", "slowdown_vs_raw:oneway-tcp:msgs_per_s", "-", "-", "-", "1.20", "1.10", "1.30", "-", "only-new"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), out.String())
	}
	for i := range want {
		if strings.Join(rows[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("row %d:\n got %v\nwant %v", i, rows[i], want[i])
		}
	}
	joined := strings.Join(header, "\n")
	for _, h := range []string{
		"# old " + paths[0] + ": 2026-12-01T10:00:00Z go1.26.8 linux/amd64 GOMAXPROCS=2",
		"# new " + paths[1] + ": 2026-12-06T10:00:00Z",
		"# old: 1 failed runs",
		"# 1 worse, 1 better, 1 within the old spread, 1 only in the old run, 1 only in the new run",
	} {
		if !strings.Contains(joined, h) {
			t.Errorf("no header %q in:\n%s", h, joined)
		}
	}
	if strings.Contains(joined, "# new: ") {
		t.Errorf("failed runs reported for the new run:\n%s", joined)
	}
}

// TestCompareFlagBounds checks that a new median equal to the old run's
// min or max lies within its spread.
func TestCompareFlagBounds(t *testing.T) {
	old := jsonLine{Median: 1, Min: 0.9, Max: 1.2}
	for _, c := range []struct {
		median float64
		want   string
	}{{0.9, flagWithin}, {1.2, flagWithin}, {1.2001, flagWorse}, {0.8999, flagBetter}} {
		if got := compareFlag(old, jsonLine{Median: c.median}); got != c.want {
			t.Errorf("new median %v against %v..%v: %s, want %s", c.median, old.Min, old.Max, got, c.want)
		}
	}
}

// TestCompareErrors checks the exit status of a wrong -compare.
func TestCompareErrors(t *testing.T) {
	paths := writeReports(t, compareOld, "{not json")
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"-compare", paths[0]}, 2},
		{[]string{"-compare", paths[0], paths[0], paths[0]}, 2},
		{[]string{"-compare", paths[0], filepath.Join(t.TempDir(), "missing.json")}, 1},
		{[]string{"-compare", paths[0], paths[1]}, 1},
	} {
		if code := Main(c.args, io.Discard, io.Discard); code != c.want {
			t.Errorf("%v: exit status %d, want %d", c.args, code, c.want)
		}
	}
}
