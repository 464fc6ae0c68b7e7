package main

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

// paEchoReq is W4's request and paEchoResp its reply: both carry the
// asked value.
type (
	paEchoReq  struct{ v int64 }
	paEchoResp struct{ v int64 }
)

// paAsk asks server for v with system.Root.RequestFuture and waits for the
// reply; a timeout, a dead letter or a reply of another type is an error.
func paAsk(root *actor.RootContext, server *actor.PID, v int64) (int64, error) {
	res, err := root.RequestFuture(server, &paEchoReq{v}, paRequestTimeout).Result()
	if err != nil {
		return 0, fmt.Errorf("request %d: %w", v, err)
	}
	resp, ok := res.(*paEchoResp)
	if !ok {
		return 0, fmt.Errorf("request %d: reply of type %T", v, res)
	}
	return resp.v, nil
}

// paW4 runs W4's clients (plain goroutines) against one echo server
// actor, each request a RequestFuture answered with ctx.Respond.
func paW4(variant string) func(p suite.RunParams) (suite.Result, error) {
	return func(p suite.RunParams) (res suite.Result, err error) {
		r, finish := paStart()
		defer finish(&res, &err)
		server := r.spawn(actor.PropsFromFunc(func(ctx actor.Context) {
			if m, ok := ctx.Message().(*paEchoReq); ok {
				ctx.Respond(&paEchoResp{m.v})
			}
		}))
		if err := suite.W4CheckSetup(paAsk(r.root, server, suite.SetupAsk)); err != nil {
			return nil, err
		}
		client := func(c int, lat []int64, prev time.Time) (time.Time, error) {
			var err error
			for v, rep := range suite.W4Requests(c, lat, &prev, &err) {
				rep.Got, rep.Err = paAsk(r.root, server, v)
			}
			return prev, err
		}
		// A client left blocked by the deadline ends with its future's
		// timeout, before the run's teardown stops the server.
		run, err := suite.W4Drive(variant, p, client, r.deadline.C)
		if err != nil {
			return nil, err
		}
		return run.Result(), nil
	}
}
