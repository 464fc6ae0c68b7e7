package suite

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// smokeConfig runs every workload and peer once, at a tiny scale.
func smokeConfig(t *testing.T) *config {
	return &config{
		workloads:    workloadNames(),
		peers:        allPeers,
		runs:         1,
		scale:        0.01,
		chanBuf:      1,
		spawnChanBuf: 1,
		idleSleep:    20 * time.Millisecond,
		jsonPath:     filepath.Join(t.TempDir(), "bench.json"),
		svgPath:      filepath.Join(t.TempDir(), "bench.svg"),
	}
}

// TestSmoke runs the whole suite at a tiny scale: every case of every peer
// must pass its count checks and report every metric and ratio.
func TestSmoke(t *testing.T) {
	cfg := smokeConfig(t)
	var out, progress bytes.Buffer
	ok, err := runSuite(cfg, &out, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !ok || strings.Contains(out.String(), "ERROR") {
		t.Fatalf("a run failed:\n%s", out.String())
	}
	want := []string{
		"raw W0 idle idle_cpu_pct", "reactors W0 idle goroutines_per_actor",
		"raw W1 pingpong ns_per_msg", "reactors W1 pingpong msgs_per_s",
		"reactors W1 pingpong slowdown_vs_raw:pingpong:ns_per_msg",
		"raw W2 fanin msgs_per_s", "reactors W2 fanin msgs_per_s",
		"reactors W2 fanin slowdown_vs_raw:fanin:msgs_per_s",
		"raw W3 roundrobin msgs_per_s", "reactors W3 drr msgs_per_s",
		"reactors W3 hash slowdown_vs_raw:hash:msgs_per_s",
		"reactors W3 broadcast slowdown_vs_raw:broadcast:msgs_per_s",
		"reactors W3 drr slowdown_vs_raw:roundrobin:msgs_per_s",
		"raw W4 sequential p50_ns", "reactors W4 sequential p99_ns",
		"raw W4 concurrent req_per_s", "reactors W4 concurrent p99_ns",
		"reactors W4 sequential slowdown_vs_raw:sequential:p50_ns",
		"reactors W4 sequential slowdown_vs_raw:sequential:req_per_s",
		"reactors W4 concurrent slowdown_vs_raw:concurrent:req_per_s",
		"reactors W4 concurrent slowdown_vs_raw:concurrent:p50_ns",
		"raw W4 sequential-deadline p50_ns", "reactors W4 sequential-deadline req_per_s",
		"reactors W4 sequential-deadline slowdown_vs_raw:sequential-deadline:p50_ns",
		"reactors W4 sequential-deadline slowdown_vs_raw:sequential-deadline:req_per_s",
		"raw W5 shard-goroutines ops_per_s", "raw W5 rwmutex-map ops_per_s",
		"raw W5 sync-map ops_per_s", "reactors W5 dht ops_per_s",
		"reactors W5 dht slowdown_vs_raw:shard-goroutines:ops_per_s",
		"reactors W5 dht slowdown_vs_raw:rwmutex-map:ops_per_s",
		"reactors W5 server-router ops_per_s",
		"reactors W5 server-router slowdown_vs_raw:shard-goroutines:ops_per_s",
		"raw W5b rwmutex-map ops_per_s", "reactors W5b dht ops_per_s",
		"reactors W5b dht slowdown_vs_raw:rwmutex-map:ops_per_s",
		"raw W6 spawn spawns_per_s", "reactors W6 spawn total_bytes_per_actor",
		"reactors W6 spawn goroutines_per_actor", "reactors W6 spawn stops_per_s",
		"reactors W6 spawn slowdown_vs_raw:spawn:spawns_per_s",
		"raw W7 oneway-inprocess msgs_per_s", "reactors W7 oneway-tcp msgs_per_s",
		"raw W7 reqrep-tcp p50_ns", "reactors W7 reqrep-inprocess p99_ns",
		"reactors W7 oneway-inprocess slowdown_vs_raw:oneway-inprocess:msgs_per_s",
		"reactors W7 oneway-tcp slowdown_vs_raw:oneway-tcp:msgs_per_s",
		"reactors W7 reqrep-inprocess slowdown_vs_raw:reqrep-inprocess:p50_ns",
		"reactors W7 reqrep-tcp slowdown_vs_raw:reqrep-tcp:p50_ns",
		"reactors W7 oneway-inprocess-json slowdown_vs_raw:oneway-inprocess:msgs_per_s",
		"raw W7 durable-inprocess msgs_per_s", "reactors W7 durable-inprocess msgs_per_s",
		"reactors W7 durable-inprocess slowdown_vs_raw:durable-inprocess:msgs_per_s",
		"raw W7 durable-r3 msgs_per_s", "reactors W7 durable-r3 slowdown_vs_raw:durable-r3:msgs_per_s",
		"raw W7 table-put ops_per_s", "reactors W7 table-put slowdown_vs_raw:table-put:ops_per_s",
		"raw W7 table-get p50_ns", "reactors W7 table-get slowdown_vs_raw:table-get:p50_ns",
		"raw W7 table-put-r3 ops_per_s", "reactors W7 table-put-r3 slowdown_vs_raw:table-put-r3:ops_per_s",
		"raw W7 table-get-r3 p50_ns", "reactors W7 table-get-r3 slowdown_vs_raw:table-get-r3:p50_ns",
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) == 7 && !strings.HasPrefix(l, "#") {
			lines[strings.Join(f[:4], " ")] = true
		}
	}
	for _, w := range want {
		if !lines[w] {
			t.Errorf("missing line %q in:\n%s", w, out.String())
		}
	}
	b, err := os.ReadFile(cfg.jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var j jsonReport
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Lines) == 0 || len(j.Ratios) == 0 || len(j.Errors) != 0 {
		t.Errorf("JSON report: %d lines, %d ratios, errors %v", len(j.Lines), len(j.Ratios), j.Errors)
	}
	svg, err := os.ReadFile(cfg.svgPath)
	if err != nil {
		t.Fatal(err)
	}
	bars := 0
	for _, e := range parseSVG(t, svg) {
		if e.name == "rect" && e.attrs["class"] == "bar" {
			bars++
		}
	}
	if bars != len(j.Ratios) {
		t.Errorf("the chart has %d bars for %d ratio lines", bars, len(j.Ratios))
	}
}

