package reactortest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
)

// A faulty channel between a sender and a recorder: the same seeds give
// the same deliveries on every run.
func Example() {
	rec := reactortest.NewRecorder[int]("sink")
	f := reactortest.NewFaulty(rec, reactortest.Chain(
		reactortest.Drop(0.2, 1),
		reactortest.Duplicate(0.2, 2),
	))
	for i := range 10 {
		_ = f.Channel().Send(i)
	}
	st := f.Stats()
	fmt.Println(rec.Events())
	fmt.Printf("sent %d, dropped %d, duplicated %d, delivered %d\n", st.Sent, st.Dropped, st.Duplicated, st.Delivered)
	// Output:
	// [1 3 3 4 5 6 7 7 8 9]
	// sent 10, dropped 2, duplicated 2, delivered 10
}

// Reorder shuffles each complete window; Flush releases the incomplete
// last one.
func ExampleReorder() {
	rec := reactortest.NewRecorder[int]("sink")
	f := reactortest.NewFaulty(rec, reactortest.Reorder(4, 7))
	for i := range 10 {
		_ = f.Send(i)
	}
	fmt.Println(rec.Events())
	f.Flush()
	fmt.Println(rec.Events())
	// Output:
	// [1 2 0 3 7 4 5 6]
	// [1 2 0 3 7 4 5 6 9 8]
}

// Delays run on a manual clock: the test moves time, nothing sleeps.
func ExampleDelay() {
	clk := reactortest.NewManualClock()
	rec := reactortest.NewRecorder[string]("sink")
	f := reactortest.NewFaulty(rec, reactortest.Delay(time.Second), reactortest.WithClock(clk))
	_ = f.Send("a")
	clk.Advance(500 * time.Millisecond)
	_ = f.Send("b")
	fmt.Println(rec.Events(), f.Stats().Pending)
	clk.Advance(500 * time.Millisecond)
	fmt.Println(rec.Events(), f.Stats().Pending)
	clk.Advance(500 * time.Millisecond)
	fmt.Println(rec.Events(), f.Stats().Pending)
	// Output:
	// [] 2
	// [a] 1
	// [a b] 0
}

// A custom script: a network partition the test cuts and heals.
func ExampleFunc() {
	var cut atomic.Bool
	partition := reactortest.Func(func(uint64, int) reactortest.Decision {
		return reactortest.Decision{Drop: cut.Load()}
	})
	rec := reactortest.NewRecorder[int]("sink")
	f := reactortest.NewFaulty(rec, partition)
	_ = f.Send(1)
	cut.Store(true)
	_ = f.Send(2)
	cut.Store(false)
	_ = f.Send(3)
	fmt.Println(rec.Events(), f.Stats().Dropped)
	// Output:
	// [1 3] 1
}

// A faulty link into a reactor, and a recorder as the barrier that tells
// the test the events have been handled.
func ExampleRecorder_WaitN() {
	sys := reactor.New()
	defer sys.Shutdown(context.Background())
	rec := reactortest.NewRecorder[int]("handled")
	dst, _ := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
		r.Main().Events().OnEvent(func(v int) { _ = rec.Send(v * v) })
	})
	link := reactortest.NewFaulty(dst, reactortest.Duplicate(0.5, 3)).Channel()
	for i := 1; i <= 4; i++ {
		_ = link.Send(i)
	}
	got, err := rec.WaitN(context.Background(), 4)
	fmt.Println(got[:4], err)
	// Output:
	// [1 1 4 9] <nil>
}

// A manual clock runs timers in due order, on the goroutine that advances
// it.
func ExampleManualClock() {
	clk := reactortest.NewManualClock()
	start := clk.Now()
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		clk.AfterFunc(d, func() { fmt.Println("timer", d, "at", clk.Now().Sub(start)) })
	}
	fmt.Println(clk.Advance(2*time.Second), "fired")
	next, _ := clk.Next()
	fmt.Println("next in", next)
	// Output:
	// timer 1s at 1s
	// timer 2s at 2s
	// 2 fired
	// next in 1s
}

// A Reaction prints as Stream's failure messages show it.
func ExampleReaction() {
	fmt.Println(reactortest.EventAt(1500*time.Millisecond, "tick"))
	fmt.Println(reactortest.ErrorAt[string](2 * time.Second))
	fmt.Println(reactortest.DoneAt[string](2 * time.Second))
	// Output:
	// event tick at 1.5s
	// error at 2s
	// done at 2s
}
