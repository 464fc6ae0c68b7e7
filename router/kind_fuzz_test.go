package router_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/router"
)

// kindModel is what a Kinds should hold for one kind: its handlers in
// registration order and the round-robin counter of its policy.
type kindModel struct {
	handlers []int
	picks    int
}

// FuzzKindsModel runs a random sequence of Handle, Unhandle, Post and
// SetKindPolicy over two versions of a kind and three handlers, and checks
// every post against the model: the handler it reaches (round-robin
// continues from its counter when the set changes, and starts over with a
// new policy), or ErrNoRoute when the kind has no handler.
func FuzzKindsModel(f *testing.F) {
	f.Add([]byte{0, 2, 6, 10, 14, 1, 18})
	f.Add([]byte{0, 4, 8, 2, 2, 2, 5, 2, 2, 3, 2, 12, 2, 13, 2})
	f.Add([]byte{2, 3, 16, 20, 24, 6, 6, 6, 9, 6, 11, 6, 7, 6})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 200 {
			ops = ops[:200]
		}
		type delivery struct{ handler, v int }
		got := make(chan delivery, 1)
		sys := newSys(t)
		k := router.NewKinds(sys)
		chans := make([]reactor.Channel[int], 3)
		for i := range chans {
			ch, err := reactor.Spawn(sys, func(r *reactor.Reactor[int]) {
				r.Main().Events().OnEvent(func(v int) { got <- delivery{i, v} })
			})
			if err != nil {
				t.Fatal(err)
			}
			chans[i] = ch
		}
		var model [2]kindModel
		for step, op := range ops {
			// Bits 0-1: the operation; bit 2: the version; bits 3-4: the
			// handler (3 means handler 0).
			ver, h := int(op>>2&1), int(op>>3&3)%3
			kind := router.Kind[int]{Name: "model", Version: uint32(ver)}
			m := &model[ver]
			switch op & 3 {
			case 0:
				if err := router.Handle(k, kind, chans[h]); err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(m.handlers, h) {
					m.handlers = append(m.handlers, h)
				}
			case 1:
				if err := router.Unhandle(k, kind, chans[h]); err != nil {
					t.Fatal(err)
				}
				m.handlers = slices.DeleteFunc(m.handlers, func(x int) bool { return x == h })
			case 2:
				err := router.Post(k, kind, step)
				if len(m.handlers) == 0 {
					if !errors.Is(err, router.ErrNoRoute) {
						t.Fatalf("step %d: post to a kind with no handler: %v", step, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				want := delivery{m.handlers[m.picks%len(m.handlers)], step}
				m.picks++
				select {
				case d := <-got:
					if d != want {
						t.Fatalf("step %d: got %+v, want %+v (handlers %v)", step, d, want, m.handlers)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("step %d: nothing delivered, want %+v", step, want)
				}
			case 3:
				if err := router.SetKindPolicy(k, kind, nil); err != nil {
					t.Fatal(err)
				}
				m.picks = 0
			}
			var want []reactor.Channel[int]
			for _, i := range m.handlers {
				want = append(want, chans[i])
			}
			requireHandlers(t, router.Handlers(k, kind), want...)
		}
	})
}

// requireHandlers checks got against want with ==, the identity of
// channels (a deep comparison would read the reactors' live state).
func requireHandlers(t *testing.T, got []reactor.Channel[int], want ...reactor.Channel[int]) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("handlers %v, want %v", chanNames(got), chanNames(want))
	}
}

func chanNames(cs []reactor.Channel[int]) []string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name())
	}
	return names
}
