package reactortest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rt "github.com/reactors-go/reactors/reactortest"
)

// The fuzz test below checks the faulty channel against a plain model of
// the script semantics (see Decision and Flush): lists instead of heaps
// and reused buffers, no clock timers. The fuzz input chooses the
// decisions and the sequence of sends, flushes and clock moves. Delays
// are given to the last stage only, where their order is that of their
// due times alone.

// fuzzDecision derives stage i's decision for its seq-th event, with held
// events held, from data.
func fuzzDecision(data []byte, stages, i int, seq uint64, held int) rt.Decision {
	k := int(seq)*5 + i*3 + held*11
	b, b2 := data[k%len(data)], data[(k+1)%len(data)]
	d := rt.Decision{
		Drop:       b&7 == 0,
		Duplicates: int(b>>3) & 1,
		Hold:       b>>4&3 == 0,
		Before:     int(b2 & 3),
		Release:    b>>6&1 == 1,
	}
	if i == stages-1 {
		d.Delay = time.Duration(b2>>2&3) * time.Millisecond
	}
	return d
}

// model is the reference: stages with plain hold lists; the last stage's
// delayed events in a list sorted by due time, then by order of delay.
type model struct {
	data    []byte
	stages  int
	seq     []uint64
	held    [][]int
	delayed []modelDelayed
	now     time.Duration
	out     []int
}

type modelDelayed struct {
	due time.Duration
	v   int
}

func (m *model) push(i, v int) {
	if i == m.stages {
		m.out = append(m.out, v)
		return
	}
	d := fuzzDecision(m.data, m.stages, i, m.seq[i], len(m.held[i]))
	m.seq[i]++
	if !d.Drop {
		for range 1 + d.Duplicates {
			switch {
			case d.Hold:
				at := len(m.held[i]) - min(d.Before, len(m.held[i]))
				m.held[i] = slices.Insert(m.held[i], at, v)
			case d.Delay > 0:
				e := modelDelayed{m.now + d.Delay, v}
				at := len(m.delayed)
				for at > 0 && m.delayed[at-1].due > e.due {
					at--
				}
				m.delayed = slices.Insert(m.delayed, at, e)
			default:
				m.push(i+1, v)
			}
		}
	}
	if d.Release {
		m.release(i)
	}
}

func (m *model) release(i int) {
	h := m.held[i]
	m.held[i] = nil
	for _, v := range h {
		m.push(i+1, v)
	}
}

func (m *model) flush() {
	for i := range m.stages {
		if i == m.stages-1 {
			for _, e := range m.delayed {
				m.push(i+1, e.v)
			}
			m.delayed = nil
		}
		m.release(i)
	}
}

func (m *model) advance(d time.Duration) {
	m.now += d
	for len(m.delayed) > 0 && m.delayed[0].due <= m.now {
		m.out = append(m.out, m.delayed[0].v)
		m.delayed = m.delayed[1:]
	}
}

func (m *model) pending() int {
	n := len(m.delayed)
	for _, h := range m.held {
		n += len(h)
	}
	return n
}

func FuzzScriptMatchesModel(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []byte{0, 0, 0, 2, 1, 3, 0})
	f.Add([]byte{0x10, 0x50, 0x08, 0x48, 0xff, 0x07}, []byte{0, 1, 0, 1, 7, 0, 2, 0, 11})
	f.Add([]byte{0x5a, 0x13, 0x00, 0x91, 0x40, 0x22, 0x71, 0x0c}, []byte{1, 1, 1, 1, 1, 1, 15, 2, 1, 1, 3})
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		if len(data) == 0 || len(ops) > 500 {
			return
		}
		stages := 1 + int(data[0])%3
		m := &model{data: data, stages: stages, seq: make([]uint64, stages), held: make([][]int, stages)}
		var scripts []rt.Script
		for i := range stages {
			scripts = append(scripts, rt.Func(func(seq uint64, held int) rt.Decision {
				return fuzzDecision(data, stages, i, seq, held)
			}))
		}
		clk := rt.NewManualClock()
		rec := rt.NewRecorder[int]("sink")
		fc := rt.NewFaulty(rec, rt.Chain(scripts...), rt.WithClock(clk))
		next := 0
		for _, op := range ops {
			switch op % 4 {
			case 0, 1:
				require.NoError(t, fc.Send(next))
				m.push(0, next)
				next++
			case 2:
				fc.Flush()
				m.flush()
			case 3:
				d := time.Duration(op>>2%4) * time.Millisecond
				clk.Advance(d)
				m.advance(d)
			}
			require.Equal(t, m.out, rec.Events())
			st := fc.Stats()
			require.Equal(t, m.pending(), st.Pending)
			requireBalanced(t, st)
		}
		fc.Flush()
		m.flush()
		require.Equal(t, m.out, rec.Events())
		require.Zero(t, fc.Stats().Pending)
		require.Zero(t, clk.Pending())
	})
}
