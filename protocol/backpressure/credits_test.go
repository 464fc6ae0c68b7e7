package backpressure_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/protocol/backpressure"
)

func TestBackpressurePolicy(t *testing.T) {
	require.Equal(t, "Sliding(3)", backpressure.Sliding(3).String())
	require.Equal(t, "Batching(2)", backpressure.Batching(2).String())
	require.False(t, backpressure.Sliding(3).Batched())
	require.True(t, backpressure.Batching(3).Batched())
	require.Equal(t, 3, backpressure.Batching(3).Window())
	require.PanicsWithValue(t, "backpressure: Sliding: window < 1", func() { backpressure.Sliding(0) })
	require.PanicsWithValue(t, "backpressure: Batching: window < 1", func() { backpressure.Batching(-1) })
	require.Panics(t, func() { backpressure.NewCreditBuffer[int](backpressure.Policy{}) })
}

func TestCreditsIgnoreStaleAndDuplicateGrants(t *testing.T) {
	var c backpressure.Credits
	require.Zero(t, c.Available())
	require.False(t, c.Take(), "the zero account has no credit")
	require.True(t, c.Grant(backpressure.Credit{Limit: 3}))
	require.False(t, c.Grant(backpressure.Credit{Limit: 3}), "duplicate")
	require.False(t, c.Grant(backpressure.Credit{Limit: 2}), "stale")
	require.Equal(t, 3, c.Available())
	for range 3 {
		require.True(t, c.Take())
	}
	require.False(t, c.Take())
	require.Equal(t, uint64(3), c.Sent())
	require.False(t, c.Grant(backpressure.Credit{Limit: 1}), "a late credit")
	require.Zero(t, c.Available())
	require.True(t, c.Grant(backpressure.Credit{Limit: 5}))
	require.Equal(t, 2, c.Available())
	require.Equal(t, uint64(5), c.Limit())
}

func TestCreditBufferPolicies(t *testing.T) {
	for _, p := range []backpressure.Policy{backpressure.Sliding(2), backpressure.Batching(2)} {
		t.Run(p.String(), func(t *testing.T) {
			b := backpressure.NewCreditBuffer[string](p)
			require.Equal(t, backpressure.Credit{Limit: 2}, b.Hello())
			require.True(t, b.Push("a"))
			require.True(t, b.Push("b"))
			require.False(t, b.Push("c"), "full: the sender went beyond its credit")
			require.Equal(t, 2, b.Len())
			_, ok := b.Due(true)
			require.False(t, ok, "nothing consumed, nothing owed")

			v, ok := b.Pop()
			require.True(t, ok)
			require.Equal(t, "a", v)
			c, ok := b.Due(false)
			require.Equal(t, !p.Batched(), ok, "only Sliding returns credit within a turn")
			if ok {
				require.Equal(t, backpressure.Credit{Limit: 3}, c)
			}
			v, _ = b.Pop()
			require.Equal(t, "b", v)
			_, _ = b.Pop() // empty: changes nothing
			c, ok = b.Due(true)
			require.True(t, ok)
			require.Equal(t, backpressure.Credit{Limit: 4}, c)
			_, ok = b.Due(true)
			require.False(t, ok, "already granted")
			require.Equal(t, backpressure.Credit{Limit: 4}, b.Hello(), "a repeated hello gets the whole limit")
			require.Equal(t, uint64(2), b.Consumed())
		})
	}
}

