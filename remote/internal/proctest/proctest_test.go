package proctest_test

import (
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote/internal/proctest"
)

var lines = proctest.NewProgram("github.com/reactors-go/reactors/remote/internal/proctest/testdata/lines")

func TestMain(m *testing.M) { proctest.Main(m, lines) }

// collector keeps the lines of a process and signals each one.
type collector struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
}

func newCollector() *collector { return &collector{more: make(chan struct{}, 1<<16)} }

func (c *collector) add(s string) {
	c.mu.Lock()
	c.lines = append(c.lines, s)
	c.mu.Unlock()
	c.more <- struct{}{}
}

func (c *collector) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

func TestStartStopKill(t *testing.T) {
	c := newCollector()
	p := lines.Start(t, "stopped", c.add, "1000")
	for range 1001 {
		<-c.more
	}
	var want []string
	for i := 1; i <= 1000; i++ {
		want = append(want, strconv.Itoa(i))
	}
	require.Equal(t, append(want, "waiting"), c.get(), "every line, in order")
	p.Stop(t, 10*time.Second)
	require.Equal(t, "stopped", c.get()[1001])
	require.False(t, p.Killed())

	k := lines.Start(t, "killed", func(string) {}, "0")
	require.NotZero(t, k.Pid())
	k.Kill()
	k.Kill() // idempotent
	require.True(t, k.Killed())
	require.Error(t, k.Err())

	e := lines.Start(t, "exits", func(string) {}, "3", "exit")
	<-e.Done()
	require.ErrorContains(t, e.Err(), "exit status 4")
	require.Equal(t, "exiting with 4\n", e.Stderr())
	require.False(t, e.Killed())
}

// TestPauseResume pauses a process, which then does not act on SIGTERM
// until it is resumed.
func TestPauseResume(t *testing.T) {
	c := newCollector()
	p := lines.Start(t, "paused", c.add, "0")
	<-c.more // waiting
	p.Pause(t)
	require.NoError(t, syscall.Kill(p.Pid(), syscall.SIGTERM))
	select {
	case <-p.Done():
		t.Fatal("a paused process exited")
	case <-time.After(100 * time.Millisecond):
	}
	p.Resume(t)
	p.Wait(t, 10*time.Second)
	require.Equal(t, []string{"waiting", "stopped"}, c.get())
}
