package remote

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// slowKV answers the first fails WatchAll calls as a bucket on a JetStream
// cluster whose stream has not settled does (the client's request times
// out), then gives a watch whose initial values are loaded at once, or
// never when silent is set. The values are the lease of the registry's
// own node ("self"), but the first behind watches load a copy of the
// bucket that lacks it and holds a stale lease of "gone" instead.
type slowKV struct {
	jetstream.KeyValue
	fails   int
	behind  int
	silent  bool
	lives   []context.Context // the context of every call
	watches []*fakeWatch
}

func (k *slowKV) WatchAll(ctx context.Context, _ ...jetstream.WatchOpt) (jetstream.KeyWatcher, error) {
	k.lives = append(k.lives, ctx)
	if len(k.lives) <= k.fails {
		return nil, context.DeadlineExceeded
	}
	w := &fakeWatch{ch: make(chan jetstream.KeyValueEntry, 2)}
	if !k.silent {
		lease := "self"
		if len(k.watches) < k.behind {
			lease = "gone"
		}
		w.ch <- leaseEntry{key: lease, data: []byte(`{"id":"` + lease + `","names":[]}`), op: jetstream.KeyValuePut}
		w.ch <- nil // the end of the initial values
	}
	k.watches = append(k.watches, w)
	return w, nil
}

type fakeWatch struct {
	ch      chan jetstream.KeyValueEntry
	once    sync.Once
	stopped bool
}

func (w *fakeWatch) Updates() <-chan jetstream.KeyValueEntry { return w.ch }

func (w *fakeWatch) Stop() error {
	w.once.Do(func() { w.stopped = true; close(w.ch) })
	return nil
}

// leaseJS counts the lease writes of a registry.
type leaseJS struct {
	jetstream.JetStream
	puts int
}

func (j *leaseJS) PublishMsg(context.Context, *nats.Msg, ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	j.puts++
	return &jetstream.PubAck{}, nil
}

func testRegistry(t *testing.T, kv jetstream.KeyValue, clustered bool) *registry {
	t.Helper()
	n := &Node{}
	if clustered {
		n.cluster = &cluster{}
	}
	r := &registry{n: n, id: "self", kv: kv, js: &leaseJS{}, members: map[string]Member{}, pending: map[string]Member{},
		watchers: map[*MemberWatch]struct{}{}}
	r.life, r.end = context.WithCancel(context.Background())
	t.Cleanup(r.end)
	return r
}

// TestFirstWatchRetriesOnACluster: on a JetStream cluster, a watch whose
// creation timed out is tried again until one loads; every failed
// attempt's context is ended, the watch made lives until the registry
// ends.
func TestFirstWatchRetriesOnACluster(t *testing.T) {
	kv := &slowKV{fails: 3}
	r := testRegistry(t, kv, true)
	kw, err := r.firstWatch(context.Background())
	require.NoError(t, err)
	require.Len(t, kv.lives, 4)
	for i, life := range kv.lives[:3] {
		require.Error(t, life.Err(), "attempt %d", i)
	}
	require.Same(t, kv.watches[0], kw)
	require.NoError(t, kv.lives[3].Err())
	r.end()
	require.ErrorIs(t, kv.lives[3].Err(), context.Canceled)
}

// TestFirstWatchWithoutClusterFailsAtOnce: a single server answers or
// fails for good: one attempt, whose error Start reports.
func TestFirstWatchWithoutClusterFailsAtOnce(t *testing.T) {
	kv := &slowKV{fails: 1}
	r := testRegistry(t, kv, false)
	_, err := r.firstWatch(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Len(t, kv.lives, 1)
}

// TestFirstWatchGivesUpWhenStartsTimeEnds: a cluster that never answers
// makes Start fail once its context ends, and a watch that never loads
// is stopped.
func TestFirstWatchGivesUpWhenStartsTimeEnds(t *testing.T) {
	for _, kv := range []*slowKV{{fails: 1 << 30}, {silent: true}} {
		r := testRegistry(t, kv, true)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := r.firstWatch(ctx)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		for _, life := range kv.lives {
			require.Error(t, life.Err())
		}
		for _, w := range kv.watches {
			require.True(t, w.stopped)
		}
		if kv.silent {
			require.Len(t, kv.watches, 1)
		}
	}
}

// TestFirstWatchBehindIsTriedAgain: a watch that loads a copy of the
// bucket without the node's own lease (acknowledged before the watch was
// made) reads a copy that is behind or lost the lease: its values are not
// applied, the lease is written again and a new watch is made, on a
// cluster and on a single server alike.
func TestFirstWatchBehindIsTriedAgain(t *testing.T) {
	for _, clustered := range []bool{true, false} {
		kv := &slowKV{behind: 2}
		r := testRegistry(t, kv, clustered)
		kw, err := r.firstWatch(context.Background())
		require.NoError(t, err)
		require.Len(t, kv.watches, 3)
		require.Same(t, kv.watches[2], kw)
		require.True(t, kv.watches[0].stopped)
		require.True(t, kv.watches[1].stopped)
		require.Equal(t, 2, r.js.(*leaseJS).puts, "the lease written again after each")
		require.Equal(t, map[string]Member{"self": {ID: "self", Names: []string{}}}, r.members,
			"the copy behind was not applied")
	}
}
