package events_test

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/reactors-go/reactors/events"
)

func ExampleMap() {
	var temps events.Emitter[float64]
	events.Map(temps.Events(), func(c float64) string { return fmt.Sprintf("%.1f°F", c*9/5+32) }).
		OnEvent(func(s string) { fmt.Println(s) })
	temps.Emit(20)
	temps.Emit(-40)
	// Output:
	// 68.0°F
	// -40.0°F
}

func ExampleTryMap() {
	var input events.Emitter[string]
	events.TryMap(input.Events(), strconv.Atoi).Subscribe(&events.Funcs[int]{
		Event: func(n int) { fmt.Println("number", n) },
		Error: func(err error) { fmt.Println("error:", err) },
	})
	input.Emit("42")
	input.Emit("forty-two") // becomes an error event; the stream goes on
	input.Emit("7")
	// Output:
	// number 42
	// error: strconv.Atoi: parsing "forty-two": invalid syntax
	// number 7
}

func ExampleScan() {
	var deposits events.Emitter[int]
	events.Scan(deposits.Events().Filter(func(d int) bool { return d > 0 }), 100, func(balance, d int) int {
		return balance + d
	}).OnEvent(func(balance int) { fmt.Println("balance", balance) })
	deposits.Emit(10)
	deposits.Emit(-5) // filtered out
	deposits.Emit(25)
	// Output:
	// balance 110
	// balance 135
}

func ExampleReduce() {
	var words events.Emitter[string]
	events.Reduce(words.Events(), 0, func(n int, w string) int { return n + len(w) }).
		OnEventOrDone(func(total int) { fmt.Println("letters:", total) }, func() { fmt.Println("done") })
	words.Emit("push")
	words.Emit("based")
	words.Close() // the fold is emitted only now
	// Output:
	// letters: 9
	// done
}

func ExampleChanged() {
	var level events.Emitter[string]
	events.Changed(level.Events()).OnEvent(func(s string) { fmt.Println(s) })
	for _, s := range []string{"low", "low", "high", "high", "low"} {
		level.Emit(s)
	}
	// Output:
	// low
	// high
	// low
}

func ExampleEvents_Recover() {
	errTimeout := errors.New("timeout")
	var replies events.Emitter[string]
	replies.Events().Recover(func(err error) (string, bool) {
		if errors.Is(err, errTimeout) {
			return "(no reply)", true
		}
		return "", false
	}).OnEvent(func(s string) { fmt.Println(s) })
	replies.Emit("pong")
	replies.EmitError(errTimeout)
	// Output:
	// pong
	// (no reply)
}

func ExampleMaterialize() {
	var e events.Emitter[int]
	events.Materialize(e.Events()).OnEvent(func(r events.Reaction[int]) {
		switch r.Kind {
		case events.EventReaction:
			fmt.Println(r.Kind, r.Value)
		case events.ErrorReaction:
			fmt.Println(r.Kind, r.Err)
		case events.DoneReaction:
			fmt.Println(r.Kind)
		}
	})
	e.Emit(1)
	e.EmitError(errors.New("oops"))
	e.Close()
	// Output:
	// event 1
	// error oops
	// done
}
