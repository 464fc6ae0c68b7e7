package remote_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/remote"
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
		sys, dead := newSystem(t)
		n := startNode(t, sys)
		local, got := collect[int64](t, sys, 1)
		_, err := remote.Export(n, "fuzz", local, remote.WithCodec[int64](int64Codec{}))
		require.NoError(t, err)
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
