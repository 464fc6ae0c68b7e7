// Command peers runs the benchmark suite of the bench command with
// Proto.Actor Go (github.com/asynkron/protoactor-go, the most used Go
// actor library) as a third peer beside raw Go and this framework: the
// same workloads, flags and output (BENCHMARKS.md), with protoactor's
// runs in the same process and rounds as raw Go's, and a paired
// slowdown line against raw Go for each of them.
//
// Usage, from bench/peers (a module of its own, so that the root module
// does not depend on Proto.Actor):
//
//	go run . [-workload=W0,W1,W2,W3,W4,W5,W5b,W6,W7|all] [-peer=raw,reactors,protoactor|all]
//	         [-runs=5] [-scale=1] [-json=FILE] [other flags of the bench command]
//
// Proto.Actor runs W1-W6 as BENCHMARKS.md drives it: W1 pingpong, W2
// fanin, W3 roundrobin, roundrobin-group, hash, random and broadcast, W4
// sequential and concurrent, W5 hash-router, W6 spawn. W0, W5b and W7 run
// without it. Every protoactor run builds a fresh ActorSystem with its
// logger silenced, fails on a future timeout or on any dead letter, and
// stops every actor it spawned and shuts the system down before it
// returns.
package main

import (
	"os"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

func main() { os.Exit(suite.Main(os.Args[1:], os.Stdout, os.Stderr, protoactorPeer())) }
