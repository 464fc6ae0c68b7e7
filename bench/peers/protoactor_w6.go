package main

import (
	"runtime"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// paSpawned is W6's actor: one pointer, to the run's two countdowns.
type paSpawned struct{ l *suite.W6Latches }

// Receive counts the actor's one message and its stop.
func (a *paSpawned) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *paMsg:
		a.l.Handled.Done()
	case *actor.Stopped:
		a.l.Stopped.Done()
	}
}

// paW6 spawns N protoactor actors from the root context (PropsFromProducer,
// default mailbox and dispatcher), sends each one message, measures them
// while they idle (an idle actor holds no goroutine), then stops them all
// with system.Root.Stop and times until each has received *actor.Stopped.
func paW6(p suite.RunParams) (res suite.Result, err error) {
	n := p.Count(suite.W6Actors)
	r, finish := paStart()
	defer finish(&res, &err)
	var w suite.W6Times
	w.Before = suite.Snapshot(2)
	pids := make([]*actor.PID, 0, n)
	l := &suite.W6Latches{Handled: suite.NewLatch(n), Stopped: suite.NewLatch(n)}
	props := actor.PropsFromProducer(func() actor.Actor { return &paSpawned{l} })
	stopped := false
	defer func() {
		if !stopped { // a failed run: stop what was spawned
			for _, pid := range pids {
				r.root.Stop(pid)
			}
		}
	}()

	t0 := time.Now()
	for i := range n {
		pid := r.root.Spawn(props)
		r.root.Send(pid, &paMsg{int64(i)})
		pids = append(pids, pid)
	}
	if err := l.Handled.Wait(r.deadline.C, "messages handled"); err != nil {
		return nil, err
	}
	w.Spawn = time.Since(t0)

	w.Live = suite.Snapshot(2)
	runtime.KeepAlive(pids)

	t1 := time.Now()
	for _, pid := range pids {
		r.root.Stop(pid)
	}
	stopped = true
	if err := l.Stopped.Wait(r.deadline.C, "actors stopped"); err != nil {
		return nil, err
	}
	w.Stop = time.Since(t1)

	// An actor leaves the process registry before it receives Stopped.
	pids = nil // what is left is what the library keeps
	w.Stopped = suite.Snapshot(1)
	return w.Result(n), nil
}
