package durable_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/durable"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
	"github.com/reactors-go/reactors/router"
)

// failCodec fails to encode negative numbers and panics on 13.
type failCodec struct{ remote.JSON[int] }

func (c failCodec) Encode(v int) ([]byte, error) {
	switch {
	case v == 13:
		panic("unlucky")
	case v < 0:
		return nil, errors.New("negative")
	}
	return c.JSON.Encode(v)
}

func TestSendRefusesBadEvents(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url, remote.WithMaxPayload(64))
	ch := channel(t, a, "bad", durable.Config[int]{Codec: failCodec{}})
	err := ch.Send(-1)
	require.ErrorIs(t, err, remote.ErrEncode)
	require.ErrorIs(t, ch.Send(13), remote.ErrEncode, "a panicking codec fails its event only")

	big, err := durable.Channel(t.Context(), a, "bad", durable.Config[string]{})
	require.NoError(t, err)
	err = big.Send(strings.Repeat("x", 100))
	var pe *remote.PayloadError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, remote.ErrPayloadTooLarge)
	require.Equal(t, remote.PayloadError{Name: "bad", Size: 102, Limit: 64}, *pe)

	noID := channel(t, a, "bad", durable.Config[int]{ID: func(int) string { return "" }})
	require.ErrorIs(t, noID.Send(1), durable.ErrInvalidID)
	panicID := channel(t, a, "bad", durable.Config[int]{ID: func(int) string { panic("no id") }})
	require.ErrorIs(t, panicID.Send(1), durable.ErrInvalidID)

	// None of them was stored: the one event sent after them comes first.
	require.NoError(t, ch.Send(2))
	_, out := export(t, a, "bad", durable.Config[int]{})
	require.Equal(t, 2, reactortest.Receive(t, out).Value)
	quiet(t, out, 100*time.Millisecond)
}

func TestOpenRefusesBadArguments(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	ctx := t.Context()
	_, err := durable.Channel(ctx, a, "a.b", durable.Config[int]{})
	require.ErrorIs(t, err, remote.ErrInvalidName)
	_, err = durable.Export(ctx, a, "x/*", collectOnly(t, a.System()), durable.Config[int]{})
	require.ErrorIs(t, err, remote.ErrInvalidName)
	_, err = durable.Channel(ctx, a, "r", durable.Config[int]{Replicas: 7})
	require.ErrorIs(t, err, durable.ErrInvalidConfig)
	_, err = durable.Channel(ctx, a, "r", durable.Config[int]{Timeout: time.Minute, Duplicates: time.Minute})
	require.ErrorIs(t, err, durable.ErrInvalidConfig)
	_, err = durable.Export(ctx, a, "zero", reactor.Channel[durable.Delivery[int]]{}, durable.Config[int]{})
	require.ErrorIs(t, err, reactor.ErrNilChannel)

	// A stream of the name's that a durable name cannot use.
	subj, err := durable.Subject(a.Namespace(), "taken")
	require.NoError(t, err)
	js, err := jetstream.New(a.Conn())
	require.NoError(t, err)
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: durable.StreamName(subj), Subjects: []string{subj}})
	require.NoError(t, err)
	_, err = durable.Channel(ctx, a, "taken", durable.Config[int]{})
	require.ErrorIs(t, err, durable.ErrStream)

	// A node whose embedded server runs no JetStream fails at once.
	plain := remotetest.StartNode(t, reactortest.NewSystem(t))
	start := time.Now()
	_, err = durable.Channel(ctx, plain, "orders", durable.Config[int]{})
	require.ErrorIs(t, err, durable.ErrNoJetStream)
	_, err = durable.Export(ctx, plain, "orders", collectOnly(t, plain.System()), durable.Config[int]{})
	require.ErrorIs(t, err, durable.ErrNoJetStream)
	require.Less(t, time.Since(start), time.Second)

	// A closed node.
	ch := channel(t, a, "closed", durable.Config[int]{})
	closeCtx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, a.Close(closeCtx))
	require.ErrorIs(t, ch.Send(1), remote.ErrClosed)
	_, err = durable.Channel(ctx, a, "closed", durable.Config[int]{})
	require.ErrorIs(t, err, remote.ErrClosed)
	_, err = durable.Export(ctx, a, "closed", collectOnly(t, a.System()), durable.Config[int]{})
	require.ErrorIs(t, err, remote.ErrClosed)
}

func TestUndecodableIsDeadLetteredAndRemoved(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, dead := node(t, url)
	_, out := export(t, a, "points", durable.Config[int]{})
	subj, err := durable.Subject(a.Namespace(), "points")
	require.NoError(t, err)
	require.Equal(t, "reactors.#~durable.points", subj)
	js, err := jetstream.New(a.Conn())
	require.NoError(t, err)
	_, err = js.Publish(t.Context(), subj, []byte("not json"))
	require.NoError(t, err)

	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonUndecodable, d.Reason)
	require.Equal(t, "durable:points", d.Channel)
	u, ok := d.Event.(remote.Undecodable)
	require.True(t, ok, "%T", d.Event)
	require.Equal(t, "points", u.Name)
	require.Equal(t, subj, u.Subject)
	require.Equal(t, []byte("not json"), u.Data)
	require.ErrorIs(t, u.Err, remote.ErrDecode)
	var syn *json.SyntaxError
	require.ErrorAs(t, u.Err, &syn)

	require.NoError(t, channel(t, a, "points", durable.Config[int]{}).Send(4))
	require.Equal(t, 4, reactortest.Receive(t, out).Value)
	quiet(t, out, 100*time.Millisecond)
	s, err := js.Stream(t.Context(), durable.StreamName(subj))
	require.NoError(t, err)
	for deadline := time.Now().Add(wait); ; time.Sleep(10 * time.Millisecond) {
		info, err := s.Info(t.Context())
		require.NoError(t, err)
		if info.State.Msgs == 0 {
			break // the undecodable message was removed, not kept for ever
		}
		require.True(t, time.Now().Before(deadline), "%d messages left in the stream", info.State.Msgs)
	}
	require.Empty(t, dead)
}

