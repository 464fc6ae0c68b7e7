package suite

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"
)

// svgElement is an element of a parsed SVG document: its name and
// attributes.
type svgElement struct {
	name  string
	attrs map[string]string
}

// parseSVG parses doc as XML, failing the test unless it is well formed
// with an svg root, and returns its elements in document order.
func parseSVG(t *testing.T, doc []byte) []svgElement {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var els []svgElement
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 && (tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v, want svg in the SVG namespace", tok.Name)
			}
			depth++
			e := svgElement{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			els = append(els, e)
			if e.name == "script" || e.name == "style" || e.name == "foreignObject" {
				t.Errorf("element %s in the chart", e.name)
			}
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 || len(els) == 0 {
		t.Fatalf("unbalanced or empty document")
	}
	return els
}

// attrFloat returns the numeric attribute name of e.
func attrFloat(t *testing.T, e svgElement, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attrs[name], 64)
	if err != nil {
		t.Fatalf("%s %s=%q: %v", e.name, name, e.attrs[name], err)
	}
	return v
}

// svgReport returns a report with ratio lines of two peers over three
// variants, one of them only for one peer, with ratios spread over three
// decades; the labels hold characters XML must escape.
func svgReport() *report {
	ratio := func(peer, w, v, ref string, xs ...float64) line {
		return line{peer, w, v, "slowdown_vs_raw:" + ref + ":msgs_per_s", summarize(xs), xs}
	}
	return &report{
		date: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), goVersion: "go1.26", platform: "linux/amd64", gomaxprocs: 2,
		params: []string{"workloads=W1,W3 peers=raw,reactors,<other> & co runs=3"},
		ratios: []line{
			ratio("reactors", "W1", "pingpong", "pingpong", 0.3, 0.25, 0.35),
			ratio("<other>", "W1", "pingpong", "pingpong", 12, 10, 15),
			ratio("reactors", "W3", "roundrobin", "roundrobin", 1, 0.9, 1.1),
			ratio("<other>", "W3", "roundrobin", "roundrobin", 2.5, 2.4, 2.6),
			ratio("<other>", "W3", "roundrobin-group", "roundrobin", 4.4),
		},
	}
}

