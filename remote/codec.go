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

// Appender is what a Codec may offer besides Encode: AppendEncode appends
// the encoding of v to dst and returns the extended slice, as
// strconv.AppendInt does. A remote channel whose codec has it (and that
// is not at-least-once, which keeps each payload until it is
// acknowledged) encodes into a buffer it reuses, so an event costs no
// allocation for its encoding. The encoding must equal Encode's.
type Appender[T any] interface {
	AppendEncode(dst []byte, v T) ([]byte, error)
}
