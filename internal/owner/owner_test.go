package owner

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/internal/gid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCurrentPerGoroutine(t *testing.T) {
	if !gid.Supported {
		t.Skip("goroutine identity is not available on this architecture")
	}
	require.Zero(t, Current(), "an unregistered goroutine runs no reactor")
	const n = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			s := Register()
			defer s.Unregister()
			<-start
			for k := range 100 {
				tok := uint64(i*1000 + k + 1)
				s.Set(tok)
				if Current() != tok {
					errs <- "wrong token"
					return
				}
				s.Set(0)
				if Current() != 0 {
					errs <- "token not cleared"
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	require.Zero(t, Current())
	mu.Lock()
	require.Empty(t, all)
	mu.Unlock()
}

func BenchmarkCurrent(b *testing.B) {
	s := Register()
	defer s.Unregister()
	s.Set(7)
	for b.Loop() {
		if Current() != 7 {
			b.Fatal("wrong token")
		}
	}
}

// TestGuestSlots: a guest slot is found by Lookup for its holder only,
// all of them can be held at once and then none is left, a released slot
// serves the next goroutine, and a goroutine that takes a slot again
// gets the same one while nobody else holds it.
func TestGuestSlots(t *testing.T) {
	if !gid.Supported {
		t.Skip("goroutine identity is not available on this architecture")
	}
	s := Guest()
	require.NotNil(t, s)
	s.Set(42)
	require.Equal(t, uint64(42), Current())
	require.True(t, s.Mine())
	other := make(chan uint64)
	go func() { other <- Current() }()
	require.Zero(t, <-other, "another goroutine does not see the guest's token")
	s.Release()
	require.Zero(t, Current())
	again := Guest()
	require.Same(t, s, again, "a goroutine that takes a slot again gets its own one back")
	again.Release()

	// Hold every guest slot from separate goroutines: most of them find
	// their own slot taken and hold another, which Lookup still finds.
	held := make(chan *Slot, len(guests))
	seen := make(chan bool, len(guests))
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := range len(guests) {
		wg.Go(func() {
			g := Guest()
			held <- g
			if g != nil {
				g.Set(uint64(100 + i))
				seen <- Current() == uint64(100+i)
			}
			<-release
			if g != nil {
				g.Release()
			}
		})
	}
	for range len(guests) {
		require.NotNil(t, <-held)
		require.True(t, <-seen, "a goroutine finds the guest slot it holds, its own or another")
	}
	require.Nil(t, Guest(), "all guest slots are taken")
	close(release)
	wg.Wait()
	require.Zero(t, lent.Load(), "every mark is cleared on release")
	s = Guest()
	require.NotNil(t, s)
	s.Release()

	// A goroutine whose own slot is held gets another, marked in lent,
	// and finds it.
	own := &guests[ownGuest(gid.Current())].Slot
	require.True(t, own.g.CompareAndSwap(0, 1), "stand in for another holder")
	s = Guest()
	require.NotNil(t, s)
	require.NotSame(t, own, s)
	require.Equal(t, s.bit, lent.Load())
	s.Set(7)
	require.Equal(t, uint64(7), Current())
	s.Release()
	require.Zero(t, lent.Load())
	own.g.Store(0)
	s = Guest()
	require.Same(t, own, s, "the own slot again once free, unmarked")
	require.Zero(t, lent.Load())
	s.Release()
}

// TestDrawSpreadsItsHighBits draws from a slot and from nil: the top six
// bits, which sampling tests, fall evenly in their 64 buckets.
func TestDrawSpreadsItsHighBits(t *testing.T) {
	for _, s := range []*Slot{{}, nil} {
		var buckets [64]int
		const per = 1000
		for range 64 * per {
			buckets[s.Draw()>>26]++
		}
		for i, n := range buckets {
			require.InDelta(t, per, n, per/3, "bucket %d of slot %p", i, s)
		}
	}
}
