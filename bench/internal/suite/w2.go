package suite

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reactors-go/reactors/reactor"
)

// Sizes of W2.
const (
	W2Producers   = 8       // P, not scaled
	W2PerProducer = 500_000 // M
	w2RawBuf      = 1024    // capacity of the raw consumer's channel
)

// w2 is W2, fan-in: P producer goroutines send M messages each, back to
// back, to one counting actor.
func w2() workload {
	return workload{
		name: "W2",
		describe: func(cfg *config) string {
			return fmt.Sprintf("fanin P=%d M=%d raw chan capacity=%d",
				W2Producers, RunParams{factor: cfg.scale}.Count(W2PerProducer), w2RawBuf)
		},
		cases: []benchCase{
			{peer: peerRaw, variant: "fanin", run: w2Raw},
			{peer: peerReactors, variant: "fanin", run: withOptions(w2Reactors)},
			{peer: peerReactors, variant: "fanin-observed", run: withOptions(w2Reactors, reactor.WithIntrospection())},
		},
		ratios: []ratioDef{
			{variant: "fanin", refVariant: "fanin", metric: "msgs_per_s"},
			{variant: "fanin-observed", refVariant: "fanin", metric: "msgs_per_s"},
		},
	}
}

// W2Drive parks P producers at a barrier, each running produce(m), and
// releases them at t0. It returns the time until done signals, then waits
// until every producer has returned.
func W2Drive(m int, produce func(m int), done <-chan struct{}, deadline <-chan time.Time) (time.Duration, error) {
	var parked, finished sync.WaitGroup
	start := make(chan struct{})
	for range W2Producers {
		parked.Add(1)
		finished.Add(1)
		go func() {
			defer finished.Done()
			parked.Done()
			<-start
			produce(m)
		}()
	}
	parked.Wait()

	t0 := time.Now()
	close(start)
	_, err := AwaitSignal(done, deadline, "completion")
	t := time.Since(t0)

	finished.Wait()
	return t, err
}

// W2Result turns the elapsed time of total messages into W2's metric.
func W2Result(total int64, t time.Duration) Result {
	return Result{{"msgs_per_s", float64(total) / t.Seconds()}}
}

// w2Raw fans in to one consumer goroutine on one chan int64.
func w2Raw(p RunParams) (Result, error) {
	m := p.Count(W2PerProducer)
	total := int64(W2Producers * m)
	deadline := NewDeadline()
	defer deadline.Stop()
	ch := make(chan int64, w2RawBuf)
	done := make(chan struct{}, 1)
	final := make(chan int64, 1)
	go func() {
		var count int64
		for range ch {
			count++
			if count == total {
				done <- struct{}{}
			}
		}
		final <- count
	}()
	t, err := W2Drive(m, func(m int) {
		for i := range m {
			ch <- int64(i)
		}
	}, done, deadline.C)
	close(ch) // the query: the consumer reports its final count
	count, ferr := AwaitSignal(final, deadline.C, "final count")
	switch {
	case err != nil:
		return nil, err
	case ferr != nil:
		return nil, ferr
	case count != total:
		return nil, fmt.Errorf("counted %d messages, want %d", count, total)
	}
	return W2Result(total, t), nil
}

// w2Reactors fans in to one counting reactor.
func w2Reactors(p RunParams, opts ...reactor.Option) (res Result, err error) {
	m := p.Count(W2PerProducer)
	total := int64(W2Producers * m)
	sys, deadline, finish := startReactors(opts...)
	defer finish(&res, &err)
	done := make(chan struct{}, 1)
	replies := make(chan int64, 1)
	counter, err := reactor.Spawn(sys, func(r *reactor.Reactor[int64]) {
		var count int64
		r.Main().Events().OnEvent(func(v int64) {
			if v == CountQuery {
				replies <- count
				return
			}
			count++
			if count == total {
				done <- struct{}{}
			}
		})
	})
	if err != nil {
		return nil, err
	}
	var sendErrs atomic.Int64
	t, err := W2Drive(m, func(m int) {
		failed := 0
		for i := range m {
			if counter.Send(int64(i)) != nil {
				failed++
			}
		}
		sendErrs.Add(int64(failed))
	}, done, deadline.C)
	if err != nil {
		return nil, err
	}
	if n := sendErrs.Load(); n != 0 {
		return nil, fmt.Errorf("%d sends failed", n)
	}
	if err := counter.Send(CountQuery); err != nil {
		return nil, err
	}
	count, err := AwaitSignal(replies, deadline.C, "count reply")
	if err != nil {
		return nil, err
	}
	if count != total {
		return nil, fmt.Errorf("counted %d messages, want %d", count, total)
	}
	return W2Result(total, t), nil
}
