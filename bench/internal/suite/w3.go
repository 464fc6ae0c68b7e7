package suite

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// Sizes of W3.
const (
	W3Messages = 2_000_000 // N
	W3Workers  = 4         // W, not scaled
	w3RawBuf   = 1024      // capacity of each raw worker's channel
	w3Quantum  = 8         // deficit round-robin quantum
	w3MaxCost  = 8         // cost of message i is i%8 + 1
)

// w3 is W3, router fan-out: one driver routes N messages to W counting
// workers, then flushes every worker and waits for their counts.
func w3() workload {
	w := workload{
		name: "W3",
		describe: func(cfg *config) string {
			return fmt.Sprintf("router N=%d W=%d raw chan capacity=%d drr quantum=%d cost=i%%%d+1",
				RunParams{factor: cfg.scale}.Count(W3Messages), W3Workers, w3RawBuf, w3Quantum, w3MaxCost)
		},
	}
	for _, v := range []string{"roundrobin", "hash", "random", "broadcast"} {
		w.cases = append(w.cases, benchCase{peer: peerRaw, variant: v, run: w3Raw(v)})
		w.ratios = append(w.ratios, ratioDef{variant: v, refVariant: v, metric: "msgs_per_s"})
	}
	for _, v := range []string{"roundrobin", "hash", "random", "broadcast", "drr", "roundrobin" + w3Producer, "drr" + w3Producer} {
		w.cases = append(w.cases, benchCase{peer: peerReactors, variant: v, run: w3Reactors(v)})
	}
	w.ratios = append(w.ratios,
		ratioDef{variant: "drr", refVariant: "roundrobin", metric: "msgs_per_s"},
		ratioDef{variant: "roundrobin" + w3Producer, refVariant: "roundrobin", metric: "msgs_per_s"},
		ratioDef{variant: "drr" + w3Producer, refVariant: "roundrobin", metric: "msgs_per_s"})
	return w
}

// w3Producer suffixes the variants whose driver routes through its own
// router.Producer instead of the router's Channel.
const w3Producer = "-producer"

// W3Count is a worker's answer to the flush: how many messages it got and
// their total cost.
type W3Count struct {
	N    int64 // messages received
	Cost int64 // the sum of W3Cost over them
}

// W3Cost returns the cost of message i, (i mod 8) + 1: the deficit
// round-robin variant routes by it, and every worker sums it.
func W3Cost(i int64) int64 { return i%w3MaxCost + 1 }

// splitmix64 is the raw peer's hash: the routing key of W3's hash
// policy, cheap and well mixed.
func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// w3Check validates the counts of one run and returns the deliveries.
func w3Check(variant string, n int, counts []W3Count) (int64, error) {
	var total int64
	lo, hi := counts[0].Cost, counts[0].Cost
	for _, c := range counts {
		total += c.N
		lo, hi = min(lo, c.Cost), max(hi, c.Cost)
	}
	want := int64(n)
	if variant == "broadcast" {
		want = int64(n / W3Workers * W3Workers)
	}
	if total != want {
		return 0, fmt.Errorf("%s: counted %d deliveries, want %d", variant, total, want)
	}
	switch variant {
	case "roundrobin", "broadcast":
		for i, c := range counts {
			if c.N != want/W3Workers {
				return 0, fmt.Errorf("%s: worker %d got %d, want %d", variant, i, c.N, want/W3Workers)
			}
		}
	case "drr":
		if hi-lo > w3Quantum+w3MaxCost {
			return 0, fmt.Errorf("drr: routed costs range over %d..%d, more than quantum+max cost apart", lo, hi)
		}
	}
	return total, nil
}

