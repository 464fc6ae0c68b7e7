package queue

import (
	"reflect"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMPSCSequentialFIFO(t *testing.T) {
	var q MPSC[int]
	require.True(t, q.Empty())
	_, ok := q.Pop()
	require.False(t, ok)
	for round := range 3 { // refill after draining, across many segments
		for i := range 1000 {
			q.Push(round*1000 + i)
		}
		require.False(t, q.Empty())
		for i := range 1000 {
			v, ok := q.Pop()
			require.True(t, ok)
			require.Equal(t, round*1000+i, v)
		}
		require.True(t, q.Empty())
	}
}

// TestMPSCConcurrentProducers checks that every pushed element is popped
// exactly once and that each producer's elements come out in push order.
func TestMPSCConcurrentProducers(t *testing.T) {
	const producers, each = 8, 20000
	var q MPSC[[2]int]
	var wg sync.WaitGroup
	start := make(chan struct{})
	for p := range producers {
		wg.Go(func() {
			<-start
			for i := range each {
				q.Push([2]int{p, i})
			}
		})
	}
	close(start)
	next := make([]int, producers)
	got := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for got < producers*each {
		v, ok := q.Pop()
		if !ok {
			select {
			case <-done:
				if q.Empty() && got < producers*each {
					t.Fatalf("queue empty after producers finished with %d of %d popped", got, producers*each)
				}
			default:
			}
			continue
		}
		require.Equal(t, next[v[0]], v[1], "producer %d out of order", v[0])
		next[v[0]]++
		got++
	}
	<-done
	require.True(t, q.Empty())
}

func TestRingBounds(t *testing.T) {
	r := NewRing[int](3)
	require.Equal(t, 3, r.Cap())
	for i := range 3 {
		require.True(t, r.Push(i))
	}
	require.False(t, r.Push(9), "push into a full ring must fail")
	require.Equal(t, 3, r.Len())
	for lap := range 5 { // wrap around several times
		v, ok := r.Pop()
		require.True(t, ok)
		require.Equal(t, lap, v)
		require.True(t, r.Push(lap+3))
	}
	for i := 5; i < 8; i++ {
		v, ok := r.Pop()
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	_, ok := r.Pop()
	require.False(t, ok)
	require.Equal(t, 0, r.Len())

	one := NewRing[int](1) // capacity 1 must still tell full from free
	require.True(t, one.Push(1))
	require.False(t, one.Push(2))
	v, ok := one.Pop()
	require.True(t, ok)
	require.Equal(t, 1, v)
	_, ok = one.Pop()
	require.False(t, ok)
	require.True(t, one.Push(3))
	require.False(t, one.Push(4))

	var zero Ring[int]
	require.False(t, zero.Push(1))
	_, ok = zero.Pop()
	require.False(t, ok)
	require.Panics(t, func() { NewRing[int](0) })
}

// TestRingEvictOldest runs producers that evict the oldest element when the
// ring is full (the drop-oldest policy) against one consumer: every element
// is either popped by the consumer or evicted, exactly once, and per-producer
// order holds among the consumed ones.
func TestRingEvictOldest(t *testing.T) {
	const producers, each = 4, 20000
	r := NewRing[[2]int](16)
	var evicted [producers]int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				for !r.Push([2]int{p, i}) {
					if v, ok := r.Pop(); ok {
						mu.Lock()
						evicted[v[0]]++
						mu.Unlock()
					}
				}
			}
		})
	}
	last := [producers]int{-1, -1, -1, -1}
	consumed := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; ; {
		v, ok := r.Pop()
		if ok {
			require.Greater(t, v[1], last[v[0]], "producer %d out of order", v[0])
			last[v[0]] = v[1]
			consumed++
			continue
		}
		if finished {
			break
		}
		select {
		case <-done:
			finished = true
		default:
		}
	}
	total := consumed
	for _, e := range evicted {
		total += e
	}
	require.Equal(t, producers*each, total)
}

func TestMPSCReleaseDropsDrainedSegment(t *testing.T) {
	var q MPSC[int]
	require.False(t, q.Release(), "nothing to release")
	q.Push(1)
	require.False(t, q.Release(), "an unread element pins the segment")
	v, ok := q.Pop()
	require.True(t, ok)
	require.Equal(t, 1, v)
	require.True(t, q.Release())
	require.True(t, q.Empty())
	q.Push(2) // the queue starts over
	v, ok = q.Pop()
	require.True(t, ok)
	require.Equal(t, 2, v)
}

