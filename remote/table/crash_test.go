package table_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/internal/kvcheck"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/proctest"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/remote/table"
)

// members is the program of the crash tests: a durable table's member
// running random operations in a process of its own.
var members = proctest.NewProgram("github.com/reactors-go/reactors/remote/table/internal/tableproc")

// crashTTL is the members' lease time in the crash tests.
const crashTTL = time.Second

// crashRuns is how many seeded runs each crash test makes: 1, or
// REACTORS_CRASH_RUNS (the long run).
func crashRuns(t *testing.T) int {
	n, err := strconv.Atoi(os.Getenv("REACTORS_CRASH_RUNS"))
	if err != nil || n < 1 {
		return 1
	}
	t.Logf("%d runs", n)
	return n
}

// recorder turns the lines of the member processes into a history.
type recorder struct {
	mu       sync.Mutex
	calls    map[string]porcupine.Operation // called, not returned yet
	ops      []porcupine.Operation
	returned int
	acked    int // writes that returned
	unknown  int // operations whose result never came
	ready    chan string
	progress chan struct{} // a token per returned operation, dropped when full
}

func newRecorder() *recorder {
	return &recorder{calls: map[string]porcupine.Operation{}, ready: make(chan string, 16), progress: make(chan struct{}, 1<<16)}
}

// line returns the line handler of the process named name.
func (r *recorder) line(t *testing.T, name string) func(string) {
	return func(s string) {
		f := strings.Fields(s)
		r.mu.Lock()
		defer r.mu.Unlock()
		switch {
		case len(f) == 1 && f[0] == "ready":
			r.ready <- name
		case len(f) == 7 && f[0] == "call":
			kind, _ := strconv.Atoi(f[2])
			val, _ := strconv.Atoi(f[4])
			old, _ := strconv.Atoi(f[5])
			at, _ := strconv.ParseInt(f[6], 10, 64)
			client, _ := strconv.Atoi(strings.Split(f[1], ".")[0])
			r.calls[f[1]] = porcupine.Operation{ClientId: client, Call: at,
				Input: kvcheck.Input{Kind: kvcheck.Kind(kind), Key: f[3], Val: val, Old: old}}
		case len(f) == 5 && f[0] == "ret":
			op, ok := r.calls[f[1]]
			if !ok {
				t.Errorf("%s: a return without its call: %q", name, s)
				return
			}
			delete(r.calls, f[1])
			val, _ := strconv.Atoi(f[2])
			op.Output = kvcheck.Output{Val: val, OK: f[3] == "true"}
			op.Return, _ = strconv.ParseInt(f[4], 10, 64)
			r.ops = append(r.ops, op)
			r.returned++
			if in := op.Input.(kvcheck.Input); in.Kind != kvcheck.Get {
				r.acked++
			}
			select {
			case r.progress <- struct{}{}:
			default:
			}
		case len(f) >= 2 && f[0] == "err":
			// The operation may or may not have happened: it stays in
			// calls, and ends with an unknown result.
		default:
			t.Errorf("%s: unexpected line %q", name, s)
		}
	}
}

// await waits until n more operations returned.
func (r *recorder) await(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(time.Minute)
	for range n {
		select {
		case <-r.progress:
		case <-deadline:
			t.Fatalf("fewer than %d operations returned within a minute", n)
		}
	}
}

// history returns the operations recorded, those of unknown result
// returning at the end of time.
func (r *recorder) history() []porcupine.Operation {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := append([]porcupine.Operation(nil), r.ops...)
	for _, op := range r.calls {
		op.Output, op.Return = kvcheck.Output{Unknown: true}, math.MaxInt64/2
		ops = append(ops, op)
		r.unknown++
	}
	clear(r.calls)
	return ops
}

// startMember starts member process id, writing as client, and waits
// until it serves.
func startMember(t *testing.T, r *recorder, url, id string, client int) *proctest.Proc {
	t.Helper()
	p := members.Start(t, id, r.line(t, id), "-url", url, "-id", id, "-ttl", crashTTL.String(),
		"-client", strconv.Itoa(client), "-keys", "12", "-workers", "3")
	select {
	case <-r.ready:
	case <-p.Done():
		t.Fatalf("%s ended before it served: %v\n%s", id, p.Err(), p.Stderr())
	case <-time.After(time.Minute):
		t.Fatalf("%s did not serve within a minute", id)
	}
	return p
}

// finalReads reads every key of the table on a new node once all members
// have stopped, adding the reads to ops: a write that was acknowledged
// and then lost shows there.
func finalReads(t *testing.T, url string, ops []porcupine.Operation) []porcupine.Operation {
	t.Helper()
	n := remotetest.Member(t, url, "reader", remote.WithLeaseTTL(crashTTL))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tb, err := table.Open[string, int](ctx, n, "kv", dht.StringKey, table.Config[int]{})
	require.NoError(t, err)
	defer tb.Close(ctx)
	for k := range 12 {
		key := fmt.Sprintf("lin-%d", k)
		call := time.Now().UnixNano()
		v, ok, err := tb.Get(ctx, key)
		require.NoError(t, err)
		ops = append(ops, porcupine.Operation{ClientId: -1, Call: call, Return: time.Now().UnixNano(),
			Input: kvcheck.Input{Kind: kvcheck.Get, Key: key}, Output: kvcheck.Output{Val: v, OK: ok}})
	}
	return ops
}