// w3Raw routes with plain index arithmetic over W goroutines, each on its
// own channel; -1 is the flush.
func w3Raw(variant string) func(p RunParams) (Result, error) {
	return func(p RunParams) (Result, error) {
		n := p.Count(W3Messages)
		deadline := NewDeadline()
		defer deadline.Stop()
		replies := make(chan W3Count, W3Workers)
		chans := make([]chan int64, W3Workers)
		for w := range chans {
			ch := make(chan int64, w3RawBuf)
			chans[w] = ch
			go func() {
				var c W3Count
				for v := range ch {
					if v < 0 {
						replies <- c
						continue
					}
					c.N++
					c.Cost += W3Cost(v)
				}
			}()
		}
		defer func() {
			for _, ch := range chans {
				close(ch)
			}
		}()
		t0 := time.Now()
		switch variant {
		case "roundrobin":
			for i := range n {
				chans[i%W3Workers] <- int64(i)
			}
		case "hash":
			for i := range n {
				chans[splitmix64(uint64(i))%W3Workers] <- int64(i)
			}
		case "random":
			for i := range n {
				chans[rand.IntN(W3Workers)] <- int64(i)
			}
		case "broadcast":
			for i := range n / W3Workers {
				for _, ch := range chans {
					ch <- int64(i)
				}
			}
		}
		for _, ch := range chans {
			ch <- -1
		}
		return W3Finish(variant, n, t0, replies, deadline.C)
	}
}

// W3Finish waits for every worker's flush reply (t1), checks the counts
// and returns the run's metric.
func W3Finish(variant string, n int, t0 time.Time, replies <-chan W3Count, deadline <-chan time.Time) (Result, error) {
	counts, err := w3Await(replies, deadline)
	t := time.Since(t0)
	if err != nil {
		return nil, err
	}
	total, err := w3Check(variant, n, counts)
	if err != nil {
		return nil, err
	}
	return Result{{"msgs_per_s", float64(total) / t.Seconds()}}, nil
}

func w3Await(replies <-chan W3Count, deadline <-chan time.Time) ([]W3Count, error) {
	counts := make([]W3Count, 0, W3Workers)
	for range W3Workers {
		c, err := AwaitSignal(replies, deadline, "flush reply")
		if err != nil {
			return nil, err
		}
		counts = append(counts, c)
	}
	return counts, nil
}

// w3Policy returns the router policy of a variant.
func w3Policy(variant string) router.Policy[int64] {
	switch variant {
	case "roundrobin":
		return router.RoundRobin[int64]()
	case "hash":
		return router.Hash(func(v int64) uint64 { return uint64(v) })
	case "random":
		return router.Random[int64](nil)
	case "broadcast":
		return router.Broadcast[int64]()
	case "drr":
		return router.DeficitRoundRobin(w3Quantum, func(v int64) int { return int(W3Cost(v)) })
	}
	panic("bench: unknown W3 variant " + variant)
}

// w3Reactors routes through a router's channel (the policy runs on the
// driver's goroutine), or through the driver's own router.Producer for
// the -producer variants, to W counting reactors; the flush goes to each
// worker's channel directly, after everything the driver routed to it.
func w3Reactors(variant string) func(p RunParams) (Result, error) {
	base, producer := strings.CutSuffix(variant, w3Producer)
	return func(p RunParams) (res Result, err error) {
		n := p.Count(W3Messages)
		sys, deadline, finish := startReactors()
		defer finish(&res, &err)
		replies := make(chan W3Count, W3Workers)
		rt := router.New(sys, "w3", w3Policy(base))
		workers := make([]reactor.Channel[int64], W3Workers)
		for w := range workers {
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int64]) {
				var c W3Count
				r.Main().Events().OnEvent(func(v int64) {
					if v < 0 {
						replies <- c
						return
					}
					c.N++
					c.Cost += W3Cost(v)
				})
			})
			if err != nil {
				return nil, err
			}
			workers[w] = ch
		}
		if err := rt.Add(workers...); err != nil {
			return nil, err
		}
		send := rt.Channel().Send
		if producer {
			send = rt.Producer().Send
		}
		t0 := time.Now()
		messages := n
		if base == "broadcast" {
			messages = n / W3Workers
		}
		for i := range messages {
			if err := send(int64(i)); err != nil {
				return nil, err
			}
		}
		for _, w := range workers {
			if err := w.Send(-1); err != nil {
				return nil, err
			}
		}
		return W3Finish(base, n, t0, replies, deadline.C)
	}
}
