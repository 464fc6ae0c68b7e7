package main

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// paW1 plays W1's ping-pong between two protoactor actors: the driver
// sends &paMsg{1} to A with system.Root.Send, and each actor passes
// &paMsg{k+1} to its peer with ctx.Send (no envelope, no Request).
func paW1(p suite.RunParams) (res suite.Result, err error) {
	n := int64(p.Count(suite.W1Messages))
	r, finish := paStart()
	defer finish(&res, &err)
	done := make(chan struct{}, 1)
	replies := make(chan int64, 2)
	// The peers' PIDs, written before the setup query is sent (the
	// mailbox's lock orders the write before the handler that reads it).
	var toA, toB *actor.PID
	player := func(peer **actor.PID) *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor {
			return &paPlayer{n: n, peer: peer, done: done, replies: replies}
		})
	}
	a := r.spawn(player(&toB))
	b := r.spawn(player(&toA))
	toA, toB = a, b
	both := func(v int64) func() error {
		return func() error {
			r.root.Send(a, &paMsg{v})
			r.root.Send(b, &paMsg{v})
			return nil
		}
	}
	serve := func() error { r.root.Send(a, &paMsg{1}); return nil }
	return suite.W1Play(n, both, serve, done, replies, r.deadline.C)
}

// paPlayer is a ping-pong actor. The setup query copies *peer into to and
// confirms it on replies; message k signals done when k == n and sends
// k+1 to the peer otherwise; the count query replies with the number of
// messages received.
type paPlayer struct {
	n       int64
	peer    **actor.PID
	to      *actor.PID
	recv    int64
	done    chan<- struct{}
	replies chan<- int64
}

// Receive handles one message; lifecycle messages are ignored.
func (pl *paPlayer) Receive(ctx actor.Context) {
	m, ok := ctx.Message().(*paMsg)
	if !ok {
		return
	}
	switch k := m.v; {
	case k > 0:
		pl.recv++
		if k == pl.n {
			pl.done <- struct{}{}
		} else {
			ctx.Send(pl.to, &paMsg{k + 1})
		}
	case k == suite.SetupQuery:
		pl.to = *pl.peer
		pl.replies <- suite.BoolInt(pl.to != nil)
	default:
		pl.replies <- pl.recv
	}
}
