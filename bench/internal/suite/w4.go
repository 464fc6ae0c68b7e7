package suite

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/reactors-go/reactors/server"
)

// Sizes of W4.
const (
	w4Sequential = 200_000 // n of the sequential variant
	w4Clients    = 16      // C of the concurrent variant, not scaled
	w4PerClient  = 50_000  // requests of each concurrent client
	w4RawBuf     = 1024    // capacity of the raw server's request channel
)

// w4AskTimeout is the deadline of each request of sequential-deadline: long
// enough never to fire in a run, so the variant measures what honouring a
// deadline costs.
const w4AskTimeout = time.Minute

// SetupAsk is the value of the untimed request that confirms, before t0,
// that the server answers; measured requests carry values >= 0.
const SetupAsk int64 = -1

// w4 is W4, request-reply: clients ask an echo server for their own int64,
// one request after another, and check every reply. "sequential" is one
// client; "concurrent" is C clients released together against one server;
// "sequential-deadline" is the sequential client with a deadline on every
// request (a context.WithTimeout of w4AskTimeout made per request, as a
// client that bounds each call does), which the raw client honours by
// selecting on its reply channel and ctx.Done().
func w4() workload {
	w := workload{
		name: "W4",
		describe: func(cfg *config) string {
			f := RunParams{factor: cfg.scale}
			return fmt.Sprintf("request-reply sequential n=%d; concurrent C=%d x %d; raw server chan capacity=%d, reply chan capacity=1; reactors server.Spawn + server.Ask(context.Background()); "+
				"sequential-deadline n=%d, each request under its own context.WithTimeout(%s) (raw: send, then select on the reply and ctx.Done())",
				f.Count(w4Sequential), w4Clients, f.Count(w4PerClient), w4RawBuf, f.Count(w4Sequential), w4AskTimeout)
		},
	}
	for _, v := range []string{"sequential", "concurrent", "sequential-deadline"} {
		w.cases = append(w.cases,
			benchCase{peer: peerRaw, variant: v, run: func(p RunParams) (Result, error) { return w4Raw(v, p) }},
			benchCase{peer: peerReactors, variant: v, run: func(p RunParams) (Result, error) { return w4Reactors(v, p) }})
	}
	w.ratios = []ratioDef{
		{variant: "sequential", refVariant: "sequential", metric: "p50_ns"},
		{variant: "sequential", refVariant: "sequential", metric: "req_per_s"},
		{variant: "concurrent", refVariant: "concurrent", metric: "req_per_s"},
		{variant: "concurrent", refVariant: "concurrent", metric: "p50_ns"},
		{variant: "sequential-deadline", refVariant: "sequential-deadline", metric: "p50_ns"},
		{variant: "sequential-deadline", refVariant: "sequential-deadline", metric: "req_per_s"},
	}
	return w
}

// W4Shape returns the number of clients and of requests per client of a
// variant.
func W4Shape(variant string, p RunParams) (clients, per int) {
	switch variant {
	case "sequential", "sequential-deadline":
		return 1, p.Count(w4Sequential)
	case "concurrent":
		return w4Clients, p.Count(w4PerClient)
	}
	panic("bench: unknown W4 variant " + variant)
}

// W4Client runs the requests of client c (with W4Requests over lat and
// prev) and returns t of its last reply, or the first failed ask or wrong
// reply.
type W4Client func(c int, lat []int64, prev time.Time) (time.Time, error)

// W4Reply is where a client's loop body leaves the reply to the request
// it was given, or the error that ended the ask.
type W4Reply struct {
	Got int64 // the value the reply carries
	Err error // why the ask failed, or nil
}

