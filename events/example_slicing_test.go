package events_test

import (
	"fmt"

	"github.com/reactors-go/reactors/events"
)

func ExampleEvents_Take() {
	var e events.Emitter[int]
	e.Events().Take(2).OnEventOrDone(func(v int) { fmt.Println(v) }, func() { fmt.Println("done") })
	e.Emit(1)
	e.Emit(2) // the second event ends the stream and unsubscribes from e
	e.Emit(3)
	fmt.Println("e still observed:", e.HasSubscribers())
	// Output:
	// 1
	// 2
	// done
	// e still observed: false
}

func ExampleEvents_Last() {
	var iv events.IVar[string]
	iv.Set("only")
	// A completed IVar replays its value and completion inside Subscribe.
	iv.Events().Last().OnEvent(func(s string) { fmt.Println("last:", s) })
	// Output:
	// last: only
}

func ExampleBatch() {
	var e events.Emitter[int]
	events.Batch(e.Events(), 3).OnEvent(func(b []int) { fmt.Println(b) })
	for v := 1; v <= 7; v++ {
		e.Emit(v)
	}
	e.Close() // flushes the short final group
	// Output:
	// [1 2 3]
	// [4 5 6]
	// [7]
}

func ExampleSliding() {
	var e events.Emitter[int]
	events.Sliding(e.Events(), 3).OnEvent(func(w []int) { fmt.Println(w) })
	for v := 1; v <= 4; v++ {
		e.Emit(v)
	}
	// Output:
	// [1]
	// [1 2]
	// [1 2 3]
	// [2 3 4]
}

func ExampleEvents_Partition() {
	var e events.Emitter[int]
	even, odd := e.Events().Partition(func(v int) bool { return v%2 == 0 })
	even.OnEvent(func(v int) { fmt.Println("even", v) })
	odd.OnEvent(func(v int) { fmt.Println("odd", v) })
	e.Emit(1)
	e.Emit(2)
	// Output:
	// odd 1
	// even 2
}

func ExampleEvents_Every() {
	var ticks events.Emitter[int]
	ticks.Events().Every(3).OnEvent(func(v int) { fmt.Println("tick", v) })
	for v := 1; v <= 7; v++ {
		ticks.Emit(v)
	}
	// Output:
	// tick 3
	// tick 6
}
