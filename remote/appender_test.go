package remote_test

import (
	"encoding/binary"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// u64Codec is a binary codec with an Appender; appends counts its
// AppendEncode calls.
type u64Codec struct{ appends *atomic.Int64 }

func (u64Codec) Encode(v uint64) ([]byte, error) { return binary.BigEndian.AppendUint64(nil, v), nil }

func (c u64Codec) AppendEncode(dst []byte, v uint64) ([]byte, error) {
	c.appends.Add(1)
	if v == 13 {
		return dst, errors.New("unlucky")
	}
	return binary.BigEndian.AppendUint64(dst, v), nil
}

func (u64Codec) Decode(data []byte) (uint64, error) {
	if len(data) != 8 {
		return 0, errors.New("not 8 bytes")
	}
	return binary.BigEndian.Uint64(data), nil
}

// A channel whose codec is an Appender encodes into a reused buffer:
// events arrive intact and in order, encoding errors fail the send, and
// a send allocates nothing for its encoding.
func TestAppenderCodec(t *testing.T) {
	sys, _ := remotetest.System(t)
	n := remotetest.StartNode(t, sys)
	var appends atomic.Int64
	codec := remote.WithCodec[uint64](u64Codec{&appends})
	exp, got := remotetest.Export[uint64](t, n, "u64", 2000, codec)
	out, err := remote.Channel[uint64](n, "u64", codec)
	require.NoError(t, err)
	for i := range uint64(1000) {
		if i == 13 {
			require.ErrorIs(t, out.Send(i), remote.ErrEncode)
			continue
		}
		require.NoError(t, out.Send(i))
	}
	for i := range uint64(1000) {
		if i != 13 {
			require.Equal(t, i, reactortest.Receive(t, got))
		}
	}
	require.EqualValues(t, 1000, appends.Load())
	// Measured with nobody exporting. AllocsPerRun counts every
	// goroutine's allocations (the embedded server's, the connection's
	// reader), which only add to the sender's: the least of a few
	// measurements bounds what a send allocates.
	require.NoError(t, exp.Close())
	allocs := testing.AllocsPerRun(1000, func() { _ = out.Send(7) })
	for try := 0; try < 4 && allocs > 0; try++ {
		allocs = min(allocs, testing.AllocsPerRun(1000, func() { _ = out.Send(7) }))
	}
	require.Zero(t, allocs)
}
