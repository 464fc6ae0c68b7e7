package main

import (
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/router"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// paKeyMsg is W3's message for the consistent-hash router: the router
// hashes the decimal string of v (md5 on a hash ring, in the library).
type paKeyMsg struct{ v int64 }

// Hash returns the routing key of m.
func (m *paKeyMsg) Hash() string { return strconv.FormatInt(m.v, 10) }

// paFlush asks a W3 worker for its count, after every message routed to
// it earlier.
type paFlush struct{ reply chan<- suite.W3Count }

// paWorker counts the messages routed to it and their cost, and answers a
// flush with them.
type paWorker struct{ c suite.W3Count }

// Receive handles one message; lifecycle messages are ignored.
func (w *paWorker) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *paMsg:
		w.c.N++
		w.c.Cost += suite.W3Cost(m.v)
	case *paKeyMsg:
		w.c.N++
		w.c.Cost += suite.W3Cost(m.v)
	case *paFlush:
		m.reply <- w.c
	}
}

// paW3 routes W3's messages through one of protoactor's routers to W
// counting workers: a pool router spawns its workers, the group router
// (roundrobin-group) routes over W workers the driver spawned. The driver
// sends every message to the router's PID with system.Root.Send (the
// library picks the worker on the sender's goroutine), then a flush as a
// router.BroadcastMessage, which goes through the router actor and so
// reaches each worker after everything routed to it.
func paW3(variant string) func(p suite.RunParams) (suite.Result, error) {
	return func(p suite.RunParams) (res suite.Result, err error) {
		n := p.Count(suite.W3Messages)
		r, finish := paStart()
		defer finish(&res, &err)
		replies := make(chan suite.W3Count, suite.W3Workers)
		worker := actor.WithProducer(func() actor.Actor { return &paWorker{} })
		var props *actor.Props
		switch variant {
		case "roundrobin":
			props = router.NewRoundRobinPool(suite.W3Workers, worker)
		case "roundrobin-group":
			workers := make([]*actor.PID, suite.W3Workers)
			for i := range workers {
				workers[i] = r.spawn(actor.PropsFromProducer(func() actor.Actor { return &paWorker{} }))
			}
			props = router.NewRoundRobinGroup(workers...)
		case "hash":
			props = router.NewConsistentHashPool(suite.W3Workers, worker)
		case "random":
			props = router.NewRandomPool(suite.W3Workers, worker)
		case "broadcast":
			props = router.NewBroadcastPool(suite.W3Workers, worker)
		default:
			panic("peers: unknown W3 variant " + variant)
		}
		// A group's workers stop before its router, which watches them:
		// their Terminated then finds the router alive, not a dead letter.
		rt := r.spawn(props)

		var t0 time.Time
		switch variant {
		case "hash":
			t0 = time.Now()
			for i := range n {
				r.root.Send(rt, &paKeyMsg{int64(i)})
			}
		case "broadcast":
			t0 = time.Now()
			for i := range n / suite.W3Workers {
				r.root.Send(rt, &paMsg{int64(i)})
			}
		default:
			t0 = time.Now()
			for i := range n {
				r.root.Send(rt, &paMsg{int64(i)})
			}
		}
		r.root.Send(rt, &router.BroadcastMessage{Message: &paFlush{replies}})
		rule := variant
		if variant == "roundrobin-group" {
			rule = "roundrobin" // checked like it: every worker got exactly N/W
		}
		return suite.W3Finish(rule, n, t0, replies, r.deadline.C)
	}
}
