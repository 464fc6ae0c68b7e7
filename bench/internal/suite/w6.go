package suite

import (
	"fmt"
	"runtime"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// W6Actors is N of W6.
const W6Actors = 100_000

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
				RunParams{factor: cfg.scale}.Count(W6Actors), cfg.spawnChanBuf)
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

// W6Times are the measured phases of a W6 run.
type W6Times struct {
	Spawn   time.Duration // t0 until every actor has handled its message
	Stop    time.Duration // the first stop until every actor has stopped
	Before  MemSnap       // before t0
	Live    MemSnap       // with every actor alive and idle
	Stopped MemSnap       // after the stop, the handles dropped
}

// Result turns the phases of a run of n actors into W6's metrics.
func (w W6Times) Result(n int) Result {
	heap := perActor(w.Live.heapInuse, w.Before.heapInuse, n)
	stack := perActor(w.Live.stackInuse, w.Before.stackInuse, n)
	return Result{
		{"spawns_per_s", float64(n) / w.Spawn.Seconds()},
		{"total_bytes_per_actor", heap + stack},
		{"heap_bytes_per_actor", heap},
		{"stack_bytes_per_actor", stack},
		{"goroutines_per_actor", float64(w.Live.goroutines-w.Before.goroutines) / float64(n)},
		{"stops_per_s", float64(n) / w.Stop.Seconds()},
		{"heap_after_stop_bytes_per_actor", perActor(w.Stopped.heapInuse, w.Before.heapInuse, n)},
	}
}

// w6Raw runs one goroutine per actor, blocked on its own chan int64.
func w6Raw(p RunParams) (Result, error) {
	n := p.Count(W6Actors)
	deadline := NewDeadline()
	defer deadline.Stop()
	var w W6Times
	w.Before = Snapshot(2)
	chans := make([]chan int64, 0, n)
	handled, stopped := NewLatch(n), NewLatch(n)
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
	if err := handled.Wait(deadline.C, "messages handled"); err != nil {
		return nil, err
	}
	w.Spawn = time.Since(t0)

	w.Live = Snapshot(2)
	runtime.KeepAlive(chans)

	t1 := time.Now()
	for _, ch := range chans {
		close(ch)
	}
	closed = true
	if err := stopped.Wait(deadline.C, "goroutines stopped"); err != nil {
		return nil, err
	}
	w.Stop = time.Since(t1)

	chans = nil // what is left is what the runtime keeps
	w.Stopped = Snapshot(1)
	return w.Result(n), nil
}

// w6Reactors spawns one reactor per actor. An actor stops when it gets
// StopMsg: its handler seals the main connector, so the reactor
// terminates, and its Terminated lifecycle event counts the stop.
func w6Reactors(p RunParams, opts ...reactor.Option) (res Result, err error) {
	n := p.Count(W6Actors)
	sys, deadline, finish := startReactors(opts...)
	defer finish(&res, &err)
	var w W6Times
	w.Before = Snapshot(2)
	chans := make([]reactor.Channel[int64], 0, n)
	l := &W6Latches{Handled: NewLatch(n), Stopped: NewLatch(n)}
	body := func(r *reactor.Reactor[int64]) {
		r.Main().Events().OnEvent(func(v int64) {
			if v != StopMsg {
				l.Handled.Done()
				return
			}
			r.Lifecycle().OnEvent(func(e reactor.Lifecycle) {
				if e.Phase == reactor.Terminated {
					l.Stopped.Done()
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
	if err := l.Handled.Wait(deadline.C, "messages handled"); err != nil {
		return nil, err
	}
	w.Spawn = time.Since(t0)

	w.Live = Snapshot(2)
	runtime.KeepAlive(chans)

	t1 := time.Now()
	for _, ch := range chans {
		if err := ch.Send(StopMsg); err != nil {
			return nil, err
		}
	}
	if err := l.Stopped.Wait(deadline.C, "reactors terminated"); err != nil {
		return nil, err
	}
	w.Stop = time.Since(t1)

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
	w.Stopped = Snapshot(1)
	return w.Result(n), nil
}

// W6Latches are the two countdowns of a W6 run, shared by every reactor
// through one pointer so that each handler closure captures only two words.
type W6Latches struct {
	Handled *Latch // Done once by each actor for its message
	Stopped *Latch // Done once by each actor when it has stopped
}
