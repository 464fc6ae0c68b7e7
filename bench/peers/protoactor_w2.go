package main

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// paW2 fans in to one counting protoactor actor: P producer goroutines
// each send &paMsg{i} with system.Root.Send, on the default unbounded
// mailbox.
func paW2(p suite.RunParams) (res suite.Result, err error) {
	m := p.Count(suite.W2PerProducer)
	total := int64(suite.W2Producers * m)
	r, finish := paStart()
	defer finish(&res, &err)
	done := make(chan struct{}, 1)
	replies := make(chan int64, 1)
	counter := r.spawn(actor.PropsFromProducer(func() actor.Actor {
		return &paCounter{total: total, done: done, replies: replies}
	}))
	t, err := suite.W2Drive(m, func(m int) {
		for i := range m {
			r.root.Send(counter, &paMsg{int64(i)})
		}
	}, done, r.deadline.C)
	if err != nil {
		return nil, err
	}
	r.root.Send(counter, &paMsg{suite.CountQuery})
	count, err := suite.AwaitSignal(replies, r.deadline.C, "count reply")
	if err != nil {
		return nil, err
	}
	if count != total {
		return nil, fmt.Errorf("counted %d messages, want %d", count, total)
	}
	return suite.W2Result(total, t), nil
}

// paCounter counts its messages and signals done when the count reaches
// total; the count query replies with the count.
type paCounter struct {
	total, count int64
	done         chan<- struct{}
	replies      chan<- int64
}

// Receive handles one message; lifecycle messages are ignored.
func (c *paCounter) Receive(ctx actor.Context) {
	m, ok := ctx.Message().(*paMsg)
	if !ok {
		return
	}
	if m.v == suite.CountQuery {
		c.replies <- c.count
		return
	}
	c.count++
	if c.count == c.total {
		c.done <- struct{}{}
	}
}
