package table

import (
	"encoding/binary"
	"errors"

	"github.com/reactors-go/reactors/remote/internal/jsonfast"
)

// This file is what members send each other on a table's "op" subject: a
// request and its reply, in a binary envelope around the JSON of the
// keys and values (the codec of the table's values everywhere else).
// Reflecting over the envelope's fields cost more than the rest of a
// remote read (JSON envelopes: 6–9 µs of CPU to decode each request and
// reply).
//
// A request: the version byte, the operation, the epoch (uvarint), then
// the key, the value and the old value (CompareAndSwap's), each as a
// uvarint length and its JSON; a length of 0 leaves the field's zero
// value (only the fields of the operation are sent).
//
// A reply: the version byte, the code, the epoch (uvarint), a byte of
// flags (found, panic), the count (uvarint), then the value and the error
// text, each as a uvarint length and its bytes (the value's JSON; a
// length of 0 leaves the zero value).

// wireVersion starts every request and reply; a JSON text cannot start
// with it.
const wireVersion = 1

// Flags of a reply.
const (
	flagFound = 1 << iota
	flagPanic
)

// errWire reports a request or reply that is not in the format above.
var errWire = errors.New("malformed message")

// encodeRequest returns q as it is sent.
func encodeRequest[K comparable, V any](q *request[K, V]) ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, wireVersion, q.Op)
	b = binary.AppendUvarint(b, q.Epoch)
	var err error
	switch {
	case q.enc != nil: // a write, encoded by send
		b = appendBytes(appendBytes(b, q.enc.key), q.enc.val)
	case q.Op == opLen || q.Op == opPing:
		b = append(b, 0, 0)
	default:
		if b, err = appendJSON(b, q.Key); err != nil {
			return nil, err
		}
		if q.Op != opPut && q.Op != opCAS {
			b = append(b, 0)
		} else if b, err = appendJSON(b, q.Val); err != nil {
			return nil, err
		}
	}
	if q.Op == opCAS {
		if b, err = appendJSON(b, q.Old); err != nil {
			return nil, err
		}
	} else {
		b = append(b, 0)
	}
	return b, nil
}

// decodeRequest decodes a request encoded by encodeRequest into q.
func decodeRequest[K comparable, V any](data []byte, q *request[K, V]) error {
	r := wireReader{data: data}
	if r.byte() != wireVersion {
		return errWire
	}
	q.Op = r.byte()
	q.Epoch = r.uvarint()
	k, v, o := r.bytes(), r.bytes(), r.bytes()
	if err := r.end(); err != nil {
		return err
	}
	// Exactly the fields of the operation.
	if q.Op < opGet || q.Op > opPing ||
		(len(k) > 0) != (q.Op != opLen && q.Op != opPing) ||
		(len(v) > 0) != (q.Op == opPut || q.Op == opCAS) ||
		(len(o) > 0) != (q.Op == opCAS) {
		return errWire
	}
	for _, f := range []struct {
		data []byte
		to   any
	}{{k, &q.Key}, {v, &q.Val}, {o, &q.Old}} {
		if len(f.data) > 0 {
			if err := jsonfast.Unmarshal(f.data, f.to); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeReply returns r as it is sent.
func encodeReply[V any](r *reply[V]) ([]byte, error) {
	b := make([]byte, 0, 32+len(r.Err))
	b = append(b, wireVersion, r.Code)
	b = binary.AppendUvarint(b, r.Epoch)
	var flags byte
	if r.Found {
		flags |= flagFound
	}
	if r.Panic {
		flags |= flagPanic
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(max(r.N, 0)))
	var err error
	if b, err = appendJSON(b, r.Val); err != nil {
		return nil, err
	}
	return appendBytes(b, []byte(r.Err)), nil
}

// decodeReply decodes a reply encoded by encodeReply into r.
func decodeReply[V any](data []byte, r *reply[V]) error {
	w := wireReader{data: data}
	if w.byte() != wireVersion {
		return errWire
	}
	r.Code = w.byte()
	r.Epoch = w.uvarint()
	flags := w.byte()
	r.Found, r.Panic = flags&flagFound != 0, flags&flagPanic != 0
	n := w.uvarint()
	if n > uint64(maxInt) {
		return errWire
	}
	r.N = int(n)
	w.json(&r.Val)
	r.Err = string(w.bytes())
	return w.end()
}

// maxInt is the largest int.
const maxInt = int(^uint(0) >> 1)

// appendJSON appends v's JSON and its length before it (generic, so
// that a scalar key or value is not boxed for jsonfast's short cut).
func appendJSON[T any](b []byte, v T) ([]byte, error) {
	data, err := jsonfast.Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendBytes(b, data), nil
}

// appendBytes appends data and its length before it.
func appendBytes(b, data []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// wireReader reads the fields of a request or reply, remembering the
// first error; once it has one, every read returns a zero value.
type wireReader struct {
	data []byte
	err  error
}

func (r *wireReader) byte() byte {
	if r.err != nil || len(r.data) == 0 {
		r.fail(errWire)
		return 0
	}
	c := r.data[0]
	r.data = r.data[1:]
	return c
}

func (r *wireReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.fail(errWire)
		return 0
	}
	r.data = r.data[n:]
	return v
}

// bytes reads a length and that many bytes.
func (r *wireReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.data)) {
		r.fail(errWire)
		return nil
	}
	b := r.data[:n]
	r.data = r.data[n:]
	return b
}

// json reads a length and decodes that much JSON into v, leaving v as it
// is for a length of 0.
func (r *wireReader) json(v any) {
	b := r.bytes()
	if r.err != nil || len(b) == 0 {
		return
	}
	if err := jsonfast.Unmarshal(b, v); err != nil {
		r.fail(err)
	}
}

func (r *wireReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// end returns the first error, or errWire if bytes are left over.
func (r *wireReader) end() error {
	if r.err == nil && len(r.data) > 0 {
		r.err = errWire
	}
	return r.err
}
