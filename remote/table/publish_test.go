package table

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// ackSeeds are acknowledgements as a JetStream server writes them, and
// inputs at the edges of parseAck's short cut.
var ackSeeds = []string{
	`{"stream":"KV_B","seq":1}`,
	`{"stream":"KV_B","seq":18446744073709551615}`,
	`{"stream":"KV_B","seq":18446744073709551616}`,
	`{"stream":"KV_B","seq":2,"duplicate": true}`,
	`{"stream":"KV_B","domain":"hub","seq":3}`,
	`{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 2"},"stream":"KV_B","seq":0}`,
	`{"stream":"K\"V","seq":1}`,
	`{"stream":"KV_B","seq":01}`,
	`{"stream":"KV_B","seq":}`,
	`{"stream":"","seq":1}`,
	`{"stream":"KV_B","seq":1}x`,
	`{"stream":"KV_B","seq":-1}`,
	``,
}

// TestParseAckReadsWhatJSONReads checks parseAck's short cut against
// encoding/json: where it reads an acknowledgement, JSON reads the same
// stream and sequence and no error.
func TestParseAckReadsWhatJSONReads(t *testing.T) {
	read := 0
	for _, s := range ackSeeds {
		if checkAck(t, []byte(s)) {
			read++
		}
	}
	require.Equal(t, 2, read, "the two plain acknowledgements take the short cut")
}

// checkAck checks parseAck on data against encoding/json and reports
// whether the short cut read it.
func checkAck(t *testing.T, data []byte) bool {
	ack, ok := parseAck(data)
	if !ok {
		return false
	}
	var resp struct {
		jetstream.PubAck
		Error *jetstream.APIError `json:"error"`
	}
	require.NoError(t, json.Unmarshal(data, &resp), "%q", data)
	require.Nil(t, resp.Error, "%q", data)
	require.Equal(t, resp.PubAck, *ack, "%q", data)
	require.NotEmpty(t, ack.Stream, "%q", data)
	return true
}

func FuzzParseAck(f *testing.F) {
	for _, s := range ackSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkAck(t, data) })
}

// TestPublishAnswersAsJetStreamDoes checks publish against a JetStream
// server: an acknowledgement, a refusal as a *jetstream.APIError, no
// stream as nats.ErrNoResponders, and a context that ends.
func TestPublishAnswersAsJetStreamDoes(t *testing.T) {
	ctx, nc, js := rawJetStream(t)
	_, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "pub", History: 1})
	require.NoError(t, err)

	ack, err := publish(ctx, nc, &nats.Msg{Subject: "$KV.pub.a", Data: []byte("1")})
	require.NoError(t, err)
	require.Equal(t, jetstream.PubAck{Stream: "KV_pub", Sequence: 1}, *ack)
	ack, err = publish(context.Background(), nc, &nats.Msg{Subject: "$KV.pub.b"}) // no deadline
	require.NoError(t, err)
	require.Equal(t, uint64(2), ack.Sequence)

	m := nats.NewMsg("$KV.pub.a")
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "7")
	_, err = publish(ctx, nc, m)
	var api *jetstream.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	require.Equal(t, jetstream.JSErrCodeStreamWrongLastSequence, api.ErrorCode)

	_, err = publish(ctx, nc, &nats.Msg{Subject: "nostream.a"})
	require.True(t, unanswered(err), "%v", err)

	ended, end := context.WithCancel(ctx)
	end()
	_, err = publish(ended, nc, &nats.Msg{Subject: "$KV.pub.a"})
	require.ErrorIs(t, err, context.Canceled)
}