// TestCases runs each case directly, with unbuffered raw channels too, and
// checks its metrics.
func TestCases(t *testing.T) {
	cfg := smokeConfig(t)
	for _, buf := range []int{0, 1} {
		cfg.chanBuf, cfg.spawnChanBuf = buf, buf
		for _, w := range workloads() {
			for _, c := range w.cases {
				res, err := c.run(RunParams{cfg: cfg, factor: cfg.scale})
				if err != nil {
					t.Fatalf("%s %s %s buf=%d: %v", w.name, c.peer, c.variant, buf, err)
				}
				if len(res) == 0 {
					t.Fatalf("%s %s %s: no metrics", w.name, c.peer, c.variant)
				}
				if v, ok := res.Get("goroutines_per_actor"); ok && c.peer == peerReactors && v > 0.05 {
					t.Errorf("%s reactors: %v goroutines per actor", w.name, v)
				}
			}
		}
	}
}

// TestParseFlags checks list selection and validation.
func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-workload=w6,W5B,W1", "-peer=Reactors", "-runs=2"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.workloads, ",") != "W1,W5b,W6" || strings.Join(cfg.peers, ",") != "reactors" || cfg.runs != 2 {
		t.Errorf("got workloads %v peers %v runs %d", cfg.workloads, cfg.peers, cfg.runs)
	}
	cfg, err = parseFlags([]string{"-variant=Durable-Inprocess,pingpong"}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.variants, ",") != "pingpong,durable-inprocess" {
		t.Errorf("got variants %v", cfg.variants)
	}
	if cfg, err = parseFlags(nil, io.Discard, nil); err != nil || cfg.variants != nil {
		t.Errorf("default variants %v, %v", cfg.variants, err)
	}
	for _, bad := range [][]string{{"-workload=W9"}, {"-peer=akka"}, {"-variant=nope"}, {"-runs=0"}, {"-scale=0"}} {
		if _, err := parseFlags(bad, io.Discard, nil); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestStats checks the summary and the orientation of ratios.
func TestStats(t *testing.T) {
	s := summarize([]float64{3, 1, 4, 2})
	if s.median != 2.5 || s.min != 1 || s.max != 4 || s.n != 4 {
		t.Errorf("summary %+v", s)
	}
	peer := []Result{{{"ns_per_msg", 50}, {"msgs_per_s", 20}}, nil}
	raw := []Result{{{"ns_per_msg", 100}, {"msgs_per_s", 10}}, {{"ns_per_msg", 1}}}
	if r := pairedRatios("ns_per_msg", peer, raw); len(r) != 1 || r[0] != 0.5 {
		t.Errorf("time ratio %v, want [0.5]", r)
	}
	if r := pairedRatios("msgs_per_s", peer, raw); len(r) != 1 || r[0] != 0.5 {
		t.Errorf("throughput ratio %v, want [0.5]", r)
	}
	if got := rotate([]string{"a", "b", "c"}, 4); strings.Join(got, "") != "bca" {
		t.Errorf("rotate: %v", got)
	}
	sorted := make([]int64, 200)
	for i := range sorted {
		sorted[i] = int64(i + 1)
	}
	// Nearest rank: ranks ceil(0.50*200) = 100 and ceil(0.99*200) = 198;
	// ceil(0.50*3) = 2 and ceil(0.99*3) = 3.
	if p50, p99 := nearestRank(sorted, 50), nearestRank(sorted, 99); p50 != 100 || p99 != 198 {
		t.Errorf("nearest rank of 1..200: p50 %d p99 %d, want 100 198", p50, p99)
	}
	if p50, p99 := nearestRank(sorted[:3], 50), nearestRank(sorted[:3], 99); p50 != 2 || p99 != 3 {
		t.Errorf("nearest rank of 1..3: p50 %d p99 %d, want 2 3", p50, p99)
	}
}

// TestFailedRun checks that a failed run prints an ERROR line, is left out
// of the statistics and of the ratios, and fails the suite.
func TestFailedRun(t *testing.T) {
	cfg := smokeConfig(t)
	cfg.runs = 2
	calls := 0
	w := workload{
		name: "WX",
		cases: []benchCase{
			{peer: peerRaw, variant: "v", run: func(RunParams) (Result, error) {
				return Result{{"msgs_per_s", 10}}, nil
			}},
			{peer: peerReactors, variant: "v", run: func(p RunParams) (Result, error) {
				calls++
				if calls == 2 { // the first measured run
					return nil, errTimeout
				}
				return Result{{"msgs_per_s", 20}}, nil
			}},
		},
		ratios: []ratioDef{{variant: "v", refVariant: "v", metric: "msgs_per_s"}},
	}
	rep := newReport(cfg)
	var out bytes.Buffer
	recs := runWorkload(cfg, w, rep, &out, io.Discard)
	rep.addWorkload(w, recs, cfg.peers)
	if len(rep.failures) != 1 || !strings.HasPrefix(out.String(), "ERROR reactors WX v run 1: timed out") {
		t.Fatalf("failures %v, output %q", rep.failures, out.String())
	}
	for _, l := range append(rep.lines, rep.ratios...) {
		if l.peer == peerReactors && l.sum.n != 1 {
			t.Errorf("%s %s: %d samples, want 1", l.peer, l.metric, l.sum.n)
		}
	}
	if len(rep.ratios) != 1 || rep.ratios[0].sum.median != 0.5 {
		t.Errorf("ratios %+v", rep.ratios)
	}
}

// TestW5Streams checks that W5's streams are deterministic with about 90 %
// Gets, and that the check catches a missed Get and a value never written
// to the key.
func TestW5Streams(t *testing.T) {
	const per = 1000
	streams := W5Generate(per)
	w5Streams.Lock()
	w5Streams.per = 0 // force a regeneration
	w5Streams.Unlock()
	again := W5Generate(per)
	puts := 0
	for c := range streams {
		if !slices.Equal(streams[c], again[c]) {
			t.Fatalf("client %d: streams differ between generations", c)
		}
		for _, op := range streams[c] {
			if op.Put {
				puts++
			}
		}
	}
	if n := w5Clients * per; puts < n/20 || puts > n/5 {
		t.Errorf("%d Puts in %d ops, want about 10 %%", puts, n)
	}
	answers := func() [][]int64 {
		got := make([][]int64, len(streams))
		for c, ops := range streams {
			got[c] = make([]int64, len(ops))
			for i, op := range ops {
				got[c][i] = W5Answer(op, op.Key, true)
			}
		}
		return got
	}
	if err := w5Check(streams, answers()); err != nil {
		t.Fatalf("preloaded values: %v", err)
	}
	gi := slices.IndexFunc(streams[0], func(op W5Op) bool { return !op.Put })
	for _, bad := range []int64{w5Missing, w5Unanswered, streams[0][gi].Key + 1, 1 << 40} {
		got := answers()
		got[0][gi] = bad
		if err := w5Check(streams, got); err == nil {
			t.Errorf("answer %d to a Get of key %d: no error", bad, streams[0][gi].Key)
		}
	}
}

// TestW5bBatches checks that W5b's batches cover every op of the streams
// once, in stream order, with at most w5bSize consecutive ops each.
func TestW5bBatches(t *testing.T) {
	const per = 1050 // a last batch of 50
	streams, batches := w5bCut(per)
	for c, ops := range streams {
		if want := (per + w5bSize - 1) / w5bSize; len(batches[c]) != want {
			t.Fatalf("client %d: %d batches, want %d", c, len(batches[c]), want)
		}
		seen := make([]bool, len(ops))
		for n, b := range batches[c] {
			lo, hi := n*w5bSize, min((n+1)*w5bSize, len(ops))
			if len(b.gets) != len(b.getIdx) || len(b.puts) != len(b.putIdx) || len(b.gets)+len(b.puts) != hi-lo {
				t.Fatalf("client %d batch %d: %d Gets and %d Puts for %d ops", c, n, len(b.gets), len(b.puts), hi-lo)
			}
			for _, idx := range [][]int{b.getIdx, b.putIdx} {
				if !slices.IsSorted(idx) {
					t.Errorf("client %d batch %d: items out of stream order", c, n)
				}
			}
			for j, i := range b.getIdx {
				if i < lo || i >= hi || seen[i] || ops[i].Put || ops[i].Key != b.gets[j] {
					t.Fatalf("client %d batch %d: Get %d is not op %d", c, n, j, i)
				}
				seen[i] = true
			}
			for j, i := range b.putIdx {
				if i < lo || i >= hi || seen[i] || !ops[i].Put || ops[i].Key != b.puts[j].Key || ops[i].Val != b.puts[j].Value {
					t.Fatalf("client %d batch %d: Put %d is not op %d", c, n, j, i)
				}
				seen[i] = true
			}
		}
	}
}

// TestExtraPeer checks that a Peer given to Main runs in the rounds of the
// workloads it has cases in, that the built-in ratios of its variants and
// its own ratios are paired with raw Go's runs, that its note joins the
// workload's header line, and that -peer selects it.
func TestExtraPeer(t *testing.T) {
	runs := 0
	fake := Peer{
		Name: "fake",
		Cases: []Case{
			{Workload: "W2", Variant: "fanin", Run: func(RunParams) (Result, error) {
				runs++
				return Result{{"msgs_per_s", 1000}}, nil
			}},
			{Workload: "W2", Variant: "fanin-slow", Run: func(RunParams) (Result, error) {
				return Result{{"msgs_per_s", 1}}, nil
			}},
		},
		Ratios: []Ratio{
			{Workload: "W2", Variant: "fanin-slow", RefVariant: "fanin", Metric: "msgs_per_s"},
			{Workload: "W2", Variant: "fanin", RefVariant: "fanin", Metric: "msgs_per_s"}, // built in already
		},
		About: "a stand-in",
		Notes: map[string]string{"W2": "a fixed figure"},
	}
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	var out bytes.Buffer
	args := []string{"-workload=W2", "-runs=2", "-scale=0.001", "-json=" + jsonPath}
	if code := Main(args, &out, io.Discard, fake); code != 0 {
		t.Fatalf("exit status %d:\n%s", code, out.String())
	}
	if runs != 3 { // the warm-up and two rounds
		t.Errorf("the fake case ran %d times, want 3", runs)
	}
	got := map[string]int{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) == 7 && !strings.HasPrefix(l, "#") {
			got[strings.Join(f[:4], " ")]++
		}
	}
	for _, want := range []string{
		"fake W2 fanin msgs_per_s", "fake W2 fanin-slow msgs_per_s",
		"fake W2 fanin slowdown_vs_raw:fanin:msgs_per_s", "fake W2 fanin-slow slowdown_vs_raw:fanin:msgs_per_s",
		"reactors W2 fanin slowdown_vs_raw:fanin:msgs_per_s", "raw W2 fanin msgs_per_s",
	} {
		if got[want] != 1 {
			t.Errorf("line %q printed %d times, want once:\n%s", want, got[want], out.String())
		}
	}
	if !strings.Contains(out.String(), "\n# fake: a stand-in\n") || !strings.Contains(out.String(), "; fake: a fixed figure\n") {
		t.Errorf("no note in the header:\n%s", out.String())
	}

	out.Reset()
	args = []string{"-workload=W2", "-runs=1", "-scale=0.001", "-peer=raw,reactors"}
	if code := Main(args, &out, io.Discard, fake); code != 0 || strings.Contains(out.String(), "fake") {
		t.Errorf("-peer=raw,reactors: exit status %d, output:\n%s", code, out.String())
	}
}

// TestCheckPeers checks that an invalid Peer is refused.
func TestCheckPeers(t *testing.T) {
	run := func(RunParams) (Result, error) { return nil, nil }
	for _, bad := range [][]Peer{
		{{Name: "reactors"}},
		{{Name: "all"}},
		{{Name: "x"}, {Name: "X"}},
		{{Name: "x", Cases: []Case{{Workload: "W9", Variant: "v", Run: run}}}},
		{{Name: "x", Cases: []Case{{Workload: "W1", Run: run}}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: no panic", bad)
				}
			}()
			checkPeers(bad)
		}()
	}
}
