package reactortest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

// discard is a target that counts and forgets.
type discard struct{ n int }

func (d *discard) Send(int) error { d.n++; return nil }
func (d *discard) Name() string   { return "discard" }

var benchScripts = []struct {
	name   string
	script rt.Script
}{
	{"none", rt.Script{}},
	{"drop", rt.Drop(0.1, 1)},
	{"duplicate", rt.Duplicate(0.1, 1)},
	{"reorder8", rt.Reorder(8, 1)},
	{"drop+duplicate+reorder8", rt.Chain(rt.Drop(0.1, 1), rt.Duplicate(0.1, 2), rt.Reorder(8, 3))},
}

// TestSendAllocatesNothing checks the steady-state cost promised by the
// docs: no allocation per Send without delays.
func TestSendAllocatesNothing(t *testing.T) {
	for _, bs := range benchScripts {
		f := rt.NewFaulty[int](&discard{}, bs.script)
		for i := range 1000 { // warm the buffers up
			_ = f.Send(i)
		}
		allocs := testing.AllocsPerRun(1000, func() { _ = f.Send(1) })
		require.Zero(t, allocs, bs.name)
	}
}

func BenchmarkSend(b *testing.B) {
	for _, bs := range benchScripts {
		b.Run(bs.name, func(b *testing.B) {
			f := rt.NewFaulty[int](&discard{}, bs.script)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				_ = f.Send(i)
			}
		})
	}
	// Timed scripts on a manual clock that moves 1 µs per event.
	for _, bs := range []struct {
		name   string
		script rt.Script
	}{
		{"delay-manual-clock", rt.Delay(time.Millisecond)},
		{"jitter-manual-clock", rt.Jitter(time.Millisecond, 1)},
	} {
		b.Run(bs.name, func(b *testing.B) {
			clk := rt.NewManualClock()
			f := rt.NewFaulty[int](&discard{}, bs.script, rt.WithClock(clk))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				_ = f.Send(i)
				if i%100 == 99 {
					clk.Advance(100 * time.Microsecond)
				}
			}
		})
	}
	b.Run("parallel-drop", func(b *testing.B) {
		f := rt.NewFaulty[int](&discard{}, rt.Drop(0.1, 1))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = f.Send(1)
			}
		})
	})
}