// TestSVG checks that the chart is well-formed XML with one bar per peer
// and variant, each bar longer the larger its ratio on a log scale, raw
// Go's 1 drawn as a line where a ratio of 1 ends, a whisker for every bar
// of more than one run, and a legend entry per peer.
func TestSVG(t *testing.T) {
	rep := svgReport()
	var buf bytes.Buffer
	if err := renderSVG(&buf, rep); err != nil {
		t.Fatal(err)
	}
	els := parseSVG(t, buf.Bytes())

	type bar struct {
		ratio, width float64
		x, y         float64
	}
	bars := map[string]bar{}
	var raw []svgElement
	texts := 0
	for _, e := range els {
		switch {
		case e.name == "rect" && e.attrs["class"] == "bar":
			key := e.attrs["data-peer"] + " " + e.attrs["data-key"]
			if _, dup := bars[key]; dup {
				t.Errorf("two bars for %s", key)
			}
			bars[key] = bar{attrFloat(t, e, "data-ratio"), attrFloat(t, e, "width"), attrFloat(t, e, "x"), attrFloat(t, e, "y")}
		case e.name == "line" && e.attrs["class"] == "raw":
			raw = append(raw, e)
		case e.name == "text":
			texts++
		}
	}
	if len(bars) != len(rep.ratios) {
		t.Fatalf("%d bars for %d ratio lines: %v", len(bars), len(rep.ratios), bars)
	}
	for _, l := range rep.ratios {
		b, ok := bars[l.peer+" "+l.workload+" "+l.variant+" "+l.metric]
		if !ok || b.ratio != l.sum.median {
			t.Errorf("bar of %s %s %s: %+v, want ratio %v", l.peer, l.workload, l.variant, b, l.sum.median)
		}
	}

	// Every bar starts at the same x; its length grows with the ratio, as
	// its logarithm does: equal ratio factors give equal length steps.
	var bs []bar
	for _, b := range bars {
		bs = append(bs, b)
	}
	slices.SortFunc(bs, func(a, b bar) int { return int(math.Copysign(1, a.ratio-b.ratio)) })
	for i := 1; i < len(bs); i++ {
		if bs[i].x != bs[0].x {
			t.Errorf("bars start at %v and %v", bs[0].x, bs[i].x)
		}
		if !(bs[i].width > bs[i-1].width) {
			t.Errorf("ratio %v has width %v, ratio %v width %v: not increasing", bs[i-1].ratio, bs[i-1].width, bs[i].ratio, bs[i].width)
		}
	}
	axis := newLogAxis(rep.ratios)
	perDecade := (svgPlotX1 - svgPlotX0) / math.Log10(axis.hi/axis.lo)
	for _, b := range bs {
		if want := perDecade * math.Log10(b.ratio/axis.lo); math.Abs(b.width-want) > 0.051 {
			t.Errorf("ratio %v: width %v, want %v (%v px per decade from %v)", b.ratio, b.width, want, perDecade, axis.lo)
		}
	}

	// Raw Go's line stands where the bar of ratio 1 ends.
	if len(raw) != 1 {
		t.Fatalf("%d raw lines, want 1", len(raw))
	}
	one := bars["reactors W3 roundrobin slowdown_vs_raw:roundrobin:msgs_per_s"]
	if x := attrFloat(t, raw[0], "x1"); math.Abs(x-(one.x+one.width)) > 0.11 || x != attrFloat(t, raw[0], "x2") {
		t.Errorf("raw line at x=%v..%v, the bar of ratio 1 ends at %v", x, raw[0].attrs["x2"], one.x+one.width)
	}

	// Whiskers: a line with two caps per bar of several runs (four such
	// bars here), besides raw Go's line, the gridlines, separators and
	// the legend's line.
	lines := 0
	for _, e := range els {
		if e.name == "line" {
			lines++
		}
	}
	ticks := len(newLogAxis(rep.ratios).ticks())
	if want := 4*3 + 1 + ticks + 1 + 1; lines != want {
		t.Errorf("%d lines, want %d (4 whiskers of 3 lines, raw, %d gridlines, 1 separator, legend)", lines, want, ticks)
	}

	// The legend names each peer once, after a swatch of its bars' colour.
	for _, peer := range []string{"reactors", "<other>"} {
		if n := bytes.Count(buf.Bytes(), []byte(">"+xmlEscape(peer)+"</text>")); n != 1 {
			t.Errorf("legend entry of %s: %d, want 1", peer, n)
		}
	}
}

// xmlEscape returns s escaped as XML text.
func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestSVGWithoutRatios checks that a run without ratio lines still gives
// a well-formed chart that says so.
func TestSVGWithoutRatios(t *testing.T) {
	rep := svgReport()
	rep.ratios = nil
	var buf bytes.Buffer
	if err := renderSVG(&buf, rep); err != nil {
		t.Fatal(err)
	}
	parseSVG(t, buf.Bytes())
	if !bytes.Contains(buf.Bytes(), []byte("no paired ratios")) {
		t.Errorf("no note in:\n%s", buf.String())
	}
}

// TestLogAxis checks the axis's domain and ticks.
func TestLogAxis(t *testing.T) {
	a := newLogAxis(svgReport().ratios)
	if a.lo != 0.1 || a.hi != 100 {
		t.Errorf("domain %v..%v, want 0.1..100", a.lo, a.hi)
	}
	if got, want := a.ticks(), []float64{0.1, 1, 10, 100}; !slices.Equal(got, want) {
		t.Errorf("ticks over three decades %v, want %v", got, want)
	}
	if got, want := (logAxis{0.1, 10}).ticks(), []float64{0.1, 0.2, 0.5, 1, 2, 5, 10}; !slices.Equal(got, want) {
		t.Errorf("ticks over two decades %v, want %v", got, want)
	}
	if x0, x1 := a.x(0.1), a.x(100); x0 != svgPlotX0 || x1 != svgPlotX1 || a.x(1e-9) != x0 || a.x(0) != x0 {
		t.Errorf("x(0.1)=%v x(100)=%v, want the plot's edges %v %v, and clamped below", x0, x1, svgPlotX0, svgPlotX1)
	}
}
