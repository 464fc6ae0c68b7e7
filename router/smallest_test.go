package router_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

func TestSmallestQueuePicksLeastLoaded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		loads []int
		want  []int // acceptable picks
	}{
		{"single", []int{9}, []int{0}},
		{"one idle", []int{3, 0, 5}, []int{1}},
		{"least busy", []int{7, 2, 5, 4}, []int{1}},
		{"tie", []int{3, 1, 1, 6}, []int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := router.SmallestQueue[int]()
			m := router.NewLoadMembers(func(i int) int { return tc.loads[i] }, polKeys(0, len(tc.loads))...)
			for v := range 20 {
				require.Contains(t, tc.want, p.Pick(v, m))
			}
		})
	}
}

// TestSmallestQueueSpreadsTies: equally loaded members share the picks
// exactly round-robin.
func TestSmallestQueueSpreadsTies(t *testing.T) {
	p := router.SmallestQueue[int]()
	for _, loads := range [][]int{{0, 0, 0, 0}, {2, 2, 2, 2}} {
		m := router.NewLoadMembers(func(i int) int { return loads[i] }, polKeys(0, 4)...)
		counts := make([]int, 4)
		for v := range 400 {
			counts[p.Pick(v, m)]++
		}
		require.Equal(t, []int{100, 100, 100, 100}, counts, "loads %v", loads)
	}
}

// TestSmallestQueueAvoidsStalledTarget: a target with a backlog gets none
// of the routed events while another has less queued.
func TestSmallestQueueAvoidsStalledTarget(t *testing.T) {
	sys := newSys(t)
	const stall = 0 // the event whose handler stalls the target
	entered := make(chan struct{})
	gate := make(chan struct{})
	stalledGot := make(chan int, 100)
	// The stalled target runs on a goroutine of its own (Dedicated, whose
	// handlers may block), so its stall holds no pool worker: the router
	// and free run whatever the pool's size.
	stalled, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) {
			if v == stall {
				close(entered)
				<-gate
				return
			}
			stalledGot <- v
		})
	}, reactor.WithName("stalled"), reactor.WithScheduler(reactor.Dedicated))
	require.NoError(t, err)
	require.NoError(t, stalled.Send(stall))
	<-entered // stalled is inside its stalling handler: its mailbox only grows
	free := newSink(t, sys, "free")
	const backlog = 5
	for i := range backlog {
		require.NoError(t, stalled.Send(-1-i))
	}
	require.GreaterOrEqual(t, stalled.Len(), backlog)
	r := router.New(sys, "sq", router.SmallestQueue[int]())
	require.NoError(t, r.Add(stalled, free.ch))
	// free's queue holds at most the events routed to it so far, fewer
	// than stalled's backlog, so every pick is free.
	for i := 1; i < backlog; i++ {
		require.NoError(t, r.Channel().Send(i))
	}
	require.ElementsMatch(t, []int{1, 2, 3, 4}, recvN(t, free.got, backlog-1))
	close(gate)
	require.Equal(t, []int{-1, -2, -3, -4, -5}, recvN(t, stalledGot, backlog))
}
