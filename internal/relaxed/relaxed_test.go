package relaxed_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/internal/relaxed"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestReaderSeesTheWritersLastValue checks that values written with
// relaxed stores reach a reader's atomic loads: a reader waiting for the
// writer's last value sees it, and never a value the writer did not
// write (each written value has the same word in both halves).
func TestReaderSeesTheWritersLastValue(t *testing.T) {
	const n = 100_000
	var u atomic.Uint64
	var s atomic.Int64
	var w atomic.Uint32
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := uint64(1); i <= n; i++ {
			relaxed.StoreUint64(&u, i<<32|i)
			relaxed.StoreInt64(&s, -int64(i))
			relaxed.StoreUint32(&w, uint32(i))
		}
	})
	wg.Go(func() {
		for {
			v := u.Load()
			if v>>32 != v&0xffffffff {
				t.Errorf("torn value %#x", v)
				return
			}
			if v == n<<32|n {
				return
			}
		}
	})
	wg.Wait()
	require.Equal(t, int64(-n), s.Load())
	require.Equal(t, uint32(n), w.Load())
}
