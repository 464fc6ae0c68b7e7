package remote

import "encoding/json"

// Codec turns events of type T into payloads and back. Encode must not
// keep or modify v after it returns; Decode must not keep data after it
// returns (the transport may reuse the buffer) and must return an error,
// never panic, for a payload it cannot read. A Codec is used from several
// goroutines at once and must be safe for that.
//
// Both ends of a remote channel must use codecs that agree on the format.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(data []byte) (T, error)
}

// JSON is the default Codec: encoding/json. Its zero value is ready to
// use. It costs what json.Marshal and json.Unmarshal cost (a few hundred
// nanoseconds and a few allocations for a small struct); a binary codec
// is cheaper for hot channels.
type JSON[T any] struct{}

// Encode returns the JSON encoding of v.
func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

// Decode parses a JSON payload into a T. Unknown fields are ignored, as
// encoding/json does; a payload that is not JSON, or whose JSON does not
// fit T, is an error.
func (JSON[T]) Decode(data []byte) (T, error) {
	var v T
	err := json.Unmarshal(data, &v)
	return v, err
}
