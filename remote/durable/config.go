package durable

import (
	"time"

	"github.com/reactors-go/reactors/remote"
)

// Defaults of [Config].
const (
	DefaultTimeout    = 10 * time.Second
	DefaultDuplicates = 2 * time.Minute
	DefaultAckWait    = 30 * time.Second
	DefaultMaxPending = 1024
	DefaultRetry      = time.Second
)

// Config configures both ends of a durable name: give [Channel] and
// [Export] the same one. Its zero value is the defaults, with the [remote.JSON]
// codec. The stream's settings (Replicas, Duplicates) take effect when
// the stream is created, by whichever end opens the name first; an
// existing stream keeps its own.
type Config[T any] struct {
	// Codec encodes events on the sending side and decodes them on the
	// exporting side (default [remote.JSON]). Both ends must agree.
	Codec remote.Codec[T]

	// ID gives an event its id (Nats-Msg-Id), which the stream uses to
	// drop copies of an event stored within Duplicates of each other and
	// which [Delivery.ID] carries to the exporter. Events with equal ids
	// are one event: a sender that restarts and sends again the events
	// whose Send had not returned lets ID derive the id from the event
	// (an order number), so that those stored already are not stored
	// twice. Nil (the default): a new id per Send, unique across
	// processes, so only Send's own retries are recognised as copies.
	// The id must be non-empty; an empty one fails Send with
	// [ErrInvalidID].
	ID func(T) string

	// Timeout bounds how long Send tries to have the event stored
	// (default [DefaultTimeout]): attempts that get no acknowledgement
	// (a NATS server restarting, a JetStream cluster electing a leader)
	// are repeated with the same id until it passes. It must be shorter
	// than Duplicates, so that the stream recognises every repeat.
	Timeout time.Duration

	// Replicas is the number of copies of the stream, 1 to 5. The
	// default 0 is min(3, servers) on a cluster: the embedded cluster's
	// registry replicas for a node started with remote.WithCluster and
	// remote.WithRegistry, else the servers the connection knows of when
	// its server is clustered, else 1.
	Replicas int

	// Duplicates is the stream's duplicate window (default
	// [DefaultDuplicates]): an event whose id was stored less than this
	// long before is not stored again.
	Duplicates time.Duration

	// AckWait is how long JetStream waits for an export's
	// acknowledgement of an event it delivered before it delivers the
	// event again (default [DefaultAckWait]). A running export keeps
	// extending it for the events its channel holds, so it matters only
	// when an export stopped without acknowledging (a crashed process):
	// that is how long its events wait before another export gets them.
	AckWait time.Duration

	// MaxPending bounds the events an export has received and not yet
	// acknowledged (default [DefaultMaxPending]), across all the exports
	// of the name: JetStream delivers no more until some are acknowledged.
	// It is also the most events a crashed exporter can have handled
	// without acknowledging them (see the package's duplicates).
	MaxPending int

	// Retry is how long an event that the exported channel could not take
	// for now (a full Fail mailbox, a bounded mailbox that dropped it, a
	// router with no target or whose target refused it) waits in the
	// stream before it is delivered again (default [DefaultRetry]).
	Retry time.Duration

	// Domain is the JetStream domain that holds the stream; "" is the
	// JetStream the node's connection reaches (the registry's domain on a
	// node started with remote.WithJetStreamDomain). A node whose
	// embedded server is a leaf node gives its hub's domain.
	Domain string
}

// withDefaults returns cfg with its zero fields set to the defaults.
func (cfg Config[T]) withDefaults() Config[T] {
	if cfg.Codec == nil {
		cfg.Codec = remote.JSON[T]{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Duplicates <= 0 {
		cfg.Duplicates = DefaultDuplicates
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.Retry <= 0 {
		cfg.Retry = DefaultRetry
	}
	return cfg
}
