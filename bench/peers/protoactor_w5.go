package main

import (
	"fmt"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/router"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// W5's messages: a Get and a Put, routed by the decimal string of their
// key; the replies to a Get (the value and whether it was found) and to a
// Put (sent once the write is applied); and the size query of the preload
// check.
type (
	paGet     struct{ key int64 }
	paPut     struct{ key, val int64 }
	paGetResp struct {
		val   int64
		found bool
	}
	paPutAck struct{}
	paSize   struct{ reply chan<- int }
)

// Hash returns the routing key of m.
func (m *paGet) Hash() string { return strconv.FormatInt(m.key, 10) }

// Hash returns the routing key of m.
func (m *paPut) Hash() string { return strconv.FormatInt(m.key, 10) }

// paShard is a W5 shard actor owning a plain map.
type paShard struct{ m map[int64]int64 }

// Receive handles one message; lifecycle messages are ignored. A Put sent
// without a sender (the preload) gets no ack.
func (s *paShard) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *paGet:
		v, ok := s.m[m.key]
		ctx.Respond(&paGetResp{v, ok})
	case *paPut:
		s.m[m.key] = m.val
		if ctx.Sender() != nil {
			ctx.Respond(&paPutAck{})
		}
	case *paSize:
		m.reply <- len(s.m)
	}
}

// paW5 runs W5's streams against a consistent-hash pool of S shard
// actors: every op is a RequestFuture to the router's PID, which the
// library routes to the key's shard on the client's goroutine. Before t0
// every key is loaded with fire-and-forget Puts through the router, and a
// broadcast size query checks that the shards hold every key.
func paW5(p suite.RunParams) (res suite.Result, err error) {
	streams := suite.W5Generate(suite.W5PerClient(p))
	r, finish := paStart()
	defer finish(&res, &err)
	rt := r.spawn(router.NewConsistentHashPool(suite.W5Shards, actor.WithProducer(func() actor.Actor {
		return &paShard{m: make(map[int64]int64)}
	})))

	for k := range int64(suite.W5Keys) {
		r.root.Send(rt, &paPut{k, k})
	}
	sizes := make(chan int, suite.W5Shards)
	r.root.Send(rt, &router.BroadcastMessage{Message: &paSize{sizes}})
	total := 0
	for range suite.W5Shards {
		n, err := suite.AwaitSignal(sizes, r.deadline.C, "preload size")
		if err != nil {
			return nil, err
		}
		total += n
	}
	if total != suite.W5Keys {
		return nil, fmt.Errorf("preload: the shards hold %d keys, want %d", total, suite.W5Keys)
	}

	client := func(_ int, ops []suite.W5Op, got []int64) error {
		for i, op := range ops {
			var msg any = &paGet{op.Key}
			if op.Put {
				msg = &paPut{op.Key, op.Val}
			}
			reply, err := r.root.RequestFuture(rt, msg, paRequestTimeout).Result()
			if err != nil {
				return fmt.Errorf("op %d: %w", i, err)
			}
			switch rep := reply.(type) {
			case *paGetResp:
				if op.Put {
					return fmt.Errorf("op %d: a Put answered like a Get", i)
				}
				got[i] = suite.W5Answer(op, rep.val, rep.found)
			case *paPutAck:
				if !op.Put {
					return fmt.Errorf("op %d: a Get answered like a Put", i)
				}
				got[i] = suite.W5Answer(op, 0, false)
			default:
				return fmt.Errorf("op %d: reply of type %T", i, reply)
			}
		}
		return nil
	}
	return suite.W5Drive(streams, client, r.deadline.C)
}