// checkHistory fails t unless the history is linearizable.
func checkHistory(t *testing.T, r *recorder, ops []porcupine.Operation) {
	t.Helper()
	res, info := porcupine.CheckOperationsVerbose(kvcheck.Model, ops, time.Minute)
	t.Logf("%d operations (%d returned, %d writes acknowledged, %d of unknown result): %v",
		len(ops), r.returned, r.acked, r.unknown, res)
	if res != porcupine.Ok {
		// Kept for whoever looks into it: a page that shows the history
		// and how far each key's linearization got.
		if f, err := os.CreateTemp("", "table-history-*.html"); err == nil {
			if porcupine.Visualize(kvcheck.Model, info, f) == nil {
				t.Logf("history drawn in %s", f.Name())
			}
			f.Close()
		}
	}
	require.Equal(t, porcupine.Ok, res, "the history is not linearizable")
}

// crash makes crashRuns(t) runs of a crash scenario: three member
// processes on the NATS servers whose URLs start returns run random
// operations; after 200 of them disturb does its harm; then every member
// stops, a fresh node reads every key, and the whole history is checked:
// no acknowledged write is lost, no read is stale.
func crash(t *testing.T, start func(t *testing.T) string, disturb func(t *testing.T, r *recorder, url string, procs []*proctest.Proc)) {
	if testing.Short() {
		t.Skip("runs processes")
	}
	for run := range crashRuns(t) {
		t.Run(fmt.Sprint(run), func(t *testing.T) {
			url := start(t)
			r := newRecorder()
			procs := []*proctest.Proc{
				startMember(t, r, url, "m1", 1), startMember(t, r, url, "m2", 2), startMember(t, r, url, "m3", 3),
			}
			r.await(t, 200)
			disturb(t, r, url, procs)
			for _, p := range procs {
				p.Stop(t, time.Minute)
			}
			ops := r.history()
			checkHistory(t, r, finalReads(t, url, ops))
		})
	}
}

// oneServer starts one JetStream server and returns its URL.
func oneServer(t *testing.T) string { return remotetest.JetStreamServer(t, nil) }

// TestDurableTableSurvivesKilledMember kills a member (SIGKILL) in the
// middle of the work and starts it again under its id.
func TestDurableTableSurvivesKilledMember(t *testing.T) {
	crash(t, oneServer, killMember)
}

// TestDurableTableFencesPausedMember pauses a member (SIGSTOP) for three
// lease times while the others go on: its keys move to them once its
// lease ended, and when it runs again (SIGCONT) none of its late writes
// is acknowledged and then lost, and none of its late reads is stale.
func TestDurableTableFencesPausedMember(t *testing.T) {
	crash(t, oneServer, pauseMember)
}

// TestDurableTableOnAClusterSurvivesKilledMember and
// TestDurableTableOnAClusterFencesPausedMember are the two tests above
// on a cluster of three JetStream servers, where the stream's moves (a
// stream update through the cluster's meta group, graves made, a write
// ordered after the late ones) and the writes go through Raft.
func TestDurableTableOnAClusterSurvivesKilledMember(t *testing.T) {
	crash(t, threeServers, killMember)
}

func TestDurableTableOnAClusterFencesPausedMember(t *testing.T) {
	crash(t, threeServers, pauseMember)
}

// killMember kills m2 and starts it again.
func killMember(t *testing.T, r *recorder, url string, procs []*proctest.Proc) {
	procs[1].Kill()
	r.await(t, 200) // the others go on, m2's keys back once its lease ended
	procs[1] = startMember(t, r, url, "m2", 4)
	r.await(t, 200)
}

// pauseMember pauses m2 past its lease and lets it run again.
func pauseMember(t *testing.T, r *recorder, url string, procs []*proctest.Proc) {
	procs[1].Pause(t)
	time.Sleep(3 * crashTTL) // the pause itself: longer than the lease
	r.await(t, 100)          // the others serve m2's keys meanwhile
	procs[1].Resume(t)
	r.await(t, 300)
}

// threeServers starts a cluster of three JetStream servers and returns
// their URLs.
func threeServers(t *testing.T) string { return startCluster(t, 3).urls() }

// TestDurableTableSurvivesAServerRestart runs the members against a
// cluster of three JetStream servers and stops one server and starts it
// again while they work: the table's bucket (3 replicas) goes on on the
// other two.
func TestDurableTableSurvivesAServerRestart(t *testing.T) {
	var c *natsCluster
	crash(t, func(t *testing.T) string {
		c = startCluster(t, 3)
		return c.urls()
	}, func(t *testing.T, r *recorder, url string, procs []*proctest.Proc) {
		c.stop(t, 1)
		r.await(t, 200)
		c.start(t, 1)
		r.await(t, 200)
		logReplicas(t, url)
	})
}

// logReplicas logs the replica count of every stream of the servers at
// url.
func logReplicas(t *testing.T, url string) {
	t.Helper()
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	l := js.ListStreams(context.Background())
	for si := range l.Info() {
		t.Logf("stream %s: R%d", si.Config.Name, si.Config.Replicas)
	}
}