func TestSealedChannelStopsTheExportAndKeepsTheEvent(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, dead := node(t, url)
	sealed := make(chan reactor.Channel[durable.Delivery[int]], 1)
	_, err := reactor.Spawn(a.System(), func(r *reactor.Reactor[struct{}]) {
		c, err := reactor.Open[durable.Delivery[int]](r)
		if err != nil {
			panic(err)
		}
		c.Seal()
		sealed <- c.Channel()
	})
	require.NoError(t, err)
	target := reactortest.Receive(t, sealed)
	x, err := durable.Export(t.Context(), a, "sealed", target, durable.Config[int]{})
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	require.NoError(t, channel(t, a, "sealed", durable.Config[int]{}).Send(9))

	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonSealed, d.Reason)
	require.Equal(t, 9, d.Event.(durable.Delivery[int]).Value)
	n := remotetest.AwaitNotice(t, a, remote.NoticeError) // told once Err is set
	require.ErrorIs(t, n.Err, durable.ErrExportStopped)
	require.ErrorIs(t, x.Err(), durable.ErrExportStopped)
	require.ErrorIs(t, x.Err(), reactor.ErrSealed)

	// The event stayed in the stream: the next export of the name gets it.
	closeExport(t, x)
	_, out := export(t, a, "sealed", durable.Config[int]{})
	g := reactortest.Receive(t, out)
	require.Equal(t, 9, g.Value)
	require.GreaterOrEqual(t, g.Attempt, 2, "given back (perhaps again while the export stopped)")
}

func TestTerminatedChannelStopsTheExport(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	ch, out := collect(t, a.System(), 10)
	x, err := durable.Export(t.Context(), a, "gone", ch, durable.Config[int]{})
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	send := channel(t, a, "gone", durable.Config[int]{})
	require.NoError(t, send.Send(1))
	require.Equal(t, 1, reactortest.Receive(t, out).Value)
	require.NoError(t, ch.Stop())
	reactortest.WaitClosed(t, ch.Done())
	require.NoError(t, send.Send(2))
	require.ErrorIs(t, remotetest.AwaitNotice(t, a, remote.NoticeError).Err, reactor.ErrTerminated)
	require.ErrorIs(t, x.Err(), durable.ErrExportStopped)
	require.ErrorIs(t, x.Err(), reactor.ErrTerminated)
	closeExport(t, x)
	_, out = export(t, a, "gone", durable.Config[int]{})
	require.Equal(t, 2, reactortest.Receive(t, out).Value)
}

func TestBlockingCallsInsideReactorFailAtOnce(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, _ := node(t, url)
	ch := channel(t, a, "inside", durable.Config[int]{})
	sys := a.System()
	err := remotetest.InsideReactor(t, sys, func() error { return ch.Send(1) })
	require.ErrorIs(t, err, reactor.ErrInsideReactor)
	err = remotetest.InsideReactor(t, sys, func() error {
		_, err := durable.Channel(context.Background(), a, "inside", durable.Config[int]{})
		return err
	})
	require.ErrorIs(t, err, reactor.ErrInsideReactor)
	target := collectOnly(t, sys)
	err = remotetest.InsideReactor(t, sys, func() error {
		_, err := durable.Export(context.Background(), a, "inside", target, durable.Config[int]{})
		return err
	})
	require.ErrorIs(t, err, reactor.ErrInsideReactor)
	// Nothing was sent from the handler; from a goroutine Send works.
	require.NoError(t, ch.Send(2))
	_, out := export(t, a, "inside", durable.Config[int]{})
	require.Equal(t, 2, reactortest.Receive(t, out).Value)
	quiet(t, out, 100*time.Millisecond)
}

func TestRouterWithoutRouteTakesTheEventLater(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	a, dead := node(t, url)
	rt := router.New(a.System(), "workers", router.RoundRobin[durable.Delivery[int]]())
	cfg := durable.Config[int]{Retry: 50 * time.Millisecond}
	x, err := durable.Export(t.Context(), a, "routed", rt.Channel(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { closeExport(t, x) })
	require.NoError(t, channel(t, a, "routed", cfg).Send(6))
	d := reactortest.Receive(t, dead)
	require.Equal(t, reactor.ReasonNoRoute, d.Reason)
	require.NoError(t, x.Err(), "a router may gain members: the export goes on")

	worker, out := collect(t, a.System(), 10)
	require.NoError(t, rt.Add(worker))
	g := reactortest.Receive(t, out)
	require.Equal(t, 6, g.Value)
	require.Greater(t, g.Attempt, 1)
	require.NoError(t, x.Err())
}
