package events_test

import (
	"fmt"

	"github.com/reactors-go/reactors/events"
)

func ExampleEmitter() {
	var e events.Emitter[string]
	sub := e.Events().OnEvent(func(s string) { fmt.Println("got", s) })
	e.Events().OnDone(func() { fmt.Println("done") })
	e.Emit("a")
	sub.Unsubscribe()
	e.Emit("b") // only the OnDone observer is left; it ignores events
	e.Close()
	// Output:
	// got a
	// done
}

func ExampleIVar() {
	var answer events.IVar[int]
	answer.Events().OnEvent(func(v int) { fmt.Println("early subscriber:", v) })
	answer.Set(42)
	answer.Events().OnEvent(func(v int) { fmt.Println("late subscriber:", v) })
	// Output:
	// early subscriber: 42
	// late subscriber: 42
}