// W4Requests is the request loop of client c. It yields the values
// c*len(lat)..(c+1)*len(lat)-1 one after another to the loop body, which
// asks for the value and leaves the reply in r; right after each body it
// takes t_i, checks the reply, and writes the latency of request i
// (t_i - t_{i-1}) into lat[i], with t_{-1} = *prev. *prev ends as t of
// the last reply. It stops at the first failed or wrong reply and reports
// it in *fail. Iterator and body inline into one plain loop, so a client
// pays for its asks and nothing else.
func W4Requests(c int, lat []int64, prev *time.Time, fail *error) iter.Seq2[int64, *W4Reply] {
	return func(yield func(v int64, r *W4Reply) bool) {
		base := int64(c) * int64(len(lat))
		var r W4Reply
		for i := range lat {
			v := base + int64(i)
			if !yield(v, &r) {
				return
			}
			now := time.Now()
			if r.Err != nil {
				*fail = r.Err
				return
			}
			if r.Got != v {
				*fail = w4WrongReply(r.Got, v)
				return
			}
			lat[i] = int64(now.Sub(*prev))
			*prev = now
		}
	}
}

// W4Run is what the driver measured in one run.
type W4Run struct {
	t0, t1 time.Time
	lat    []int64 // every latency in ns, client after client
}

// W4Drive runs the clients of a variant against one server and returns
// their latencies. The latency slice is allocated and written once (so
// that its pages are mapped) before t0.
//
// sequential: the one client runs on its own goroutine and takes t0 right
// before its first request; t1 is its last reply. concurrent: the clients
// are parked at a barrier whose release is t0; t1 is when the driver
// observes that the last of them has its last reply. When the deadline
// fires the clients are left blocked; the caller's teardown (the
// reactors' shutdown) ends them.
func W4Drive(variant string, p RunParams, client W4Client, deadline <-chan time.Time) (W4Run, error) {
	clients, per := W4Shape(variant, p)
	lat := make([]int64, clients*per)
	for i := range lat {
		lat[i] = -1 // not answered
	}
	last := make([]time.Time, clients)
	errs := make([]error, clients)
	finished := NewLatch(clients)
	var parked sync.WaitGroup
	start := make(chan struct{})
	var t0 time.Time
	barrier := clients > 1
	for c := range clients {
		parked.Add(1)
		go func() {
			defer finished.Done()
			parked.Done()
			if barrier {
				<-start // t0 is written before the release
			} else {
				t0 = time.Now() // read by the driver after finished
			}
			last[c], errs[c] = client(c, lat[c*per:(c+1)*per], t0)
		}()
	}
	parked.Wait()

	if barrier {
		t0 = time.Now()
		close(start)
	}
	if err := finished.Wait(deadline, "replies"); err != nil {
		return W4Run{}, err
	}
	t1 := time.Now()
	if !barrier {
		t1 = last[0]
	}

	for c, err := range errs {
		if err != nil {
			return W4Run{}, fmt.Errorf("client %d: %w", c, err)
		}
	}
	if i := slices.Index(lat, -1); i >= 0 {
		return W4Run{}, fmt.Errorf("request %d was never answered", i)
	}
	return W4Run{t0: t0, t1: t1, lat: lat}, nil
}

// Result turns a run into W4's metrics: req_per_s = requests/(t1 - t0),
// and the nearest-rank p50 and p99 of the latencies (sorts r.lat).
func (r W4Run) Result() Result {
	slices.Sort(r.lat)
	return Result{
		{"req_per_s", float64(len(r.lat)) / r.t1.Sub(r.t0).Seconds()},
		{"p50_ns", float64(nearestRank(r.lat, 50))},
		{"p99_ns", float64(nearestRank(r.lat, 99))},
	}
}

// nearestRank returns the pct-th percentile of sorted (not empty): the
// value at rank ceil(pct/100 * n), 1-based. Integer arithmetic keeps the
// rank exact.
func nearestRank(sorted []int64, pct int) int64 {
	n := len(sorted)
	rank := (pct*n + 99) / 100
	return sorted[min(max(rank, 1), n)-1]
}

// w4WrongReply reports a reply that does not carry the asked value.
func w4WrongReply(got, want int64) error {
	return fmt.Errorf("asked %d, got %d", want, got)
}

