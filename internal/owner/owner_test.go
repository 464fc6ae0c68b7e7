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
