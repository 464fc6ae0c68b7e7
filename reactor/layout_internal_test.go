package reactor

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestFrameIsTheReactorsAddress checks what frame.typed relies on: the
// frame is the first field of every Reactor, so the frame's address is
// the reactor's, and the method table kept at spawn rebuilds the very
// interface value that the reactor converts to.
func TestFrameIsTheReactorsAddress(t *testing.T) {
	type big struct {
		A [5]string
		B int8
	}
	check := func(offset uintptr, r typed, f *frame) {
		require.Zero(t, offset)
		require.Equal(t, r, f.typed())
		require.True(t, r == f.typed())
	}
	r1 := new(Reactor[int64])
	r1.f.tab = typedTab(r1)
	check(unsafe.Offsetof(r1.f), r1, &r1.f)
	r2 := new(Reactor[big])
	r2.f.tab = typedTab(r2)
	check(unsafe.Offsetof(r2.f), r2, &r2.f)
	r3 := new(Reactor[struct{}])
	r3.f.tab = typedTab(r3)
	check(unsafe.Offsetof(r3.f), r3, &r3.f)
}

// TestIdleReactorSize checks the documented cost of a reactor: a
// Reactor[int64] fits Go's 144-byte size class, the one allocation
// [Spawn] makes.
func TestIdleReactorSize(t *testing.T) {
	require.LessOrEqual(t, unsafe.Sizeof(Reactor[int64]{}), uintptr(144))
}
