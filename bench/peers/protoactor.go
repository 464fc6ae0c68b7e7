package main

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// peerProtoactor is the peer's name in the report and for -peer.
const peerProtoactor = "protoactor"

// paModule is the module path of Proto.Actor Go.
const paModule = "github.com/asynkron/protoactor-go"

// paRequestTimeout is the timeout of every RequestFuture (BENCHMARKS.md);
// a request that hits it fails the run.
const paRequestTimeout = 10 * time.Second

// protoactorPeer returns Proto.Actor Go as a peer of the suite: its cases
// for W1-W6, the ratios its own variant names need, and how it runs each
// workload, for the report's header.
func protoactorPeer() suite.Peer {
	p := suite.Peer{
		Name:  peerProtoactor,
		About: paModule + " " + paVersion() + ", default mailbox and dispatcher, logger silenced; a fresh ActorSystem per run",
		Cases: []suite.Case{
			{Workload: "W1", Variant: "pingpong", Run: paW1},
			{Workload: "W2", Variant: "fanin", Run: paW2},
			{Workload: "W4", Variant: "sequential", Run: paW4("sequential")},
			{Workload: "W4", Variant: "concurrent", Run: paW4("concurrent")},
			{Workload: "W5", Variant: "hash-router", Run: paW5},
			{Workload: "W6", Variant: "spawn", Run: paW6},
		},
		Ratios: []suite.Ratio{
			{Workload: "W3", Variant: "roundrobin-group", RefVariant: "roundrobin", Metric: "msgs_per_s"},
			{Workload: "W5", Variant: "hash-router", RefVariant: "shard-goroutines", Metric: "ops_per_s"},
			{Workload: "W5", Variant: "hash-router", RefVariant: "rwmutex-map", Metric: "ops_per_s"},
			{Workload: "W5", Variant: "hash-router", RefVariant: "sync-map", Metric: "ops_per_s"},
		},
		Notes: map[string]string{
			"W1": "actors from PropsFromProducer, ctx.Send(peer, &paMsg{k+1})",
			"W2": "system.Root.Send(pid, &paMsg{i})",
			"W3": "router.NewRoundRobinPool, NewRoundRobinGroup over W spawned workers (roundrobin-group), " +
				"NewConsistentHashPool with Hash() = strconv.FormatInt(i, 10), NewRandomPool, NewBroadcastPool; " +
				"system.Root.Send(router, &paMsg{i}); flush as router.BroadcastMessage",
			"W4": fmt.Sprintf("system.Root.RequestFuture(server, &paEchoReq{v}, %s).Result(), ctx.Respond(&paEchoResp{v})", paRequestTimeout),
			"W5": fmt.Sprintf("hash-router: router.NewConsistentHashPool(S) of map shards with Hash() = decimal key, "+
				"each op a system.Root.RequestFuture(router, op, %s); preloaded with Send through the router, "+
				"sizes checked by a broadcast query", paRequestTimeout),
			"W6": "PropsFromProducer of a one-pointer actor, system.Root.Spawn, stopped with system.Root.Stop, counted at *actor.Stopped",
		},
	}
	for _, v := range []string{"roundrobin", "roundrobin-group", "hash", "random", "broadcast"} {
		p.Cases = append(p.Cases, suite.Case{Workload: "W3", Variant: v, Run: paW3(v)})
	}
	return p
}

// paVersion returns the version of Proto.Actor Go built into the command,
// or "(version unknown)".
func paVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == paModule {
				return m.Version
			}
		}
	}
	return "(version unknown)"
}

// paMsg is a data or control message carrying one int64 (W1, W2, W3, W6).
type paMsg struct{ v int64 }

// paThrottleInterval is the interval of the dead-letter log throttle.
const paThrottleInterval = 10 * time.Millisecond

// paRun is one run's actor system, its deadline, and the dead letters
// counted while the run lasts.
type paRun struct {
	sys      *actor.ActorSystem
	root     *actor.RootContext
	deadline *time.Timer
	dead     atomic.Int64
	sub      *eventstream.Subscription
	stop     []*actor.PID // stopped, in this order, when the run ends
}

// paStart creates a run's actor system, with its logger silenced, and
// deadline, and starts counting dead letters. finish, deferred with the
// run's named results, stops every actor in r.stop (waiting for each to
// terminate), shuts the system down and stops the deadline; it fails the
// run if an actor does not stop or any dead letter was published, from
// the start to the end of the teardown.
func paStart() (r *paRun, finish func(*suite.Result, *error)) {
	r = &paRun{deadline: suite.NewDeadline()}
	r.sys = actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(slog.DiscardHandler)
		}),
		// The dead-letter log throttle (silenced with the logger) starts
		// a goroutine that lives one interval; keep it short, so that
		// it does not outlive a failed run by long.
		actor.WithDeadLetterThrottleInterval(paThrottleInterval),
	)
	r.root = r.sys.Root
	r.sub = r.sys.EventStream.Subscribe(func(evt any) {
		if _, ok := evt.(*actor.DeadLetterEvent); ok {
			r.dead.Add(1)
		}
	})
	return r, func(res *suite.Result, err *error) {
		defer r.deadline.Stop()
		fail := func(e error) {
			if *err == nil {
				*res, *err = nil, e
			}
		}
		for _, pid := range r.stop {
			if werr := r.root.StopFuture(pid).Wait(); werr != nil {
				fail(fmt.Errorf("stop %s: %w", pid.Id, werr))
			}
		}
		r.sys.EventStream.Unsubscribe(r.sub)
		r.sys.Shutdown()
		if n := r.dead.Load(); n > 0 {
			fail(fmt.Errorf("dead letters during the run: %d", n))
		}
	}
}

// spawn spawns props from the root context and stops the actor when the
// run ends.
func (r *paRun) spawn(props *actor.Props) *actor.PID {
	pid := r.root.Spawn(props)
	r.stop = append(r.stop, pid)
	return pid
}
