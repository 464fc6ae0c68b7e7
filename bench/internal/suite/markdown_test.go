package suite

import (
	"bytes"
	"strings"
	"testing"
)

// TestMarkdown checks the Markdown tables: the header, a ratio row per
// workload, variant and metric with a column per peer (empty where a
// peer has no such variant), and a row of medians per figure.
func TestMarkdown(t *testing.T) {
	rep := svgReport()
	rep.loadAvg = "0.12 0.30 0.41 1/123 456"
	rep.numCPU = 2
	rep.lines = []line{
		{"raw", "W1", "pingpong", "ns_per_msg", summarize([]float64{200}), []float64{200}},
		{"reactors", "W1", "pingpong", "ns_per_msg", summarize([]float64{60}), []float64{60}},
		{"raw", "W1", "pingpong", "msgs_per_s", summarize([]float64{3728973}), []float64{3728973}},
	}
	var buf bytes.Buffer
	if err := renderMarkdown(&buf, rep); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"Measured 2026-12-06 00:00:00 UTC: go1.26 linux/amd64, 2 CPUs, GOMAXPROCS=2, load average 0.12 0.30 0.41.",
		"| workload | variant | against raw Go's | metric | reactors | <other> |",
		"| W1 | pingpong | pingpong | msgs/s | 0.300x (0.250–0.350) | 12.00x (10.00–15.00) |",
		"| W3 | roundrobin-group | roundrobin | msgs/s | | 4.40x (4.40–4.40) |",
		"| workload | variant | metric | raw | reactors |",
		"| W1 | pingpong | ns/msg | 200.0 | 60.00 |",
		"| W1 | pingpong | msgs/s | 3.73 M | |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n| W"); n != 5 {
		t.Errorf("%d rows, want 3 ratio rows and 2 figure rows:\n%s", n, got)
	}
}
