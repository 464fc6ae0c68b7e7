package suite

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The chart's geometry, in SVG user units (pixels at 100 %).
const (
	svgWidth     = 960.0
	svgLabelX    = 12.0  // left edge of the group labels
	svgPlotX0    = 300.0 // left edge of the plot: where every bar starts
	svgPlotX1    = 870.0 // right edge of the log axis; value labels go beyond it
	svgTop       = 118.0 // top of the first group
	svgBarH      = 13.0  // height of one bar
	svgBarGap    = 3.0   // space between the bars of a group
	svgGroupPad  = 9.0   // space above and below the bars of a group
	svgMinGroupH = 36.0  // a group is at least this tall, for its two label lines
	svgBottom    = 44.0  // below the last group: the axis labels
)

// svgPalette colours the non-raw peers, in the order they first appear.
var svgPalette = []string{"#3467c2", "#e8772e", "#3b9c4a", "#c43b3b", "#7d5bb5", "#8c6b4f"}

// svgGroup is one row of the chart: a workload's variant compared on one
// metric, with one bar per peer.
type svgGroup struct {
	workload, variant, metric string // metric is the ratio line's, slowdown_vs_raw:ref:m
	bars                      []line
}

// svgGroups groups the ratio lines by workload, variant and metric, in
// their order, each group's bars in the order of the lines.
func svgGroups(ratios []line) []svgGroup {
	var gs []svgGroup
	for _, l := range ratios {
		i := slices.IndexFunc(gs, func(g svgGroup) bool {
			return g.workload == l.workload && g.variant == l.variant && g.metric == l.metric
		})
		if i < 0 {
			gs = append(gs, svgGroup{workload: l.workload, variant: l.variant, metric: l.metric})
			i = len(gs) - 1
		}
		gs[i].bars = append(gs[i].bars, l)
	}
	return gs
}

// height returns the height of the group's row.
func (g svgGroup) height() float64 {
	n := float64(len(g.bars))
	return max(svgMinGroupH, 2*svgGroupPad+n*svgBarH+(n-1)*svgBarGap)
}

// sublabel names what the group compares: against which raw variant, on
// which metric.
func (g svgGroup) sublabel() string {
	ref, metric := g.variant, g.metric
	if parts := strings.SplitN(g.metric, ":", 3); len(parts) == 3 {
		ref, metric = parts[1], parts[2]
	}
	return "vs raw " + ref + ", " + metric
}

// logAxis maps ratios to x on a log10 scale between lo and hi, two powers
// of ten.
type logAxis struct{ lo, hi float64 }

