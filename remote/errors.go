package remote

import (
	"errors"
	"fmt"

	"github.com/reactors-go/reactors/server"
)

// Errors of the remote layer. Match them with [errors.Is]: returned errors
// wrap them with the name, the sizes or the transport's own error.
var (
	// ErrInvalidName: a remote name or a namespace is empty, has an empty
	// token, a NATS wildcard ('*' or '>'), a '.', whitespace, a control
	// character or invalid UTF-8, or is longer than [MaxNameLen]; or a
	// namespace is one NATS reserves ("$..." or "_INBOX").
	ErrInvalidName = errors.New("remote: invalid name")
	// ErrPayloadTooLarge: an encoded event is larger than the node's
	// payload limit (the smaller of the connection's MaxPayload and
	// [WithMaxPayload]). The event is not sent. The error is a
	// [*PayloadError].
	ErrPayloadTooLarge = errors.New("remote: payload too large")
	// ErrAuth: the NATS server refused the node's credentials (or asked
	// for credentials the node did not give).
	ErrAuth = errors.New("remote: authentication failed")
	// ErrClosed: the node is closing or closed.
	ErrClosed = errors.New("remote: node closed")
	// ErrWindowFull: an at-least-once channel's window is full (as many
	// events sent and not acknowledged as its [AtLeastOnce.Window]) and no
	// room came within its [AtLeastOnce.Block] time; the event is not sent
	// (see [WithAtLeastOnce]).
	ErrWindowFull = errors.New("remote: at-least-once window full")
	// ErrDuplicateName: the node already exports a channel or server
	// under the name.
	ErrDuplicateName = errors.New("remote: name already exported by this node")
	// ErrEncode: the codec could not encode an event; the event is not
	// sent.
	ErrEncode = errors.New("remote: cannot encode event")
	// ErrDecode: the codec could not decode a payload. [Undecodable] events
	// are dead-lettered (see Undecodable); requests and replies fail with
	// it.
	ErrDecode = errors.New("remote: cannot decode payload")
	// ErrNoServer: a request found no server exported under its name.
	ErrNoServer = errors.New("remote: no server exported under the name")
	// ErrStart: the embedded server did not start, or the connection to
	// the NATS server could not be made.
	ErrStart = errors.New("remote: cannot start")
	// ErrNoRegistry: a registry operation ([Node.Members], [Node.WatchMembers],
	// [Node.Exporters], or those of the packages built on the registry:
	// remote/table's Open, remote/follow's Router and Paths) on a node
	// started without [WithRegistry].
	ErrNoRegistry = errors.New("remote: node has no registry")
	// ErrWatchOverflow: a [MemberWatch] fell behind and its channel was
	// closed (see [Node.WatchMembers]).
	ErrWatchOverflow = errors.New("remote: member watch overflowed")
)

// Errors of the registry's watch, internal: a watch that is tried again.
var (
	// errWatchBehind: a new watch loaded the registry bucket without this
	// node's own lease (see registry.load and registry.watchUntil).
	errWatchBehind = errors.New("remote: registry watch loaded a copy without this node's lease")
	// errWatchEnded: a new watch ended before it loaded its values.
	errWatchEnded = errors.New("remote: registry watch ended before its values loaded")
)

// PayloadError is the error of a send or request whose encoded event is
// larger than the node's payload limit. It matches [ErrPayloadTooLarge].
type PayloadError struct {
	Name  string // the remote name sent to
	Size  int    // encoded size in bytes
	Limit int    // the node's payload limit in bytes
}

// Error names the remote name, the size and the limit.
func (e *PayloadError) Error() string {
	return fmt.Sprintf("remote: payload too large: %s: %d bytes, limit %d", e.Name, e.Size, e.Limit)
}

// Is reports whether target is [ErrPayloadTooLarge].
func (e *PayloadError) Is(target error) bool { return target == ErrPayloadTooLarge }

// Codes of a [ServerError]: what went wrong on the serving side.
const (
	// CodeError: the server answered with an error (its Fail or its
	// handler's error); [ServerError.Message] is the error's text.
	CodeError = "error"
	// CodeFailed: the server's handler panicked or its reactor failed
	// while holding the request; the error matches [server.ErrServerFailed].
	CodeFailed = "failed"
	// CodeTerminated: the server's reactor had terminated or refused the
	// request; the error matches [server.ErrServerTerminated].
	CodeTerminated = "terminated"
	// CodeDecode: the serving node could not decode the request; the
	// error matches [ErrDecode].
	CodeDecode = "decode"
	// CodeEncode: the serving node could not encode the reply; the error
	// matches [ErrEncode].
	CodeEncode = "encode"
	// CodePayload: the encoded reply was larger than the serving node's
	// payload limit; the error matches [ErrPayloadTooLarge].
	CodePayload = "payload"
)

// ServerError is a failure reported by the node serving a remote request (see
// [Serve] and [Client.Ask]): a code saying what failed, and the serving
// side's message. It matches [server.ErrServerFailed],
// [server.ErrServerTerminated], [ErrDecode], [ErrEncode] or
// [ErrPayloadTooLarge] according to its code; a Code this version does not
// know matches none of them.
type ServerError struct {
	Name    string // the remote name asked
	Code    string // one of the Code constants
	Message string // the serving side's error text
}

// Error names the remote name, the code and the serving side's message.
func (e *ServerError) Error() string {
	return fmt.Sprintf("remote: %s: server %s: %s", e.Name, e.Code, e.Message)
}

// Is matches the error's code against the package sentinels.
func (e *ServerError) Is(target error) bool {
	switch e.Code {
	case CodeFailed:
		return target == server.ErrServerFailed
	case CodeTerminated:
		return target == server.ErrServerTerminated
	case CodeDecode:
		return target == ErrDecode
	case CodeEncode:
		return target == ErrEncode
	case CodePayload:
		return target == ErrPayloadTooLarge
	}
	return false
}
