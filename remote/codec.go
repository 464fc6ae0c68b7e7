package remote

import (
	"fmt"

	"github.com/reactors-go/reactors/remote/internal/jsonfast"
)

// Codec turns events of type T into payloads and back. [Codec.Encode] must not
// keep or modify v after it returns; [Codec.Decode] must not keep data after it
// returns (the transport may reuse the buffer) and should return an
// error for a payload it cannot read. A panic in either is caught and
// becomes that call's error, so a faulty codec fails the event it was
// given (an [ErrEncode] to the sender, an [ErrDecode] answer or dead letter
// on the receiving side), never the process. A Codec is used from several
// goroutines at once and must be safe for that.
//
// Both ends of a remote channel must use codecs that agree on the format.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(data []byte) (T, error)
}

// JSON is the default [Codec]: encoding/json. Its zero value is ready to
// use. It costs what [json.Marshal] and [json.Unmarshal] cost (a few hundred
// nanoseconds and a few allocations for a small struct); a binary codec
// is cheaper for hot channels. Strings of printable ASCII, integers and
// booleans (T itself, not a named type) take a short cut to the same
// bytes and values: about 30 ns each way.
type JSON[T any] struct{}

// Encode returns the JSON encoding of v.
func (JSON[T]) Encode(v T) ([]byte, error) { return jsonfast.Marshal(v) }

// Decode parses a JSON payload into a T. Unknown fields are ignored, as
// encoding/json does; a payload that is not JSON, or whose JSON does not
// fit T, is an error.
func (JSON[T]) Decode(data []byte) (T, error) {
	var v T
	err := jsonfast.Unmarshal(data, &v)
	return v, err
}

// Appender is what a [Codec] may offer besides [Codec.Encode]:
// [Appender.AppendEncode] appends the encoding of v to dst and returns the
// extended slice, as [strconv.AppendInt] does. A remote channel whose codec
// has it (and that is not at-least-once, which keeps each payload until it is
// acknowledged) encodes into a buffer it reuses, so an event costs no
// allocation for its encoding. The encoding must equal Encode's.
type Appender[T any] interface {
	AppendEncode(dst []byte, v T) ([]byte, error)
}

// encode, appendEncode and decode call a user's codec, turning a panic
// into an error (deferred recovery costs a few nanoseconds per call).
func encode[T any](c Codec[T], v T) (data []byte, err error) {
	defer recoverCodec("Encode", &err)
	return c.Encode(v)
}

func appendEncode[T any](a Appender[T], dst []byte, v T) (data []byte, err error) {
	defer recoverCodec("AppendEncode", &err)
	return a.AppendEncode(dst, v)
}

func decode[T any](c Codec[T], data []byte) (v T, err error) {
	defer recoverCodec("Decode", &err)
	return c.Decode(data)
}

func recoverCodec(method string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("codec %s panicked: %v", method, p)
	}
}
