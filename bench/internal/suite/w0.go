package suite

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// w0Actors is N of W0.
const w0Actors = 10_000

// w0Settle is how long W0 waits after the last event was handled, so that
// every turn has ended before the CPU time is read.
const w0Settle = 50 * time.Millisecond

// w0 is W0, idle cost: N actors that each handled one event, then the CPU
// time the process uses while they are idle.
func w0() workload {
	return workload{
		name: "W0",
		describe: func(cfg *config) string {
			return fmt.Sprintf("idle N=%d sleep=%v (warm-up: sleep/10) raw spawn-chan-buf=%d",
				RunParams{factor: cfg.scale}.Count(w0Actors), cfg.idleSleep, cfg.spawnChanBuf)
		},
		cases: []benchCase{
			{peer: peerRaw, variant: "idle", run: w0Raw},
			{peer: peerReactors, variant: "idle", run: w0Reactors},
		},
	}
}

// w0Raw parks N goroutines, each blocked on its own channel after it has
// received one value.
func w0Raw(p RunParams) (Result, error) {
	n := p.Count(w0Actors)
	deadline := NewDeadline()
	defer deadline.Stop()
	g0 := runtime.NumGoroutine()
	handled := NewLatch(n)
	var exited sync.WaitGroup
	chans := make([]chan int64, 0, n)
	defer func() {
		for _, ch := range chans {
			close(ch)
		}
		exited.Wait()
	}()
	for i := range n {
		ch := make(chan int64, p.cfg.spawnChanBuf)
		chans = append(chans, ch)
		exited.Add(1)
		go func() {
			defer exited.Done()
			for range ch {
				handled.Done()
			}
		}()
		ch <- int64(i)
	}
	if err := handled.Wait(deadline.C, "events handled"); err != nil {
		return nil, err
	}
	return measureIdle(p, n, g0)
}

// w0Reactors spawns N reactors that each handle one event and then idle.
func w0Reactors(p RunParams) (res Result, err error) {
	n := p.Count(w0Actors)
	sys, deadline, finish := startReactors()
	defer finish(&res, &err)
	g0 := runtime.NumGoroutine()
	handled := NewLatch(n)
	body := func(r *reactor.Reactor[int64]) {
		r.Main().Events().OnEvent(func(int64) { handled.Done() })
	}
	for i := range n {
		ch, err := reactor.Spawn(sys, body)
		if err != nil {
			return nil, err
		}
		if err := ch.Send(int64(i)); err != nil {
			return nil, err
		}
	}
	if err := handled.Wait(deadline.C, "events handled"); err != nil {
		return nil, err
	}
	res, err = measureIdle(p, n, g0)
	if live := sys.Stats().Reactors; err == nil && live != n {
		return nil, fmt.Errorf("%d reactors alive at rest, want %d", live, n)
	}
	return res, err
}

// measureIdle lets the n actors settle, then measures the process's CPU
// time over the idle sleep, and the goroutines per actor above g0.
func measureIdle(p RunParams, n, g0 int) (Result, error) {
	sleep := p.cfg.idleSleep
	if p.warmUp {
		sleep /= 10
	}
	time.Sleep(w0Settle)
	// Collect and return freed memory to the OS now, so that the background
	// scavenger does not bill the previous run's teardown to this sleep.
	debug.FreeOSMemory()
	cpu0, err := cpuTime()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	time.Sleep(sleep)
	cpu1, err := cpuTime()
	if err != nil {
		return nil, err
	}
	wall := time.Since(t0)
	g := runtime.NumGoroutine()
	return Result{
		{"idle_cpu_pct", 100 * float64(cpu1-cpu0) / float64(wall)},
		{"goroutines_per_actor", float64(g-g0) / float64(n)},
	}, nil
}

// cpuTime returns the user plus system CPU time of the process.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
