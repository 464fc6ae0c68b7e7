package jsonfast_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/reactors-go/reactors/remote/internal/jsonfast"
)

// ID is a named string with a method of its own: never the short cut's.
type ID string

func (id ID) MarshalJSON() ([]byte, error) { return json.Marshal("id:" + string(id)) }

// scalars are values of every kind the short cut takes, and values
// beside it.
var scalars = []any{
	"", "k1", "a b/c:d", "quote\"", `back\slash`, "<html>", "a&b", "tab\t", "\x7f", "é", "\u2028", "\xff",
	0, 1, -1, math.MaxInt64, math.MinInt64, int8(-128), int16(300), int32(-70000), uint(7), uint8(255),
	uint16(65535), uint32(1 << 31), uint64(math.MaxUint64), true, false,
	1.5, nil, []int{1}, map[string]int{"a": 1}, ID("x"), struct{ A int }{3},
}

// TestMarshalIsEncodingJSON checks that Marshal and Append write exactly
// what encoding/json writes.
func TestMarshalIsEncodingJSON(t *testing.T) {
	for _, v := range scalars {
		want, wantErr := json.Marshal(v)
		got, err := jsonfast.Marshal(v)
		if string(got) != string(want) || (err == nil) != (wantErr == nil) {
			t.Errorf("Marshal(%#v) = %q, %v; encoding/json: %q, %v", v, got, err, want, wantErr)
		}
		app, err := jsonfast.Append([]byte("x"), v)
		if string(app) != "x"+string(want) || (err == nil) != (wantErr == nil) {
			t.Errorf("Append(x, %#v) = %q, %v; want x%q", v, app, err, want)
		}
	}
	if _, err := jsonfast.Marshal(math.Inf(1)); err == nil {
		t.Error("Marshal(+Inf): no error, encoding/json has one")
	}
}

// targets returns a fresh pointer to each type Unmarshal may fill.
func targets() []any {
	return []any{new(string), new(int), new(int64), new(int32), new(int16), new(int8),
		new(uint), new(uint64), new(uint32), new(uint16), new(uint8), new(bool), new(float64), new(ID), new(any)}
}

// unmarshalLikeJSON checks one input against encoding/json for every
// target type: the same error (or none) and the same value.
func unmarshalLikeJSON(t *testing.T, data []byte) {
	t.Helper()
	want, got := targets(), targets()
	for i := range want {
		wantErr := json.Unmarshal(data, want[i])
		err := jsonfast.Unmarshal(data, got[i])
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("Unmarshal(%q) into %T: error %v; encoding/json: %v", data, got[i], err, wantErr)
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("Unmarshal(%q) into %T = %v; encoding/json: %v", data, got[i],
				reflect.ValueOf(got[i]).Elem(), reflect.ValueOf(want[i]).Elem())
		}
	}
}

// TestUnmarshalIsEncodingJSON checks Unmarshal against encoding/json on
// the encodings of the scalars and on inputs near the short cut's edges.
func TestUnmarshalIsEncodingJSON(t *testing.T) {
	for _, v := range scalars {
		data, err := json.Marshal(v)
		if err == nil {
			unmarshalLikeJSON(t, data)
		}
	}
	for _, s := range []string{``, `"`, `""`, `"a`, `a"`, `"a"b"`, `"\u0041"`, `"a\"b"`, ` "a"`, `"a" `, `"é"`,
		`0`, `-0`, `00`, `01`, `-`, `-01`, `+1`, `1.0`, `1e3`, `256`, `-129`, `128`, `65536`,
		`9223372036854775807`, `9223372036854775808`, `-9223372036854775809`, `18446744073709551616`,
		`true`, `false`, `TRUE`, `null`, `tru`, `[1]`, `{}`} {
		unmarshalLikeJSON(t, []byte(s))
	}
}

// FuzzUnmarshal checks Unmarshal against encoding/json on any input.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`"k1"`, `-12`, `true`, `"a\\b"`, `007`, `"<&>"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { unmarshalLikeJSON(t, data) })
}

// FuzzMarshal checks Marshal against encoding/json on any string and
// integer.
func FuzzMarshal(f *testing.F) {
	f.Add("k1", int64(3))
	f.Add("<\x00\xff>", int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		for _, v := range []any{s, n, int32(n), uint64(n), n > 0} {
			want, _ := json.Marshal(v)
			if got, err := jsonfast.Marshal(v); err != nil || string(got) != string(want) {
				t.Fatalf("Marshal(%#v) = %q, %v; encoding/json: %q", v, got, err, want)
			}
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	for _, c := range []struct {
		name string
		v    any
	}{{"string", "k12345"}, {"int", 1234567}} {
		b.Run(c.name+"/impl=jsonfast", func(b *testing.B) {
			for b.Loop() {
				_, _ = jsonfast.Marshal(c.v)
			}
		})
		b.Run(c.name+"/impl=encoding-json", func(b *testing.B) {
			for b.Loop() {
				_, _ = json.Marshal(c.v)
			}
		})
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	var s string
	var n int
	for _, c := range []struct {
		name string
		data []byte
		to   any
	}{{"string", []byte(`"k12345"`), &s}, {"int", []byte(`1234567`), &n}} {
		b.Run(c.name+"/impl=jsonfast", func(b *testing.B) {
			for b.Loop() {
				_ = jsonfast.Unmarshal(c.data, c.to)
			}
		})
		b.Run(c.name+"/impl=encoding-json", func(b *testing.B) {
			for b.Loop() {
				_ = json.Unmarshal(c.data, c.to)
			}
		})
	}
}
