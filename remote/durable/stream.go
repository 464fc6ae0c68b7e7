package durable

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// marker is the token after the namespace of a durable name's subject
// (see [Subject]).
const marker = ".#~durable"

// consumerName is the durable consumer that every export of a name
// shares: a work-queue stream allows one consumer over its subject.
const consumerName = "export"

// attemptLimit bounds each attempt of a JetStream request that is tried
// again while JetStream is not ready (a cluster electing its leader, a
// leaf learning of its hub), and pause is the wait between attempts.
const (
	attemptLimit = 500 * time.Millisecond
	pause        = 20 * time.Millisecond
)

// Subject returns the NATS subject that the events of the durable name
// are published on and stored under, in namespace ns:
// "<ns>.#~durable.<tokens>" for the subject "<ns>.<tokens>" that
// [remote.Subject] gives the name (so "orders" in namespace "reactors" is
// "reactors.#~durable.orders"). It fails as remote.Subject does, with
// [remote.ErrInvalidName]. remote.Subject never makes a token with '#',
// and node ids never hold '~', so the subject is no other subject of the
// namespace: core NATS sends to the name never land in its stream.
func Subject(ns, name string) (string, error) {
	s, err := remote.Subject(ns, name)
	if err != nil {
		return "", err
	}
	return ns + marker + s[len(ns):], nil
}

// StreamName returns the JetStream stream that holds the events of the
// durable subject subj (see [Subject]): "reactors_durable_" and the
// hexadecimal XXH64 of subj, as stream names may not hold every character
// a subject may.
func StreamName(subj string) string {
	return "reactors_durable_" + strconv.FormatUint(xxhash.Sum64String(subj), 16)
}

// target is a durable name as both ends see it: its subject and stream.
type target struct {
	name    string
	subject string
	stream  string
	js      jetstream.JetStream
	nc      *nats.Conn
	in      node.Internals
}

// open checks name and cfg, and creates the name's stream or opens the
// existing one, trying again while JetStream is not ready, until ctx ends
// or cfg.Timeout passes.
func open[T any](ctx context.Context, n *remote.Node, name string, cfg Config[T]) (*target, error) {
	subj, err := Subject(n.Namespace(), name)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Replicas < 0 || cfg.Replicas > 5:
		return nil, fmt.Errorf("%w: %s: %d replicas: want 1 to 5, or 0 for the default", ErrInvalidConfig, name, cfg.Replicas)
	case cfg.Timeout >= cfg.Duplicates:
		return nil, fmt.Errorf("%w: %s: Timeout %v must be shorter than Duplicates %v (a retried Send must fall in the window)",
			ErrInvalidConfig, name, cfg.Timeout, cfg.Duplicates)
	}
	in := node.Of(n)
	if in.Closing() {
		return nil, fmt.Errorf("%w: %s", remote.ErrClosed, name)
	}
	t := &target{name: name, subject: subj, stream: StreamName(subj), in: in, nc: n.Conn()}
	switch {
	case cfg.Domain != "":
		t.js, err = jetstream.NewWithDomain(n.Conn(), cfg.Domain)
	case in.JetStream() != nil:
		t.js = in.JetStream() // the registry's: in its domain
	default:
		if s := n.Server(); s != nil && !s.JetStreamEnabled() {
			return nil, fmt.Errorf("%w: %s: the node's embedded server runs none (see the package doc: Where events are stored)", ErrNoJetStream, name)
		}
		t.js, err = jetstream.New(n.Conn())
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrStream, name, err)
	}
	replicas := cfg.Replicas
	if replicas == 0 {
		replicas = defaultReplicas(n, in)
	}
	sc := jetstream.StreamConfig{
		Name:        t.stream,
		Description: "reactors durable channel " + name + " of namespace " + n.Namespace(),
		Subjects:    []string{subj},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		Duplicates:  cfg.Duplicates,
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	err = retry(ctx, func(attempt context.Context) error {
		_, err := t.js.CreateStream(attempt, sc)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			var s jetstream.Stream
			if s, err = t.js.Stream(attempt, t.stream); err == nil {
				err = fits(s.CachedInfo().Config, subj)
			}
		}
		return err
	})
	if err != nil {
		return nil, t.openErr(err)
	}
	return t, nil
}

// fits checks that an existing stream can serve as the durable subject
// subj's.
func fits(c jetstream.StreamConfig, subj string) error {
	if c.Retention != jetstream.WorkQueuePolicy || !slices.Contains(c.Subjects, subj) {
		return fmt.Errorf("%w: stream %s exists with retention %v and subjects %v", ErrStream, c.Name, c.Retention, c.Subjects)
	}
	return nil
}

// defaultReplicas is [Config.Replicas]'s default: min(3, servers) on a
// cluster.
func defaultReplicas(n *remote.Node, in node.Internals) int {
	if r := in.Replicas(); r > 0 {
		return r
	}
	nc := n.Conn()
	if nc.ConnectedClusterName() == "" {
		return 1
	}
	return min(3, max(1, len(nc.Servers())))
}

// retry calls f, each call bounded by attemptLimit, until it succeeds, it
// fails for another reason than JetStream not being ready, or ctx ends
// (then it returns f's last error).
func retry(ctx context.Context, f func(attempt context.Context) error) error {
	for {
		attempt, cancel := context.WithTimeout(ctx, attemptLimit)
		err := f(attempt)
		again := notReady(attempt, err)
		cancel()
		if err == nil || !again {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// JetStream API error codes under which JetStream is not ready yet: no
// leader elected, not enough servers for the replicas.
const (
	codeNoPeers      = 10005
	codeNotAvailable = 10008
	codeNotLeader    = 10009
	codeInsufficient = 10023
)

// notReady reports whether err, from a JetStream request made with a
// context of its own attempt, means that JetStream is not ready yet (or
// not reachable for now): no responders, no leader, or no answer within
// the attempt.
func notReady(attempt context.Context, err error) bool {
	if err == nil {
		return false
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode {
		case codeNoPeers, codeNotAvailable, codeNotLeader, codeInsufficient:
			return true
		}
		return false
	}
	return errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, nats.ErrTimeout) ||
		attempt.Err() != nil && errors.Is(err, context.DeadlineExceeded)
}

// openErr maps the last error of opening the stream onto the package's
// errors.
func (t *target) openErr(err error) error {
	var api *jetstream.APIError
	switch {
	case errors.Is(err, ErrStream):
		return err
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrConnectionDraining):
		return t.in.TransportErr(t.name, err)
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrJetStreamNotEnabled),
		errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount),
		errors.As(err, &api) && api.ErrorCode == jetstream.JSErrCodeJetStreamNotEnabledForAccount:
		return fmt.Errorf("%w: %s: %w", ErrNoJetStream, t.name, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrStream, t.name, err)
}
