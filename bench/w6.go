package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// w6Actors is N of W6.
const w6Actors = 100_000

// w6 is W6, spawn: N actors spawned and sent one message each, their
// memory and goroutines while they idle, then how fast they stop. The slice
// of handles counts in the live figures; it is dropped before the
// after-stop snapshot, so that heap_after_stop_bytes_per_actor shows only
// what the runtime or the system keeps.
func w6() workload {
	return workload{
		name: "W6",
		describe: func(cfg *config) string {
			return fmt.Sprintf("spawn N=%d raw spawn-chan-buf=%d; reactors stop by sealing the main connector",
				runParams{factor: cfg.scale}.count(w6Actors), cfg.spawnChanBuf)
		},
		cases: []benchCase{
			{peer: peerRaw, variant: "spawn", run: w6Raw},
			{peer: peerReactors, variant: "spawn", run: withOptions(w6Reactors)},
			{peer: peerReactors, variant: "spawn-observed", run: withOptions(w6Reactors, reactor.WithIntrospection())},
		},
		ratios: []ratioDef{
			{variant: "spawn", refVariant: "spawn", metric: "spawns_per_s"},
			{variant: "spawn-observed", refVariant: "spawn", metric: "spawns_per_s"},
		},
	}
}

// w6Times are the measured phases of a W6 run.
type w6Times struct {
	spawn, stop           time.Duration
	before, live, stopped memSnap
}

// result turns the phases of a run of n actors into W6's metrics.
func (w w6Times) result(n int) result {
	heap := perActor(w.live.heapInuse, w.before.heapInuse, n)
	stack := perActor(w.live.stackInuse, w.before.stackInuse, n)
	return result{
		{"spawns_per_s", float64(n) / w.spawn.Seconds()},
		{"total_bytes_per_actor", heap + stack},
		{"heap_bytes_per_actor", heap},
		{"stack_bytes_per_actor", stack},
		{"goroutines_per_actor", float64(w.live.goroutines-w.before.goroutines) / float64(n)},
		{"stops_per_s", float64(n) / w.stop.Seconds()},
		{"heap_after_stop_bytes_per_actor", perActor(w.stopped.heapInuse, w.before.heapInuse, n)},
	}
}

// w6Raw runs one goroutine per actor, blocked on its own chan int64.
func w6Raw(p runParams) (result, error) {
	n := p.count(w6Actors)
	deadline := newDeadline()
	defer deadline.Stop()
	var w w6Times
	w.before = snapshot(2)
	chans := make([]chan int64, 0, n)
	handled, stopped := newLatch(n), newLatch(n)
	closed := false
	defer func() {
		if !closed { // a failed run: let the goroutines go
			for _, ch := range chans {
				close(ch)
			}
		}
	}()

	t0 := time.Now()
	for i := range n {
		ch := make(chan int64, p.cfg.spawnChanBuf)
		go func() {
			for range ch {
				handled.Done()
			}
			stopped.Done()
		}()
		ch <- int64(i)
		chans = append(chans, ch)
	}
	if err := handled.wait(deadline.C, "messages handled"); err != nil {
		return nil, err
	}
	w.spawn = time.Since(t0)

	w.live = snapshot(2)
	runtime.KeepAlive(chans)

	t1 := time.Now()
	for _, ch := range chans {
		close(ch)
	}
	closed = true
	if err := stopped.wait(deadline.C, "goroutines stopped"); err != nil {
		return nil, err
	}
	w.stop = time.Since(t1)

	chans = nil // what is left is what the runtime keeps
	w.stopped = snapshot(1)
	return w.result(n), nil
}

// w6Reactors spawns one reactor per actor. An actor stops when it gets
// stopMsg: its handler seals the main connector, so the reactor
// terminates, and its Terminated lifecycle event counts the stop.
func w6Reactors(p runParams, opts ...reactor.Option) (res result, err error) {
	n := p.count(w6Actors)
	sys, deadline, finish := startReactors(opts...)
	defer finish(&res, &err)
	var w w6Times
	w.before = snapshot(2)
	chans := make([]reactor.Channel[int64], 0, n)
	l := &w6Latches{handled: newLatch(n), stopped: newLatch(n)}
	body := func(r *reactor.Reactor[int64]) {
		r.Main().Events().OnEvent(func(v int64) {
			if v != stopMsg {
				l.handled.Done()
				return
			}
			r.Lifecycle().OnEvent(func(e reactor.Lifecycle) {
				if e.Phase == reactor.Terminated {
					l.stopped.Done()
				}
			})
			r.Main().Seal()
		})
	}

	t0 := time.Now()
	for i := range n {
		ch, err := reactor.Spawn(sys, body)
		if err != nil {
			return nil, err
		}
		if err := ch.Send(int64(i)); err != nil {
			return nil, err
		}
		chans = append(chans, ch)
	}
	if err := l.handled.wait(deadline.C, "messages handled"); err != nil {
		return nil, err
	}
	w.spawn = time.Since(t0)

	w.live = snapshot(2)
	runtime.KeepAlive(chans)

	t1 := time.Now()
	for _, ch := range chans {
		if err := ch.Send(stopMsg); err != nil {
			return nil, err
		}
	}
	if err := l.stopped.wait(deadline.C, "reactors terminated"); err != nil {
		return nil, err
	}
	w.stop = time.Since(t1)

	// Terminated is emitted just before a reactor leaves the system's
	// registry: give the last ones a moment (untimed).
	for sys.Stats().Reactors != 0 {
		select {
		case <-deadline.C:
			return nil, fmt.Errorf("%d reactors alive after the stop", sys.Stats().Reactors)
		case <-time.After(time.Millisecond):
		}
	}
	chans = nil // what is left is what the system keeps
	w.stopped = snapshot(1)
	return w.result(n), nil
}

// w6Latches are the two countdowns of a W6 run, shared by every reactor
// through one pointer so that each handler closure captures only two words.
type w6Latches struct {
	handled, stopped *latch
}