// modelRun drives a sender's Credits and a receiver's CreditBuffer
// through the interleaving that ops encodes: sends, data arrivals (in
// order), consumption, ends of turns, and credit messages delivered in
// any order, duplicated and, if lossy, lost. After every step it checks
// the invariants; without loss it finally drains the link and checks that
// every event arrived and the sender has its whole window back.
func modelRun(t *testing.T, p backpressure.Policy, ops []byte, lossy bool) {
	var snd backpressure.Credits
	rcv := backpressure.NewCreditBuffer[uint64](p)
	window := uint64(p.Window())
	var data []uint64                             // events on their way, FIFO
	credits := []backpressure.Credit{rcv.Hello()} // credits on their way, any order
	next := uint64(0)                             // the value the consumer expects
	check := func(step int) {
		sent, consumed := snd.Sent(), rcv.Consumed()
		require.LessOrEqual(t, sent, snd.Limit(), "step %d: credit below zero", step)
		require.GreaterOrEqual(t, snd.Available(), 0, "step %d", step)
		require.LessOrEqual(t, sent-consumed, window, "step %d: in flight beyond the window", step)
		require.LessOrEqual(t, rcv.Len(), p.Window(), "step %d", step)
		require.Equal(t, sent, consumed+uint64(rcv.Len())+uint64(len(data)), "step %d: an event was lost", step)
		for _, c := range credits {
			require.LessOrEqual(t, c.Limit, consumed+window, "step %d: credit beyond the window", step)
		}
	}
	consume := func() {
		v, ok := rcv.Pop()
		if !ok {
			return
		}
		require.Equal(t, next, v, "events out of order")
		next++
		if c, ok := rcv.Due(false); ok {
			credits = append(credits, c)
		}
	}
	for i, op := range ops {
		arg := int(op >> 3)
		switch op & 7 {
		case 0, 1: // the producer sends while it can
			for range arg%3 + 1 {
				if !snd.Take() {
					require.Zero(t, snd.Available())
					break
				}
				data = append(data, snd.Sent()-1)
			}
		case 2: // the oldest event reaches the receiver
			if len(data) > 0 {
				require.True(t, rcv.Push(data[0]), "step %d: buffer overflow", i)
				data = data[1:]
			}
		case 3, 4: // the consumer takes an event
			consume()
		case 5: // the receiver's turn ends
			if c, ok := rcv.Due(true); ok {
				credits = append(credits, c)
			}
		case 6: // some credit arrives; odd args leave a duplicate on the way
			if len(credits) > 0 {
				k := arg % len(credits)
				snd.Grant(credits[k])
				if arg%2 == 0 {
					credits = append(credits[:k], credits[k+1:]...)
				}
			}
		case 7: // some credit is lost, or, without loss, arrives
			if len(credits) > 0 {
				k := arg % len(credits)
				if !lossy {
					snd.Grant(credits[k])
				}
				credits = append(credits[:k], credits[k+1:]...)
			}
		}
		check(i)
	}
	if lossy {
		return
	}
	// Every turn ends, so the receiver always reaches Due(true) at least
	// once more.
	for step := 0; step == 0 || len(data) > 0 || rcv.Len() > 0 || len(credits) > 0; step++ {
		require.Less(t, step, 10*len(ops)+100, "the link does not drain")
		for len(data) > 0 {
			require.True(t, rcv.Push(data[0]))
			data = data[1:]
		}
		for rcv.Len() > 0 {
			consume()
		}
		if c, ok := rcv.Due(true); ok {
			credits = append(credits, c)
		}
		for _, c := range credits {
			snd.Grant(c)
		}
		credits = credits[:0]
		check(-1)
	}
	require.Equal(t, snd.Sent(), next, "every event sent was consumed")
	require.Equal(t, p.Window(), snd.Available(), "the whole window is back")
}

func TestBackpressureCoreModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for run := range 400 {
		window := 1 + r.IntN(6)
		p := backpressure.Sliding(window)
		if run%2 == 1 {
			p = backpressure.Batching(window)
		}
		ops := make([]byte, 50+r.IntN(200))
		for i := range ops {
			ops[i] = byte(r.UintN(256))
		}
		lossy := run%4 >= 2
		modelRun(t, p, ops, lossy)
	}
}

func FuzzBackpressureCore(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 2, 3, 5, 6, 0, 2, 3, 14, 5, 7}, uint8(2), false, false)
	f.Add([]byte{8, 16, 2, 2, 2, 3, 3, 5, 6, 7, 0, 2, 3, 5, 6}, uint8(1), true, false)
	f.Add([]byte{0, 2, 3, 3, 5, 5, 15, 14, 0, 0, 2, 2, 4}, uint8(3), true, true)
	f.Fuzz(func(t *testing.T, ops []byte, window uint8, batching, lossy bool) {
		w := int(window%8) + 1
		p := backpressure.Sliding(w)
		if batching {
			p = backpressure.Batching(w)
		}
		modelRun(t, p, ops, lossy)
	})
}
