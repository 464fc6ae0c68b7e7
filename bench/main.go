// Command bench runs the benchmark workloads W0-W7 for raw Go
// (goroutines and channels, the floor) and for this framework, in one
// process, and prints each figure and its ratio against raw Go measured in
// the same run.
//
// Usage:
//
//	go run ./bench [-workload=W0,W1,W2,W3,W4,W5,W5b,W6,W7|all] [-peer=raw,reactors|all]
//	               [-variant=NAME,...|all] [-runs=5] [-scale=1] [-json=FILE] [-svg=FILE]
//	               [-md=FILE] [-chan-buf=1] [-spawn-chan-buf=1] [-idle-sleep=2s]
//	go run ./bench -compare OLD.json NEW.json
//	go run ./bench -from=REPORT.json [-svg=FILE] [-md=FILE]
//
// Workloads implemented: W0 (idle cost), W1 (ping-pong), W2 (fan-in), W3
// (router fan-out: round-robin, hash, random, broadcast, and deficit
// round-robin for this framework), W4 (request/reply: sequential, 16
// concurrent clients, and sequential with a deadline on every request),
// W5 (sharded KV, single operations: shard goroutines, RWMutex maps and
// sync.Map against a dht.Table and against server shards behind a hash
// router), W5b (the
// same streams in batches of 100: RWMutex maps against a dht.Table's
// MultiGet/MultiPut), W6 (spawn) and W7 (remote channels and remote
// request/reply over NATS, in-process and loopback TCP, against the NATS
// client used directly on the same kind of connection; and durable channels
// against JetStream used directly). Workload, peer and variant names are
// matched without regard to case; -variant keeps only the cases of the
// variants named (name the raw reference variant too to get a ratio). Each workload warms up, then runs in rounds that
// rotate the peers, pairs each framework run with a raw-Go run moments
// apart, validates every run's result, and reports medians and paired
// ratios (README, Benchmarks).
// The command exits with status 1 if any run fails its check. -svg=FILE
// draws the paired ratios as a chart: one row per workload and variant,
// one bar per peer on a log scale, raw Go's 1 as a line, whiskers from
// the smallest to the largest per-round ratio. -compare runs nothing: it
// reads two -json reports and prints each paired ratio of both, its
// change, and a flag, worse or better, when the new median lies outside
// the old run's min-max spread (~ when it lies within). -md=FILE writes
// the paired ratios (a column per peer) and the medians as Markdown
// tables, as the README shows them. -from=FILE runs nothing: it draws
// -svg and -md from a saved -json report.
//
// The workloads, the runner and the report live in package
// bench/internal/suite; the nested module bench/peers (cd bench/peers &&
// go run .) runs the same suite with Proto.Actor Go as a third peer, so
// that the root module does not depend on it.
package main

import (
	"os"

	"github.com/reactors-go/reactors/bench/internal/suite"
)

func main() { os.Exit(suite.Main(os.Args[1:], os.Stdout, os.Stderr)) }