// TestMPSCReleaseUnderConcurrentPush releases whenever the consumer finds
// the queue empty while producers push: nothing is lost or reordered.
func TestMPSCReleaseUnderConcurrentPush(t *testing.T) {
	const producers, each = 4, 20000
	var q MPSC[[2]int]
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				q.Push([2]int{p, i})
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	next := make([]int, producers)
	got, releases := 0, 0
	for finished := false; ; {
		v, ok := q.Pop()
		if ok {
			require.Equal(t, next[v[0]], v[1], "producer %d out of order", v[0])
			next[v[0]]++
			got++
			continue
		}
		if q.Release() {
			releases++
		}
		if finished {
			if q.Empty() {
				break
			}
			continue
		}
		select {
		case <-done:
			finished = true
		default:
		}
	}
	require.Equal(t, producers*each, got)
	t.Logf("%d releases", releases)
}

func TestMPSCDrainedCountsUnpublishedSlots(t *testing.T) {
	var q MPSC[int]
	require.True(t, q.Drained())
	q.Push(1)
	require.False(t, q.Drained())
	// Claim slot 1 without publishing it, as a producer paused mid-push
	// would, then publish slot 2 behind it.
	s := q.tail.Load()
	q.Pop()
	s.claim.Add(1)
	q.Push(3)
	require.True(t, q.Empty(), "the oldest slot is unpublished")
	require.False(t, q.Drained(), "but elements are pending")
}

func TestHasPointers(t *testing.T) {
	//lint:ignore U1000 the fields are what the test inspects, by reflection
	type plain struct {
		a int64
		b [3]float64
		c bool
	}
	//lint:ignore U1000 the fields are what the test inspects, by reflection
	type withPtr struct {
		a int64
		p *int
	}
	for _, c := range []struct {
		t    reflect.Type
		want bool
	}{
		{reflect.TypeFor[int64](), false},
		{reflect.TypeFor[plain](), false},
		{reflect.TypeFor[[0]*int](), false},
		{reflect.TypeFor[[2]plain](), false},
		{reflect.TypeFor[string](), true},
		{reflect.TypeFor[[]int](), true},
		{reflect.TypeFor[withPtr](), true},
		{reflect.TypeFor[[2]withPtr](), true},
		{reflect.TypeFor[any](), true},
		{reflect.TypeFor[func()](), true},
		{reflect.TypeFor[chan int](), true},
		{reflect.TypeFor[map[int]int](), true},
	} {
		require.Equal(t, c.want, hasPointers(c.t), c.t.String())
	}
}

// TestMPSCPopClearsPointerSlots: a popped element that holds a pointer is
// not kept alive by its slot; plain values are left in place.
func TestMPSCPopClearsPointerSlots(t *testing.T) {
	var q MPSC[*int]
	x := 1
	q.Push(&x)
	v, ok := q.Pop()
	require.True(t, ok)
	require.Same(t, &x, v)
	require.Nil(t, q.head.Load().cons[0].v)
}

// TestMPSCPushReturnsItsPosition checks the positions Push returns: 0, 1,
// 2... across segments on one goroutine, each position once and rising
// per producer with several, and 0 again after a Release.
func TestMPSCPushReturnsItsPosition(t *testing.T) {
	var q MPSC[int]
	for i := range 1000 {
		require.Equal(t, uint64(i), q.Push(i))
	}
	for range 1000 {
		_, ok := q.Pop()
		require.True(t, ok)
	}
	require.True(t, q.Release())
	require.Equal(t, uint64(0), q.Push(0), "a released queue starts over")

	const producers, each = 4, 5000
	var c MPSC[int]
	pos := make([][]uint64, producers)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				pos[p] = append(pos[p], c.Push(i))
			}
		})
	}
	wg.Wait()
	seen := make([]bool, producers*each)
	for p := range producers {
		for i, x := range pos[p] {
			require.Less(t, x, uint64(len(seen)))
			require.False(t, seen[x], "position %d twice", x)
			seen[x] = true
			if i > 0 {
				require.Greater(t, x, pos[p][i-1], "producer %d", p)
			}
		}
	}
}
