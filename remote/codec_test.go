package remote_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/server"
)

type record struct {
	ID    int64             `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
	Next  *record           `json:"next,omitempty"`
}

func TestJSONCodec(t *testing.T) {
	var c remote.Codec[record] = remote.JSON[record]{}
	in := record{ID: 1, Name: "a", Tags: []string{"x"}, Next: &record{ID: 2}}
	data, err := c.Encode(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":1,"name":"a","tags":["x"],"next":{"id":2,"name":""}}`, string(data))
	out, err := c.Decode(data)
	require.NoError(t, err)
	require.Equal(t, in, out)
	_, err = c.Decode([]byte(`{"id":"one"}`))
	require.Error(t, err)
}

// FuzzJSONDecode: the default decoder never panics, and whatever it
// accepts encodes to JSON that decodes and encodes again to the same
// bytes (values themselves may differ where JSON cannot tell them apart,
// such as an empty map and an omitted one).
func FuzzJSONDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"name":"a"}`, `{"id":1,"tags":["x","y"],"attrs":{"k":"v"}}`,
		`{"next":{"next":{"id":3}}}`, `null`, `{}`, `[]`, `"x"`, `{"id":1e400}`,
		`{"id":"1"}`, `{"name":"\ud800"}`, `{`, ``, "\xff",
	} {
		f.Add([]byte(s))
	}
	c := remote.JSON[record]{}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := c.Decode(data)
		if err != nil {
			return
		}
		again, err := c.Encode(v)
		require.NoError(t, err)
		w, err := c.Decode(again)
		require.NoError(t, err)
		third, err := c.Encode(w)
		require.NoError(t, err)
		require.Equal(t, string(again), string(third))
	})
}

// int64Codec is a binary codec: 8 bytes, big-endian.
type int64Codec struct{}

func (int64Codec) Encode(v int64) ([]byte, error) {
	return binary.BigEndian.AppendUint64(nil, uint64(v)), nil
}

func (int64Codec) Decode(data []byte) (int64, error) {
	if len(data) != 8 {
		return 0, errors.New("int64Codec: want 8 bytes")
	}
	return int64(binary.BigEndian.Uint64(data)), nil
}

// FuzzExportDecode: whatever bytes arrive for an exported name, the
// export either delivers the decoded event or dead-letters the payload as
// undecodable: exactly one of the two, and never a panic.
func FuzzExportDecode(f *testing.F) {
	for _, s := range [][]byte{{0, 0, 0, 0, 0, 0, 0, 7}, {1, 2, 3}, nil, make([]byte, 9)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sys, dead := remotetest.System(t)
		n := remotetest.StartNode(t, sys)
		_, got := remotetest.Export[int64](t, n, "fuzz", 1, remote.WithCodec[int64](int64Codec{}))
		subj, err := remote.Subject(n.Namespace(), "fuzz")
		require.NoError(t, err)
		require.NoError(t, n.Conn().Publish(subj, data))
		select {
		case v := <-got:
			require.Len(t, data, 8)
			require.Equal(t, int64(binary.BigEndian.Uint64(data)), v)
		case d := <-dead:
			require.NotEqual(t, 8, len(data))
			u := d.Event.(remote.Undecodable)
			require.True(t, bytes.Equal(data, u.Data), "%x vs %x", data, u.Data)
			require.ErrorIs(t, u.Err, remote.ErrDecode)
		case <-time.After(wait):
			t.Fatal("neither delivered nor dead-lettered")
		}
	})
}

// panicky is int64Codec, except that it panics on 13 both ways: a codec
// that breaks the contract.
type panicky struct{ int64Codec }

func (c panicky) Encode(v int64) ([]byte, error) {
	if v == 13 {
		panic("cannot encode 13")
	}
	return c.int64Codec.Encode(v)
}

func (c panicky) Decode(data []byte) (int64, error) {
	v, err := c.int64Codec.Decode(data)
	if v == 13 {
		panic("cannot decode 13")
	}
	return v, err
}

// TestPanickingCodecFailsOnlyItsEvent checks that a codec that panics
// fails the one event it was given, with the error a codec's error
// would give, on every side that calls a codec, and that the events
// around it go through.
func TestPanickingCodecFailsOnlyItsEvent(t *testing.T) {
	sys, dead := remotetest.System(t)
	n := remotetest.StartNode(t, sys)

	// A channel's Encode (sender) and an export's Decode (receiver).
	_, got := remotetest.Export[int64](t, n, "panicky", 4, remote.WithCodec[int64](panicky{}))
	out, err := remote.Channel[int64](n, "panicky", remote.WithCodec[int64](panicky{}))
	require.NoError(t, err)
	require.ErrorIs(t, out.Send(13), remote.ErrEncode)
	plain, err := remote.Channel[int64](n, "panicky", remote.WithCodec[int64](int64Codec{}))
	require.NoError(t, err)
	require.NoError(t, plain.Send(13)) // encodes; the export's Decode panics
	u := reactortest.Receive(t, dead).Event.(remote.Undecodable)
	require.ErrorIs(t, u.Err, remote.ErrDecode)
	require.ErrorContains(t, u.Err, "cannot decode 13")
	require.NoError(t, out.Send(7))
	require.Equal(t, int64(7), reactortest.Receive(t, got))

	// A server's Decode and Encode, and a client's Encode and Decode.
	inc, err := server.Spawn(sys, func(v int64) (int64, error) { return v + 1, nil })
	require.NoError(t, err)
	_, err = remote.Serve(n, "panicky-inc", inc, remote.WithCodecs[int64, int64](panicky{}, panicky{}))
	require.NoError(t, err)
	_, err = remote.Serve(n, "plain-inc", inc, remote.WithCodecs[int64, int64](int64Codec{}, int64Codec{}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	client := func(name string, c remote.Codec[int64]) *remote.Client[int64, int64] {
		cl, err := remote.NewClient(n, name, remote.WithCodecs[int64, int64](c, c))
		require.NoError(t, err)
		return cl
	}
	_, err = client("plain-inc", panicky{}).Ask(ctx, 13)
	require.ErrorIs(t, err, remote.ErrEncode) // the client's Encode
	_, err = client("panicky-inc", int64Codec{}).Ask(ctx, 13)
	require.ErrorIs(t, err, remote.ErrDecode) // the server's Decode
	_, err = client("panicky-inc", int64Codec{}).Ask(ctx, 12)
	require.ErrorIs(t, err, remote.ErrEncode) // the server's Encode of 13
	_, err = client("plain-inc", panicky{}).Ask(ctx, 12)
	require.ErrorIs(t, err, remote.ErrDecode) // the client's Decode of 13
	v, err := client("panicky-inc", panicky{}).Ask(ctx, 7)
	require.NoError(t, err)
	require.Equal(t, int64(8), v)
}
