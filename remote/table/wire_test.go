package table

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWireRoundTrip checks that requests and replies decode to what was
// encoded, with the fields each operation sends.
func TestWireRoundTrip(t *testing.T) {
	type point struct{ X, Y int }
	for _, q := range []request[string, point]{
		{Op: opGet, Epoch: 7, Key: "k"},
		{Op: opPut, Epoch: 1 << 40, Key: "<é\u2028>", Val: point{1, -2}},
		{Op: opDelete, Key: ""},
		{Op: opCAS, Epoch: 3, Key: "k", Val: point{3, 4}, Old: point{5, 6}},
		{Op: opLen, Epoch: 9},
		{Op: opPing},
	} {
		data, err := encodeRequest(&q)
		require.NoError(t, err)
		var got request[string, point]
		require.NoError(t, decodeRequest(data, &got))
		require.Equal(t, q, got)
		if q.writes() {
			// A write as send makes it: its key and value encoded once.
			e, err := encode(q.Key, q.Val, false)
			require.NoError(t, err)
			pre := q
			pre.enc = &e
			again, err := encodeRequest(&pre)
			require.NoError(t, err)
			require.Equal(t, data, again)
		}
	}
	for _, r := range []reply[point]{
		{},
		{Code: codeOK, Epoch: 12, Val: point{7, 8}, Found: true},
		{Code: codeErr, Err: "boom", Panic: true},
		{Code: codeNotReady, Epoch: 1, N: 1 << 33},
	} {
		data, err := encodeReply(&r)
		require.NoError(t, err)
		var got reply[point]
		require.NoError(t, decodeReply(data, &got))
		require.Equal(t, r, got)
	}
}

// FuzzDecodeWire feeds arbitrary bytes to the request and reply
// decoders: they return an error or a value that encodes back to a
// message decoding to the same value, and never panic.
func FuzzDecodeWire(f *testing.F) {
	for _, q := range []request[string, int]{{Op: opGet, Key: "k"}, {Op: opCAS, Epoch: 5, Key: "x", Val: 1, Old: 2}} {
		data, err := encodeRequest(&q)
		require.NoError(f, err)
		f.Add(data)
	}
	data, err := encodeReply(&reply[int]{Code: codeOK, Epoch: 3, Val: 4, Found: true, Err: "e"})
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte("{not json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q request[string, int]
		if decodeRequest(data, &q) == nil {
			again, err := encodeRequest(&q)
			require.NoError(t, err)
			var back request[string, int]
			require.NoError(t, decodeRequest(again, &back))
			require.Equal(t, q, back)
		}
		var r reply[int]
		if decodeReply(data, &r) == nil {
			again, err := encodeReply(&r)
			require.NoError(t, err)
			var back reply[int]
			require.NoError(t, decodeReply(again, &back))
			require.Equal(t, r, back)
		}
	})
}
