package gid

import (
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCurrentStableAndDistinct(t *testing.T) {
	if !Supported {
		t.Skip("goroutine identity is not available on this architecture")
	}
	me := Current()
	if me == 0 || me != Current() {
		t.Fatalf("Current() = %#x, then %#x; want a stable non-zero word", me, Current())
	}
	const n = 8
	ids := make([]uintptr, n)
	var wg sync.WaitGroup
	var ready, release sync.WaitGroup
	ready.Add(n)
	release.Add(1)
	for i := range n {
		wg.Go(func() {
			ids[i] = Current()
			ready.Done()
			release.Wait() // keep every goroutine alive until all have read their id
		})
	}
	ready.Wait()
	release.Done()
	wg.Wait()
	seen := map[uintptr]bool{me: true}
	for i, id := range ids {
		if seen[id] {
			t.Fatalf("goroutine %d shares id %#x with another live goroutine", i, id)
		}
		seen[id] = true
	}
}
