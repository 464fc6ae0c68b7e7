package table

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishTimeout bounds the wait for a publish's acknowledgement when
// the caller's context has no deadline, as jetstream's DefaultAPITimeout
// does.
const publishTimeout = 5 * time.Second

// publishFunc publishes a message to JetStream and waits for its
// acknowledgement.
type publishFunc func(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error)

// publishMsg publishes m to JetStream and waits for its acknowledgement
// (tests replace it with t.pub).
func (t *Table[K, V]) publishMsg(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	if f := t.pub.Load(); f != nil {
		return (*f)(ctx, m)
	}
	return publish(ctx, t.n.Conn(), m)
}

// publish publishes m to JetStream over nc and waits for its
// acknowledgement, as jetstream.JetStream.PublishMsg does without
// options: it returns nats.ErrNoResponders when no stream takes m's
// subject, a *jetstream.APIError when the stream refused m, and ctx's
// error (or a timeout after publishTimeout if ctx has no deadline). It
// reads the usual acknowledgement, {"stream":"<name>","seq":<n>}
// with a name of printable ASCII,
// without encoding/json (a tenth of the time), and any other with it.
func publish(ctx context.Context, nc *nats.Conn, m *nats.Msg) (*jetstream.PubAck, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, publishTimeout)
		defer cancel()
	}
	r, err := nc.RequestMsgWithContext(ctx, m)
	if err != nil {
		return nil, err
	}
	if ack, ok := parseAck(r.Data); ok {
		return ack, nil
	}
	var resp struct {
		jetstream.PubAck
		Error *jetstream.APIError `json:"error,omitempty"`
	}
	if err := json.Unmarshal(r.Data, &resp); err != nil {
		return nil, errors.Join(jetstream.ErrInvalidJSAck, err)
	}
	if resp.Error != nil {
		return nil, resp.Error
	}
	if resp.Stream == "" {
		return nil, jetstream.ErrInvalidJSAck
	}
	return &resp.PubAck, nil
}

// parseAck reads an acknowledgement of exactly the form
// {"stream":"<name>","seq":<n>}, and reports false for any other.
func parseAck(data []byte) (*jetstream.PubAck, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(`{"stream":"`))
	if !ok {
		return nil, false
	}
	i := bytes.IndexByte(rest, '"')
	if i <= 0 {
		return nil, false
	}
	name := rest[:i]
	for _, c := range name {
		if c < ' ' || c > '~' || c == '\\' { // what JSON would unescape or check
			return nil, false
		}
	}
	digits, ok := bytes.CutPrefix(rest[i+1:], []byte(`,"seq":`))
	if !ok {
		return nil, false
	}
	digits, ok = bytes.CutSuffix(digits, []byte("}"))
	if !ok || len(digits) == 0 || len(digits) > 1 && digits[0] == '0' {
		return nil, false
	}
	seq, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return nil, false
	}
	return &jetstream.PubAck{Stream: string(name), Sequence: seq}, true
}
