package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// jsonLine and jsonReport are the parts of the bench command's JSON
// report that the tests read.
type (
	jsonLine struct {
		Peer, Workload, Variant, Metric string
		Samples                         []float64
	}
	jsonReport struct {
		Lines, Ratios []jsonLine
		Errors        []string
	}
)

// runBench runs the command with args at a tiny scale, one round, and
// returns its JSON report; it fails the test unless the command exits 0.
func runBench(t *testing.T, args ...string) jsonReport {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bench.json")
	args = append([]string{"-runs=1", "-scale=0.01", "-idle-sleep=20ms", "-json=" + path}, args...)
	var out bytes.Buffer
	if code := suite.Main(args, &out, io.Discard, protoactorPeer()); code != 0 {
		t.Fatalf("%v: exit status %d:\n%s", args, code, out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep jsonReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	return rep
}

// TestSmoke runs every workload at a tiny scale with all three peers:
// raw Go and reactors must report every workload, protoactor W1-W6 (and
// no other), each with one sample per metric, and every protoactor ratio
// of BENCHMARKS.md must be paired with raw Go.
func TestSmoke(t *testing.T) {
	rep := runBench(t, "-workload=all")
	workloads := map[string][]string{}
	for _, l := range rep.Lines {
		if len(l.Samples) != 1 {
			t.Errorf("%s %s %s %s: %d samples, want 1", l.Peer, l.Workload, l.Variant, l.Metric, len(l.Samples))
		}
		if !slices.Contains(workloads[l.Peer], l.Workload) {
			workloads[l.Peer] = append(workloads[l.Peer], l.Workload)
		}
	}
	all := []string{"W0", "W1", "W2", "W3", "W4", "W5", "W5b", "W6", "W7"}
	for peer, want := range map[string][]string{
		"raw": all, "reactors": all, "protoactor": {"W1", "W2", "W3", "W4", "W5", "W6"},
	} {
		if !slices.Equal(workloads[peer], want) {
			t.Errorf("%s reported workloads %v, want %v", peer, workloads[peer], want)
		}
	}
	ratios := map[string]bool{}
	for _, l := range rep.Ratios {
		if l.Peer == peerProtoactor {
			ratios[strings.Join([]string{l.Workload, l.Variant, l.Metric}, " ")] = true
		}
	}
	for _, want := range []string{
		"W1 pingpong slowdown_vs_raw:pingpong:ns_per_msg",
		"W2 fanin slowdown_vs_raw:fanin:msgs_per_s",
		"W3 roundrobin slowdown_vs_raw:roundrobin:msgs_per_s",
		"W3 roundrobin-group slowdown_vs_raw:roundrobin:msgs_per_s",
		"W3 hash slowdown_vs_raw:hash:msgs_per_s",
		"W3 random slowdown_vs_raw:random:msgs_per_s",
		"W3 broadcast slowdown_vs_raw:broadcast:msgs_per_s",
		"W4 sequential slowdown_vs_raw:sequential:p50_ns",
		"W4 sequential slowdown_vs_raw:sequential:req_per_s",
		"W4 concurrent slowdown_vs_raw:concurrent:req_per_s",
		"W4 concurrent slowdown_vs_raw:concurrent:p50_ns",
		"W5 hash-router slowdown_vs_raw:shard-goroutines:ops_per_s",
		"W5 hash-router slowdown_vs_raw:rwmutex-map:ops_per_s",
		"W5 hash-router slowdown_vs_raw:sync-map:ops_per_s",
		"W6 spawn slowdown_vs_raw:spawn:spawns_per_s",
	} {
		if !ratios[want] {
			t.Errorf("no protoactor ratio %q", want)
		}
	}
	if len(ratios) != 15 {
		t.Errorf("%d protoactor ratios, want 15: %v", len(ratios), ratios)
	}
}

// TestProtoactorLeavesNothing runs protoactor alone on each of its
// workloads and checks that no goroutine of its runs is left afterwards.
func TestProtoactorLeavesNothing(t *testing.T) {
	for _, w := range []string{"W1", "W2", "W3", "W4", "W5", "W6"} {
		rep := runBench(t, "-peer=protoactor", "-workload="+w)
		if len(rep.Lines) == 0 {
			t.Errorf("%s: no lines", w)
		}
		goleak.VerifyNone(t)
	}
}

// TestDeadLetterFailsTheRun checks that a message to an actor that does
// not exist fails the run, and that the run's logger writes nothing.
func TestDeadLetterFailsTheRun(t *testing.T) {
	r, finish := paStart()
	if r.sys.Logger().Enabled(context.Background(), slog.LevelError) {
		t.Error("the actor system's logger is enabled")
	}
	r.root.Send(actor.NewPID(r.sys.Address(), "nobody"), &paMsg{1})
	res, err := suite.Result{{Name: "msgs_per_s", Value: 1}}, error(nil)
	finish(&res, &err)
	if err == nil || !strings.Contains(err.Error(), "dead letters during the run: 1") || res != nil {
		t.Errorf("finish: result %v, error %v; want the run failed by 1 dead letter", res, err)
	}
}