// w4Req is the raw request: the value and where its reply goes.
type w4Req struct {
	v     int64
	reply chan int64
}

// W4CheckSetup checks the reply to the untimed setup request.
func W4CheckSetup(v int64, err error) error {
	if err != nil {
		return fmt.Errorf("setup ask: %w", err)
	}
	if v != SetupAsk {
		return w4WrongReply(v, SetupAsk)
	}
	return nil
}

// w4Raw serves {int64, chan int64} requests from one goroutine on a
// buffered channel; each client owns one reply channel of capacity 1 and
// reuses it. In sequential-deadline the client makes a context with a
// deadline for each request, sends, and selects on its reply channel and
// ctx.Done().
func w4Raw(variant string, p RunParams) (Result, error) {
	deadline := NewDeadline()
	defer deadline.Stop()
	reqs := make(chan w4Req, w4RawBuf)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for r := range reqs {
			r.reply <- r.v
		}
	}()

	setup := make(chan int64, 1)
	reqs <- w4Req{SetupAsk, setup}
	if err := W4CheckSetup(AwaitSignal(setup, deadline.C, "setup reply")); err != nil {
		return nil, err // the server is stuck or wrong: leave it
	}
	clients, _ := W4Shape(variant, p)
	replies := make([]chan int64, clients)
	for c := range replies {
		replies[c] = make(chan int64, 1)
	}

	client := func(c int, lat []int64, prev time.Time) (time.Time, error) {
		var err error
		reply := replies[c]
		for v, r := range W4Requests(c, lat, &prev, &err) {
			reqs <- w4Req{v, reply}
			r.Got = <-reply
		}
		return prev, err
	}
	if variant == "sequential-deadline" {
		client = func(c int, lat []int64, prev time.Time) (time.Time, error) {
			var err error
			reply := replies[c]
			for v, r := range W4Requests(c, lat, &prev, &err) {
				ctx, cancel := context.WithTimeout(context.Background(), w4AskTimeout)
				reqs <- w4Req{v, reply}
				select {
				case r.Got = <-reply:
				case <-ctx.Done():
					r.Err = fmt.Errorf("request %d: %w", v, context.Cause(ctx))
				}
				cancel()
			}
			return prev, err
		}
	}

	run, err := W4Drive(variant, p, client, deadline.C)
	if err != nil {
		return nil, err // clients may still be blocked: leave the server
	}
	close(reqs)
	if _, err := AwaitSignal(exited, deadline.C, "server exit"); err != nil {
		return nil, err
	}
	return run.Result(), nil
}

// w4Reactors serves with server.Spawn and an echo function; clients are
// plain goroutines calling server.Ask with context.Background(), or in
// sequential-deadline with a context.WithTimeout made for each ask.
func w4Reactors(variant string, p RunParams) (res Result, err error) {
	sys, deadline, finish := startReactors()
	defer finish(&res, &err)
	srv, err := server.Spawn(sys, func(v int64) (int64, error) { return v, nil })
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	err = W4CheckSetup(server.Ask(ctx, srv, SetupAsk))
	cancel()
	if err != nil {
		return nil, err
	}

	client := func(c int, lat []int64, prev time.Time) (time.Time, error) {
		var err error
		ctx := context.Background()
		for v, r := range W4Requests(c, lat, &prev, &err) {
			r.Got, r.Err = server.Ask(ctx, srv, v)
		}
		return prev, err
	}
	if variant == "sequential-deadline" {
		client = func(c int, lat []int64, prev time.Time) (time.Time, error) {
			var err error
			for v, r := range W4Requests(c, lat, &prev, &err) {
				ctx, cancel := context.WithTimeout(context.Background(), w4AskTimeout)
				r.Got, r.Err = server.Ask(ctx, srv, v)
				cancel()
			}
			return prev, err
		}
	}

	run, err := W4Drive(variant, p, client, deadline.C)
	if err != nil {
		return nil, err // the deferred shutdown ends blocked clients
	}
	return run.Result(), nil
}
