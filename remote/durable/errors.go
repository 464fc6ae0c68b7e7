package durable

import "errors"

// Errors of durable channels. Match them with [errors.Is]: returned errors
// wrap them with the name and the cause. Durable channels also return
// remote's errors where they mean the same: [remote.ErrInvalidName],
// [remote.ErrClosed], [remote.ErrDuplicateName], [remote.ErrEncode] and
// [remote.ErrPayloadTooLarge] (a [*remote.PayloadError]).
var (
	// ErrNotStored: Send could not have the event stored. Either
	// JetStream refused it (a stream limit, a message too large for the
	// stream), or no acknowledgement came within [Config.Timeout]; in the
	// second case the event may have been stored all the same (sending
	// it again with the same [Config.ID] stores it at most once).
	ErrNotStored = errors.New("durable: event not stored")
	// ErrNoJetStream: the NATS server of the node runs no JetStream (a
	// node's own embedded server runs one only with remote.WithRegistry),
	// or not for the node's account or the [Config.Domain] given.
	ErrNoJetStream = errors.New("durable: no JetStream")
	// ErrStream: the stream of a durable name could not be created or
	// opened, or one of its name exists that a durable name cannot use
	// (another retention or other subjects).
	ErrStream = errors.New("durable: cannot open stream")
	// ErrInvalidConfig: a [Config] field is out of range.
	ErrInvalidConfig = errors.New("durable: invalid config")
	// ErrInvalidID: [Config.ID] gave an event the empty id; the event
	// is not sent.
	ErrInvalidID = errors.New("durable: empty event id")
	// ErrExportStopped: an export stopped taking events because its
	// channel refuses them for good (sealed, terminated, stopped, no
	// subscriber); [Exported.Err] returns it wrapping the channel's
	// error. The refused event stays in the stream.
	ErrExportStopped = errors.New("durable: export stopped")
)
