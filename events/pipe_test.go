package events_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
)

// pipeSender records what it is sent and refuses the values in refuse.
type pipeSender struct {
	sent   []int
	refuse map[int]bool
}

func (s *pipeSender) Send(v int) error {
	if s.refuse[v] {
		return errors.New("refused")
	}
	s.sent = append(s.sent, v)
	return nil
}

func TestPipe(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, s *pipeSender)
		want []int
	}{
		{"sends every event; a failed Send is dropped", func(t *testing.T, s *pipeSender) {
			var e events.Emitter[int]
			e.Events().Pipe(s)
			e.Emit(1)
			e.Emit(2) // refused
			e.Emit(3)
			e.Close()
			e.Emit(4)
		}, []int{1, 3}},
		{"unsubscribe", func(t *testing.T, s *pipeSender) {
			var e events.Emitter[int]
			sub := e.Events().Pipe(s)
			e.Emit(1)
			sub.Unsubscribe()
			combineIdle(t, &e)
			e.Emit(3)
		}, []int{1}},
		{"unsubscribe from a handler", func(t *testing.T, s *pipeSender) {
			var e events.Emitter[int]
			var sub events.Subscription
			e.Events().OnEvent(func(v int) {
				if v == 3 {
					sub.Unsubscribe()
				}
			})
			sub = e.Events().Pipe(s)
			e.Emit(1)
			e.Emit(3) // the first handler removes the pipe before it runs
			e.Emit(5)
		}, []int{1}},
		{"a source that completes during Subscribe", func(t *testing.T, s *pipeSender) {
			src := combineSync(1, 2, 3)
			src.events().Pipe(s)
		}, []int{1, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &pipeSender{refuse: map[int]bool{2: true}}
			c.run(t, s)
			require.Equal(t, c.want, s.sent)
		})
	}
	t.Run("errors are unhandled", func(t *testing.T) {
		var e events.Emitter[int]
		e.Events().Pipe(&pipeSender{})
		defer func() {
			ue, ok := recover().(*events.UnhandledError)
			require.True(t, ok)
			require.ErrorIs(t, ue, errCombine)
		}()
		e.EmitError(errCombine)
		t.Fatal("an error must reach no handler silently")
	})
	t.Run("nil sender", func(t *testing.T) {
		var e events.Emitter[int]
		require.PanicsWithValue(t, "events: Pipe to nil", func() { e.Events().Pipe(nil) })
	})
}

func TestToIVar(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T) *events.IVar[int]
		want int
		err  error // nil: assigned with want; ErrNotCompleted: still open
	}{
		{"the first event", func(t *testing.T) *events.IVar[int] {
			var e events.Emitter[int]
			iv := e.Events().ToIVar()
			require.False(t, iv.Completed())
			e.Emit(1)
			combineIdle(t, &e)
			e.Emit(2)
			return iv
		}, 1, nil},
		{"an error first", func(t *testing.T) *events.IVar[int] {
			var e events.Emitter[int]
			iv := e.Events().ToIVar()
			e.EmitError(errCombine)
			combineIdle(t, &e)
			return iv
		}, 0, errCombine},
		{"done without an event", func(t *testing.T) *events.IVar[int] {
			var e events.Emitter[int]
			iv := e.Events().ToIVar()
			e.Close()
			return iv
		}, 0, events.ErrNoEvent},
		{"no event yet", func(t *testing.T) *events.IVar[int] {
			var e events.Emitter[int]
			return e.Events().ToIVar()
		}, 0, events.ErrNotCompleted},
		{"a source that completes during Subscribe", func(t *testing.T) *events.IVar[int] {
			s := combineSync(1, 2)
			iv := s.events().ToIVar()
			s.released(t)
			return iv
		}, 1, nil},
		{"a failed IVar", func(t *testing.T) *events.IVar[int] {
			src := new(events.IVar[int])
			src.Fail(errCombine)
			return src.Events().ToIVar()
		}, 0, errCombine},
		{"completed by its own subscriber", func(t *testing.T) *events.IVar[int] {
			var e events.Emitter[int]
			iv := e.Events().ToIVar()
			iv.Events().OnEvent(func(v int) { e.Emit(v + 1) }) // re-entrant: ignored
			e.Emit(1)
			combineIdle(t, &e)
			return iv
		}, 1, nil},
		{"through a combinator", func(t *testing.T) *events.IVar[int] {
			var e events.Emitter[int]
			iv := events.Until(e.Events(), combineClosed[int]()).ToIVar()
			e.Emit(7)
			return iv
		}, 7, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := c.run(t).Value()
			if c.err != nil {
				require.ErrorIs(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, v)
		})
	}
}

func ExampleEvents_Pipe() {
	var e events.Emitter[string]
	var ch pipePrintSender // a reactor.Channel[string] in real code
	sub := e.Events().Pipe(ch)
	e.Emit("hello")
	sub.Unsubscribe()
	e.Emit("lost")
	// Output:
	// sent hello
}

// pipePrintSender is a Sender that prints.
type pipePrintSender struct{}

func (pipePrintSender) Send(s string) error {
	fmt.Println("sent", s)
	return nil
}

func ExampleEvents_ToIVar() {
	var replies events.Emitter[string]
	first := replies.Events().ToIVar()
	replies.Emit("pong")
	replies.Emit("pong again") // ignored: the IVar is set
	fmt.Println(first.Value())
	// Output:
	// pong <nil>
}
