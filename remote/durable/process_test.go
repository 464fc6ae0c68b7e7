package durable_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote/internal/proctest"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// eventsEnv sets the number of events of TestProcessesKilledMidStream;
// the default is processEvents. The long run:
//
//	REACTORS_DURABLE_EVENTS=100000 go test -run TestProcessesKilledMidStream -v ./remote/durable
const eventsEnv = "REACTORS_DURABLE_EVENTS"

const processEvents = 2000

// Receivers of the process test: a short AckWait, so that what a killed
// receiver held comes back soon, and a small MaxPending, which bounds how
// many events a killed receiver may have handled without acknowledging.
const (
	procAckWait    = time.Second
	procMaxPending = 64
)

// handling is one "got" line of a receiver process.
type handling struct {
	recv    int // which receiver process (0, 1, ...)
	attempt int
}

// traffic is what the processes of a run have said so far.
type traffic struct {
	mu       sync.Mutex
	changed  chan struct{}      // closed and replaced at every line
	sent     int                // the highest value a sender said it stored, plus one
	senders  map[int]bool       // senders that said "done"
	ready    map[int]bool       // receivers that said "ready"
	handled  map[int][]handling // by value
	distinct int
	bad      []string // lines that are not what the program prints
}

func newTraffic() *traffic {
	return &traffic{changed: make(chan struct{}), senders: map[int]bool{}, ready: map[int]bool{}, handled: map[int][]handling{}}
}

// line records a line of process who (a sender when recv < 0).
func (tr *traffic) line(recv, send int, s string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	defer func() {
		close(tr.changed)
		tr.changed = make(chan struct{})
	}()
	f := strings.Fields(s)
	switch {
	case len(f) == 2 && f[0] == "sent":
		v, err := strconv.Atoi(f[1])
		if err == nil {
			tr.sent = max(tr.sent, v+1)
			return
		}
	case len(f) == 1 && f[0] == "done":
		tr.senders[send] = true
		return
	case len(f) == 1 && f[0] == "ready":
		tr.ready[recv] = true
		return
	case len(f) == 3 && f[0] == "got":
		v, err1 := strconv.Atoi(f[1])
		a, err2 := strconv.Atoi(f[2])
		if err1 == nil && err2 == nil {
			if len(tr.handled[v]) == 0 {
				tr.distinct++
			}
			tr.handled[v] = append(tr.handled[v], handling{recv, a})
			return
		}
	}
	tr.bad = append(tr.bad, s)
}

// await waits until ok holds of the traffic, failing the test when
// nothing changed for stallBound.
func (tr *traffic) await(t *testing.T, what string, ok func(*traffic) bool) {
	t.Helper()
	for {
		tr.mu.Lock()
		done, changed := ok(tr), tr.changed
		tr.mu.Unlock()
		if done {
			return
		}
		select {
		case <-changed:
		case <-time.After(stallBound):
			t.Fatalf("%s: no output for %v", what, stallBound)
		}
	}
}

// stallBound is how long the process test lets its processes say nothing
// before it calls it a hang: longer than a receiver's AckWait and a
// process's start.
const stallBound = 3 * wait

// TestProcessesKilledMidStream runs a sender and a receiver as processes
// against a JetStream server of the test, kills (SIGKILL) and restarts
// each twice while the stream flows, and checks the documented
// guarantees: every event whose Send returned is handled; an event is
// handled twice only if the first receiver to handle it was killed
// before its acknowledgement counted, and then the later handling says
// it is a repeat (Attempt > 1); a sender that restarts from its last
// stored event stores nothing twice (ids); a receiver never handles an
// event twice itself.
func TestProcessesKilledMidStream(t *testing.T) {
	total := processEvents
	if s := os.Getenv(eventsEnv); s != "" {
		var err error
		total, err = strconv.Atoi(s)
		require.NoError(t, err, eventsEnv)
	}
	url := remotetest.JetStreamServer(t, nil)
	tr := newTraffic()
	var recvs, sends []*proctest.Proc
	startRecv := func() {
		i := len(recvs)
		p := nodeProgram.Start(t, fmt.Sprintf("receiver %d", i), func(s string) { tr.line(i, -1, s) },
			"recv", "-url", url, "-name", "kills", "-ackwait", procAckWait.String(),
			"-maxpending", strconv.Itoa(procMaxPending))
		recvs = append(recvs, p)
		tr.await(t, "receiver start", func(tr *traffic) bool { return tr.ready[i] })
	}
	startSend := func() {
		i := len(sends)
		tr.mu.Lock()
		from := tr.sent
		tr.mu.Unlock()
		p := nodeProgram.Start(t, fmt.Sprintf("sender %d", i), func(s string) { tr.line(-1, i, s) },
			"send", "-url", url, "-name", "kills", "-from", strconv.Itoa(from), "-to", strconv.Itoa(total))
		sends = append(sends, p)
	}
	handledAtLeast := func(n int) func(*traffic) bool {
		return func(tr *traffic) bool { return tr.distinct >= n }
	}
	sentAtLeast := func(n int) func(*traffic) bool {
		return func(tr *traffic) bool { return tr.sent >= n || tr.senders[len(sends)-1] }
	}

	startRecv()
	startSend()
	tr.await(t, "a fifth handled", handledAtLeast(total/5))
	recvs[len(recvs)-1].Kill()
	startRecv()
	tr.await(t, "two fifths sent", sentAtLeast(2*total/5))
	senderKills := 0
	if !tr.done(len(sends) - 1) {
		sends[len(sends)-1].Kill()
		senderKills++
		startSend()
	}
	tr.await(t, "three fifths handled", handledAtLeast(3*total/5))
	recvs[len(recvs)-1].Kill()
	startRecv()
	tr.await(t, "four fifths sent", sentAtLeast(4*total/5))
	if !tr.done(len(sends) - 1) {
		sends[len(sends)-1].Kill()
		senderKills++
		startSend()
	}
	sends[len(sends)-1].Wait(t, stallBound)
	tr.await(t, "all handled", handledAtLeast(total))
	recvs[len(recvs)-1].Stop(t, wait)

	tr.mu.Lock()
	defer tr.mu.Unlock()
	require.Empty(t, tr.bad, "unexpected output")
	require.Equal(t, total, tr.sent)
	require.Equal(t, total, tr.distinct)
	require.Len(t, tr.handled, total)
	for i, p := range recvs[:len(recvs)-1] {
		require.True(t, p.Killed(), "receiver %d was killed", i)
	}
	duplicates := 0
	for v, hs := range tr.handled {
		seen := map[int]bool{}
		for k, h := range hs {
			require.False(t, seen[h.recv], "event %d handled twice by receiver %d: %v", v, h.recv, hs)
			seen[h.recv] = true
			if k == 0 {
				continue
			}
			duplicates++
			prev := hs[k-1]
			require.Less(t, prev.recv, len(recvs)-1, "event %d handled again after receiver %d, which was not killed: %v", v, prev.recv, hs)
			require.Greater(t, h.attempt, prev.attempt, "event %d: a repeat says so: %v", v, hs)
		}
	}
	kills := len(recvs) - 1
	require.LessOrEqual(t, duplicates, kills*procMaxPending, "at most MaxPending events per killed receiver come twice")
	t.Logf("%d events, %d senders (%d killed), %d receivers (%d killed): every event handled, %d handled twice (by a receiver killed before acknowledging)",
		total, len(sends), senderKills, len(recvs), kills, duplicates)
}

// done reports whether sender i said it sent everything.
func (tr *traffic) done(i int) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.senders[i]
}