// newLogAxis returns the axis that holds 1 and every ratio of ls, min and
// max included, with a margin, widened to whole decades.
func newLogAxis(ls []line) logAxis {
	lo, hi := 1.0, 1.0
	for _, l := range ls {
		for _, v := range []float64{l.sum.min, l.sum.median, l.sum.max} {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return logAxis{
		lo: math.Pow(10, math.Floor(math.Log10(lo/1.15))),
		hi: math.Pow(10, math.Ceil(math.Log10(hi*1.15))),
	}
}

// x returns the position of ratio v, clamped to the axis.
func (a logAxis) x(v float64) float64 {
	if !(v > 0) {
		v = a.lo
	}
	f := (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	return svgPlotX0 + min(max(f, 0), 1)*(svgPlotX1-svgPlotX0)
}

// ticks returns the ratios to label: every power of ten, and 2 and 5
// times it when the axis spans at most two decades.
func (a logAxis) ticks() []float64 {
	e0 := int(math.Round(math.Log10(a.lo)))
	decades := int(math.Round(math.Log10(a.hi))) - e0
	var ts []float64
	for d := range decades + 1 {
		p := math.Pow(10, float64(e0+d))
		ts = append(ts, p)
		if decades <= 2 && d < decades {
			ts = append(ts, 2*p, 5*p)
		}
	}
	return ts
}

// svgWriter writes SVG elements through an xml.Encoder, which escapes
// every text and attribute; the first error sticks.
type svgWriter struct {
	enc *xml.Encoder
	err error
}

// token writes t unless an earlier write failed.
func (s *svgWriter) token(t xml.Token) {
	if s.err == nil {
		s.err = s.enc.EncodeToken(t)
	}
}

// start opens element name with attrs given as name, value pairs.
func (s *svgWriter) start(name string, attrs ...string) {
	el := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		el.Attr = append(el.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	s.token(el)
}

// end closes element name.
func (s *svgWriter) end(name string) { s.token(xml.EndElement{Name: xml.Name{Local: name}}) }

// leaf writes an empty element.
func (s *svgWriter) leaf(name string, attrs ...string) {
	s.start(name, attrs...)
	s.end(name)
}

// text writes element name holding text.
func (s *svgWriter) text(name, text string, attrs ...string) {
	s.start(name, attrs...)
	s.token(xml.CharData(text))
	s.end(name)
}

// num formats an SVG coordinate.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// ratioText formats a ratio for a label.
func ratioText(v float64) string { return formatValue(v) + "x" }

// writeRendered writes what render makes of rep to path.
func writeRendered(path string, rep *report, render func(io.Writer, *report) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := render(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// renderSVG writes the chart of rep's paired ratios as a standalone SVG
// document: per workload and variant one row, in it one bar per peer from
// the left edge of a log axis to the median ratio, a whisker from the
// smallest to the largest per-round ratio, raw Go's 1 as a vertical line,
// and a legend of the peers. It uses no script, style sheet or external
// font, so that it renders the same as an image on a repository page and
// in a browser.
func renderSVG(w io.Writer, rep *report) error {
	groups := svgGroups(rep.ratios)
	axis := newLogAxis(rep.ratios)
	var peers []string
	for _, l := range rep.ratios {
		if !slices.Contains(peers, l.peer) {
			peers = append(peers, l.peer)
		}
	}
	color := func(peer string) string { return svgPalette[slices.Index(peers, peer)%len(svgPalette)] }

	plotH := 0.0
	for _, g := range groups {
		plotH += g.height()
	}
	if len(groups) == 0 {
		plotH = svgMinGroupH
	}
	height := svgTop + plotH + svgBottom
	bottom := svgTop + plotH

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	s := &svgWriter{enc: xml.NewEncoder(w)}
	s.enc.Indent("", " ")
	s.start("svg", "xmlns", "http://www.w3.org/2000/svg", "width", num(svgWidth), "height", num(height),
		"viewBox", "0 0 "+num(svgWidth)+" "+num(height), "font-family", "Helvetica, Arial, sans-serif", "font-size", "12")
	title := "Paired slowdown against raw Go, log scale: below 1 is better than raw Go"
	s.text("title", title)
	s.leaf("rect", "x", "0", "y", "0", "width", num(svgWidth), "height", num(height), "fill", "#ffffff")
	s.text("text", title, "x", num(svgLabelX), "y", "24", "font-size", "16", "font-weight", "bold", "fill", "#222222")
	sub := fmt.Sprintf("%s · %s %s · GOMAXPROCS=%d · bar: median of the per-round ratios, whisker: min–max",
		rep.date.Format(time.DateOnly), rep.goVersion, rep.platform, rep.gomaxprocs)
	s.text("text", sub, "x", num(svgLabelX), "y", "44", "font-size", "11", "fill", "#555555")
	if len(rep.params) > 0 {
		s.text("text", rep.params[0], "x", num(svgLabelX), "y", "60", "font-size", "11", "fill", "#555555")
	}

	// Legend: one swatch per peer, then raw Go's line.
	lx := svgLabelX
	for _, p := range peers {
		s.leaf("rect", "x", num(lx), "y", "72", "width", "14", "height", "12", "fill", color(p))
		s.text("text", p, "x", num(lx+20), "y", "82.5", "fill", "#222222")
		lx += 32 + 7*float64(len(p))
	}
	s.leaf("line", "x1", num(lx), "y1", "78", "x2", num(lx+24), "y2", "78", "stroke", "#222222",
		"stroke-width", "1.5", "stroke-dasharray", "5,3")
	s.text("text", "raw Go = 1", "x", num(lx+30), "y", "82.5", "fill", "#222222")

	// Axis: gridlines and labels at the ticks, above and below the plot.
	s.text("text", "← better than raw Go", "x", num(axis.x(1)-6), "y", num(svgTop-6), "text-anchor", "end",
		"font-size", "11", "fill", "#3b7d3b")
	s.text("text", "worse than raw Go →", "x", num(axis.x(1)+6), "y", num(svgTop-6),
		"font-size", "11", "fill", "#a03030")
	for _, t := range axis.ticks() {
		x := num(axis.x(t))
		s.leaf("line", "x1", x, "y1", num(svgTop), "x2", x, "y2", num(bottom), "stroke", "#e4e4e4")
		s.text("text", strconv.FormatFloat(t, 'f', -1, 64)+"x", "x", x, "y", num(bottom+16), "text-anchor", "middle", "font-size", "11", "fill", "#555555")
	}
	s.text("text", "slowdown against raw Go (log scale)", "x", num((svgPlotX0+svgPlotX1)/2), "y", num(bottom+34),
		"text-anchor", "middle", "font-size", "11", "fill", "#555555")

	y := svgTop
	if len(groups) == 0 {
		s.text("text", "no paired ratios in this run", "x", num(svgPlotX0), "y", num(y+22), "fill", "#555555")
	}
	for i, g := range groups {
		h := g.height()
		if i > 0 && g.workload != groups[i-1].workload {
			s.leaf("line", "x1", num(svgLabelX), "y1", num(y), "x2", num(svgWidth-svgLabelX), "y2", num(y), "stroke", "#bbbbbb")
		}
		s.text("text", g.workload+" "+g.variant, "x", num(svgLabelX), "y", num(y+h/2-2), "font-weight", "bold", "fill", "#222222")
		s.text("text", g.sublabel(), "x", num(svgLabelX), "y", num(y+h/2+12), "font-size", "11", "fill", "#666666")
		by := y + (h-float64(len(g.bars))*(svgBarH+svgBarGap)+svgBarGap)/2
		for _, b := range g.bars {
			writeBar(s, axis, b, by, color(b.peer))
			by += svgBarH + svgBarGap
		}
		y += h
	}
	x1 := num(axis.x(1))
	s.leaf("line", "class", "raw", "x1", x1, "y1", num(svgTop-2), "x2", x1, "y2", num(bottom),
		"stroke", "#222222", "stroke-width", "1.5", "stroke-dasharray", "5,3")
	s.end("svg")
	if s.err == nil {
		s.err = s.enc.Flush()
	}
	if s.err == nil {
		_, s.err = io.WriteString(w, "\n")
	}
	return s.err
}

// writeBar draws the bar of ratio line b at y: from the plot's left edge
// to the median, the whisker from min to max across its middle, and the
// median's value to the right of both.
func writeBar(s *svgWriter, axis logAxis, b line, y float64, fill string) {
	x := axis.x(b.sum.median)
	mid := num(y + svgBarH/2)
	tip := fmt.Sprintf("%s %s %s %s: median %s, min %s, max %s, %d paired runs", b.peer, b.workload, b.variant, b.metric,
		ratioText(b.sum.median), ratioText(b.sum.min), ratioText(b.sum.max), b.sum.n)
	s.start("rect", "class", "bar", "data-peer", b.peer, "data-key", b.workload+" "+b.variant+" "+b.metric,
		"data-ratio", strconv.FormatFloat(b.sum.median, 'g', -1, 64),
		"x", num(svgPlotX0), "y", num(y), "width", num(x-svgPlotX0), "height", num(svgBarH), "fill", fill)
	s.text("title", tip)
	s.end("rect")
	if b.sum.n > 1 {
		lo, hi := num(axis.x(b.sum.min)), num(axis.x(b.sum.max))
		s.leaf("line", "x1", lo, "y1", mid, "x2", hi, "y2", mid, "stroke", "#222222", "stroke-width", "1.2")
		for _, xe := range []string{lo, hi} {
			s.leaf("line", "x1", xe, "y1", num(y+2), "x2", xe, "y2", num(y+svgBarH-2), "stroke", "#222222", "stroke-width", "1.2")
		}
	}
	s.text("text", ratioText(b.sum.median), "x", num(max(x, axis.x(b.sum.max))+5), "y", num(y+svgBarH-2.5),
		"font-size", "11", "fill", "#222222", "stroke", "#ffffff", "stroke-width", "3", "paint-order", "stroke")
}
