// Command bench runs the benchmark workloads W0-W7 for raw Go
// (goroutines and channels, the floor) and for this framework, in one
// process, and prints each figure and its ratio against raw Go measured in
// the same run.
//
// Usage:
//
//	go run ./bench [-workload=W0,W1,W2,W3,W4,W5,W5b,W6,W7|all] [-peer=raw,reactors|all]
//	               [-variant=NAME,...|all] [-runs=5] [-scale=1] [-json=FILE]
//	               [-chan-buf=1] [-spawn-chan-buf=1] [-idle-sleep=2s]
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
// The command exits with status 1 if any run fails its check.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Peer names.
const (
	peerRaw      = "raw"
	peerReactors = "reactors"
)

// allPeers lists the peers in their canonical order (the order of round 0).
var allPeers = []string{peerRaw, peerReactors}

// config is the parsed command line.
type config struct {
	workloads    []string      // selected workload names, in canonical order
	peers        []string      // selected peers, in canonical order
	variants     []string      // selected variant names; nil: all
	runs         int           // measured rounds
	scale        float64       // multiplies every message, op and actor count
	chanBuf      int           // W1 raw: capacity of each ping-pong channel
	spawnChanBuf int           // W0 and W6 raw: capacity of each actor's channel
	idleSleep    time.Duration // W0: how long the idle CPU time is measured
	jsonPath     string        // write the results as JSON here too ("" for none)
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(2)
	}
	ok, err := runSuite(cfg, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// parseFlags parses the command line into a config; usage and flag errors
// go to errOut.
func parseFlags(args []string, errOut io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	workloadsFlag := fs.String("workload", "all", "comma-separated workloads ("+strings.Join(workloadNames(), ",")+") or all")
	peersFlag := fs.String("peer", "all", "comma-separated peers ("+strings.Join(allPeers, ",")+") or all")
	variantsFlag := fs.String("variant", "all", "comma-separated variants (such as durable-inprocess) or all")
	cfg := &config{}
	fs.IntVar(&cfg.runs, "runs", 5, "measured rounds")
	fs.Float64Var(&cfg.scale, "scale", 1, "multiply every message, op and actor count (for quick tries only)")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the results as JSON to `FILE`")
	fs.IntVar(&cfg.chanBuf, "chan-buf", 1, "W1 raw: capacity of each ping-pong channel")
	fs.IntVar(&cfg.spawnChanBuf, "spawn-chan-buf", 1, "W0 and W6 raw: capacity of each actor's channel")
	fs.DurationVar(&cfg.idleSleep, "idle-sleep", 2*time.Second, "W0: how long idle CPU time is measured")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	var err error
	if cfg.workloads, err = selectNames("workload", *workloadsFlag, workloadNames()); err != nil {
		return nil, err
	}
	if cfg.peers, err = selectNames("peer", *peersFlag, allPeers); err != nil {
		return nil, err
	}
	if cfg.variants, err = selectNames("variant", *variantsFlag, variantNames()); err != nil {
		return nil, err
	}
	if len(cfg.variants) == len(variantNames()) {
		cfg.variants = nil
	}
	switch {
	case cfg.runs < 1:
		return nil, fmt.Errorf("-runs must be at least 1, got %d", cfg.runs)
	case !(cfg.scale > 0):
		return nil, fmt.Errorf("-scale must be positive, got %v", cfg.scale)
	case cfg.chanBuf < 0 || cfg.spawnChanBuf < 0:
		return nil, fmt.Errorf("channel capacities must not be negative")
	case cfg.idleSleep <= 0:
		return nil, fmt.Errorf("-idle-sleep must be positive, got %v", cfg.idleSleep)
	}
	return cfg, nil
}

// selectNames parses a comma-separated list of names (or "all") against
// known, ignoring case, and returns the selection as known spells it, in
// the order of known.
func selectNames(what, list string, known []string) ([]string, error) {
	var picked []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.EqualFold(s, "all") {
			return slices.Clone(known), nil
		}
		i := slices.IndexFunc(known, func(k string) bool { return strings.EqualFold(k, s) })
		if i < 0 {
			return nil, fmt.Errorf("unknown %s %q (known: %s, all)", what, s, strings.Join(known, ","))
		}
		picked = append(picked, known[i])
	}
	var out []string
	for _, k := range known {
		if slices.Contains(picked, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s selected", what)
	}
	return out, nil
}
