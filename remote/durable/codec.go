package durable

import (
	"fmt"

	"github.com/reactors-go/reactors/remote"
)

// encode and decode call a user's codec, turning a panic into an error,
// as package remote does: a faulty codec fails the event it was given.
func encode[T any](c remote.Codec[T], v T) (data []byte, err error) {
	defer recoverCodec("Encode", &err)
	return c.Encode(v)
}

func decode[T any](c remote.Codec[T], data []byte) (v T, err error) {
	defer recoverCodec("Decode", &err)
	return c.Decode(data)
}

// eventID calls the user's id function, turning a panic into an error.
func eventID[T any](f func(T) string, v T) (id string, err error) {
	defer recoverCodec("ID", &err)
	return f(v), nil
}

func recoverCodec(method string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s panicked: %v", method, p)
	}
}
