package table

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/dht"
	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote/internal/remotetest"
)

// TestStoreIsFencedByEpoch checks the revocation of durable writes:
// once a member that gains slots has loaded them, a write under the
// former layout's epoch is refused and stores nothing, for the slots
// its writer lost and kept alike; a move of the stream back to the
// former epoch fails; the writer's writes under the new epoch are
// stored.
func TestStoreIsFencedByEpoch(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	defer cancel()
	n1 := remotetest.Member(t, url, "n1")
	t1, err := Open[string, int](ctx, n1, "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer t1.Close(ctx)
	t1.mu.RLock()
	oldView := t1.cur
	t1.mu.RUnlock()
	old := oldView.rev
	require.NotZero(t, old)

	both := newView(layout{Members: []string{"n1", "n2"}})
	var moved, kept string
	for i := 0; moved == "" || kept == ""; i++ {
		k := fmt.Sprint(i)
		h, err := t1.hash(k)
		require.NoError(t, err)
		if both.owner(h) == "n2" {
			moved = k
		} else {
			kept = k
		}
	}
	for _, k := range []string{moved, kept} {
		_, _, err := t1.Put(ctx, k, 1)
		require.NoError(t, err)
	}

	n2 := remotetest.Member(t, url, "n2")
	t2, err := Open[string, int](ctx, n2, "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer t2.Close(ctx)

	again, err := t1.store(ctx, mustEncode(t, moved, 3), false, oldView)
	require.NoError(t, err)
	require.True(t, again, "a write of the former epoch is refused")
	again, err = t1.store(ctx, mustEncode(t, moved, 0), true, oldView)
	require.NoError(t, err)
	require.True(t, again, "and a deletion")
	again, err = t1.store(ctx, mustEncode(t, kept, 3), false, oldView)
	require.NoError(t, err)
	require.True(t, again, "on a slot its writer keeps too")
	for _, k := range []string{moved, kept} {
		key, err := dataKey(k)
		require.NoError(t, err)
		e, err := t1.kv.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, "1", string(e.Value()), "the refused writes stored nothing")
	}

	// A member behind on the layout cannot move the stream back.
	t1.moveMu.Lock()
	t1.moved.Store(0)
	t1.moveMu.Unlock()
	require.ErrorIs(t, t1.move(ctx, 1), errBehind)
	s, err := t1.in.JetStream().Stream(ctx, t1.stream)
	require.NoError(t, err)
	cfg := s.CachedInfo().Config
	cfg.Subjects = []string{"$KV." + t1.bucket + ".>", t1.writeRoot() + "1.>"}
	_, err = t1.in.JetStream().UpdateStream(ctx, cfg)
	require.True(t, overlap(err), "an update taking the revoked epoch again fails: %v", err)

	t1.mu.RLock()
	newView := t1.cur
	t1.mu.RUnlock()
	require.Equal(t, uint64(2), newView.Epoch)
	again, err = t1.store(ctx, mustEncode(t, kept, 4), false, newView)
	require.NoError(t, err)
	require.False(t, again, "a write of the new epoch is stored")

	prev, had, err := t2.Put(ctx, moved, 5)
	require.NoError(t, err)
	require.True(t, had)
	require.Equal(t, 1, prev, "n2 loaded n1's write")
	v, _, err := t1.Get(ctx, moved)
	require.NoError(t, err)
	require.Equal(t, 5, v)

	ok, _, err := t1.barrier(ctx, old)
	require.NoError(t, err)
	require.False(t, ok, "the barrier of the old layout fails")

	// The figures of all this: one grave, for epoch 1, made by whichever
	// member moved the stream first (or by both: JetStream answers the
	// creation of a stream that exists, unsealed yet, as a success).
	s1, s2 := t1.Stats(), t2.Stats()
	require.True(t, s1.Durable)
	require.Equal(t, []string{"n1", "n2"}, s1.Members)
	require.Equal(t, slots, s1.Slots+s2.Slots, "every slot has one holder")
	require.NotZero(t, s2.Slots)
	require.Contains(t, []uint64{1, 2}, s1.Graves+s2.Graves)
	require.Equal(t, uint64(3), s1.Stored, "two puts and the write of the new epoch")
	require.Equal(t, uint64(4), s1.Refused, "three writes, one barrier")
	require.Equal(t, uint64(1), s2.Stored)
	require.Zero(t, s2.Refused)
	require.Equal(t, uint64(1), s2.Loads)
	require.Equal(t, uint64(1), s2.Loaded, "the one stored key of n2's slots")
	require.Positive(t, s2.LastLoad)
	require.Zero(t, s1.Busy+s2.Busy, "one server admits every conditioned write")
}

// TestWritesOutlastAStaleStreamUpdate checks that a stream update that
// takes the current epoch's writes away (as a member behind on the
// layout makes, paused between its check and its update) stops writes
// only until a member moves the stream back: writes are placed again
// meanwhile and stored once it is back.
func TestWritesOutlastAStaleStreamUpdate(t *testing.T) {
	ctx, t1, t2 := twoMembers(t)
	_, _, err := t1.Put(ctx, "a", 1)
	require.NoError(t, err)

	js := t1.in.JetStream()
	s, err := js.Stream(ctx, t1.stream)
	require.NoError(t, err)
	cfg := s.CachedInfo().Config
	cfg.Subjects = []string{"$KV." + t1.bucket + ".>"}
	_, err = js.UpdateStream(ctx, cfg)
	require.NoError(t, err)

	before := t1.Stats().Unanswered + t2.Stats().Unanswered
	for i := range 20 {
		_, _, err := t2.Put(ctx, fmt.Sprint("k", i), i)
		require.NoError(t, err)
	}
	require.Greater(t, t1.Stats().Unanswered+t2.Stats().Unanswered, before, "a write found no stream")
	for i := range 20 {
		v, ok, err := t1.Get(ctx, fmt.Sprint("k", i))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, i, v)
		key, err := dataKey(fmt.Sprint("k", i))
		require.NoError(t, err)
		e, err := t1.kv.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(i), string(e.Value()), "stored")
	}
}

// TestEarlierLifeServesNothing checks the guard of a node that opened a
// table whose layout still lists it from an earlier life: until it has
// left that layout it answers "not ready", not from its empty memory.
func TestEarlierLifeServesNothing(t *testing.T) {
	ctx, tb, h := holdingK(t)
	get := func() reply[int] {
		tb.mu.RLock()
		q := request[string, int]{Op: opGet, Key: "k", Epoch: tb.cur.Epoch}
		tb.mu.RUnlock()
		return tb.apply(ctx, &q, h)
	}
	tb.mu.Lock()
	tb.earlier = true
	tb.mu.Unlock()
	require.Equal(t, codeNotReady, get().Code)
	tb.mu.Lock()
	tb.earlier = false
	tb.mu.Unlock()
	r := get()
	require.Equal(t, codeOK, r.Code)
	require.Equal(t, 1, r.Val)
}

// TestLapsedLeaseServesAfterBarrier checks what a member does when its
// lease lapsed (its generation changed, as when a renewal comes after the
// lease had ended) while it kept running: it answers "not ready" at once,
// and serves again, reads and writes, once its run loop's barrier showed
// that its layout is still the newest.
func TestLapsedLeaseServesAfterBarrier(t *testing.T) {
	ctx, tb, h := holdingK(t)
	refused := tb.Stats().Refused
	stored := tb.Stats().Stored

	gen := tb.in.Lease().Gen
	tb.gen.Store(gen + 1) // a generation the member has not checked
	tb.mu.RLock()
	q := request[string, int]{Op: opGet, Key: "k", Epoch: tb.cur.Epoch}
	tb.mu.RUnlock()
	require.Equal(t, codeNotReady, tb.apply(ctx, &q, h).Code, "no read before the barrier")

	v, ok, err := tb.Get(ctx, "k") // placed again until the member serves
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, v)
	require.Equal(t, tb.in.Lease().Gen, tb.gen.Load(), "the barrier took the lease's generation")
	_, _, err = tb.Put(ctx, "k", 2)
	require.NoError(t, err)
	st := tb.Stats()
	require.Equal(t, refused, st.Refused, "the barrier passed")
	require.Equal(t, stored+1, st.Stored)
}

// mustEncode returns the write of v under k as a durable table stores it.
func mustEncode(t *testing.T, k string, v int) encoded {
	e, err := encode(k, v, false)
	require.NoError(t, err)
	return e
}

// holdingK opens a durable table of one member, n1, and puts 1 under
// "k"; it returns the test's context, the table and the key's hash. The
// table is closed when the test ends.
func holdingK(t *testing.T) (context.Context, *Table[string, int], uint64) {
	ctx, _, tb := loneMember(t)
	h, err := tb.hash("k")
	require.NoError(t, err)
	return ctx, tb, h
}

// loneMember opens the durable table "kv" on one member, n1, of a
// JetStream server of the test, and puts 1 under "k"; it returns the
// test's context (bounded by its patience), the server's URL and the
// table, closed when the test ends.
func loneMember(t *testing.T) (context.Context, string, *Table[string, int]) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	t.Cleanup(cancel)
	tb, err := Open[string, int](ctx, remotetest.Member(t, url, "n1"), "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tb.Close(ctx) })
	_, _, err = tb.Put(ctx, "k", 1)
	require.NoError(t, err)
	return ctx, url, tb
}

// watchingKV is a bucket that hands each watch of the whole bucket it
// starts to watches.
type watchingKV struct {
	jetstream.KeyValue
	watches chan jetstream.KeyWatcher
}

func (kv watchingKV) WatchAll(ctx context.Context, opts ...jetstream.WatchOpt) (jetstream.KeyWatcher, error) {
	w, err := kv.KeyValue.WatchAll(ctx, opts...)
	if err == nil {
		kv.watches <- w
	}
	return w, err
}

// TestLoadLeavesNoWatchBehind checks that a load of the stored entries
// ends its watch of the bucket even when writes made after the read
// filled the watch's channel: a watch stopped but left full keeps its
// delivery goroutine blocked on the next write for good.
func TestLoadLeavesNoWatchBehind(t *testing.T) {
	const stored = 100
	ctx, tb, _ := holdingK(t)
	for i := 1; i < stored; i++ {
		_, _, err := tb.Put(ctx, fmt.Sprint("k", i), i)
		require.NoError(t, err)
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	kv := watchingKV{KeyValue: tb.kv, watches: make(chan jetstream.KeyWatcher, 1)}
	tb.kv = kv
	defer func() { tb.kv = kv.KeyValue }()
	var w jetstream.KeyWatcher
	read := 0
	entries, _, err := tb.readStored(ctx, func(uint64) bool {
		if read++; read == stored {
			// While the read holds its last entry, more writes than the
			// watch's channel holds; then wait until the channel is full.
			w = <-kv.watches
			for i := range 2 * cap(w.Updates()) {
				_, err := kv.Put(ctx, fmt.Sprint("o.", i), nil)
				require.NoError(t, err)
			}
			require.Eventually(t, func() bool { return len(w.Updates()) == cap(w.Updates()) },
				reactortest.Patience, time.Millisecond)
		}
		return true
	})
	require.NoError(t, err)
	require.Len(t, entries, stored, "the entries stored before the read, and no others")
	select {
	case _, open := <-w.Updates():
		require.False(t, open, "the watch's channel is drained")
	default:
		t.Fatal("the load returned with its watch's channel open")
	}
}

// TestEncodeSizeIsTheEntrysJSON checks that the size encode reports for
// a write, which the payload limit is checked against, is the length of
// the entry's JSON as a hand-over chunk carries it, and that its bucket
// key is dataKey's.
func TestEncodeSizeIsTheEntrysJSON(t *testing.T) {
	type point struct {
		X, Y int
		Tag  string `json:"tag,omitempty"`
	}
	check := func(k, v any) {
		t.Helper()
		e, err := encode(k, v, false)
		require.NoError(t, err)
		data, err := json.Marshal(dht.KV[any, any]{Key: k, Value: v})
		require.NoError(t, err)
		require.Equal(t, len(data), e.entrySize(), "%s", data)
		key, err := dataKey(k)
		require.NoError(t, err)
		require.Equal(t, key, e.bucketKey())
		val, err := json.Marshal(v)
		require.NoError(t, err)
		require.Equal(t, val, e.val)
	}
	check("k", 1)
	check("<&> \"quoted\" \u2028 é", "<script>")
	check(42, point{X: 1, Y: -2, Tag: "t"})
	check(point{X: 3}, []string{"a", "b"})
	check(json.RawMessage(`{ "spaced" : 1 }`), nil)
	d, err := encode("k", 1, true)
	require.NoError(t, err)
	require.Nil(t, d.val, "a deletion stores no value")
}

// unansweredKV is a bucket whose first gets and writes are not answered,
// as a bucket just created on a cluster may not be.
type unansweredKV struct {
	jetstream.KeyValue
	gets, writes *int // how many more go unanswered
}

func (kv unansweredKV) Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	if *kv.gets > 0 {
		*kv.gets--
		return nil, nats.ErrNoResponders
	}
	return kv.KeyValue.Get(ctx, key)
}

func (kv unansweredKV) Create(ctx context.Context, key string, value []byte, opts ...jetstream.KVCreateOpt) (uint64, error) {
	if *kv.writes > 0 {
		*kv.writes--
		return 0, jetstream.ErrNoStreamResponse
	}
	return kv.KeyValue.Create(ctx, key, value, opts...)
}

func (kv unansweredKV) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	if *kv.writes > 0 {
		*kv.writes--
		return 0, jetstream.ErrNoStreamResponse
	}
	return kv.KeyValue.Update(ctx, key, value, rev)
}

// TestLayoutChangeOutlastsUnansweredRequests checks that a change of the
// layout (a member joining or leaving) is sent again while nobody answers
// the bucket's reads or writes, and is written once, in epoch order.
func TestLayoutChangeOutlastsUnansweredRequests(t *testing.T) {
	ctx, _, js := rawJetStream(t)
	bucket, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "fresh", History: 1})
	require.NoError(t, err)
	gets, writes := 3, 1
	tb := &Table[string, int]{name: "fresh", kv: unansweredKV{KeyValue: bucket, gets: &gets, writes: &writes}}
	require.NoError(t, tb.propose(ctx, with("a")))
	require.Zero(t, gets+writes, "every unanswered request was sent again")
	gets, writes = 2, 2
	require.NoError(t, tb.propose(ctx, with("b")))
	require.Zero(t, gets+writes)
	e, err := bucket.Get(ctx, layoutKey)
	require.NoError(t, err)
	r, err := decodeRecord(e.Value())
	require.NoError(t, err)
	require.Equal(t, layout{Epoch: 2, Members: []string{"a", "b"}}, r.current())
	require.Len(t, r.Layouts, 2)
}

// unansweredStores makes the next n conditioned writes of tb to the
// bucket key key go unanswered, alternately with nats.ErrNoResponders and
// jetstream.ErrNoStreamResponse, as a stream electing its leader answers;
// seen runs (if not nil) at each. Other writes are published.
func unansweredStores(tb *Table[string, int], key string, n int, seen func()) {
	var left atomic.Int64
	left.Store(int64(n))
	f := publishFunc(func(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
		if strings.HasSuffix(m.Subject, "."+key) {
			if i := left.Add(-1); i >= 0 {
				if seen != nil {
					seen()
				}
				if i%2 == 0 {
					return nil, nats.ErrNoResponders
				}
				return nil, jetstream.ErrNoStreamResponse
			}
		}
		return tb.in.JetStream().PublishMsg(ctx, m)
	})
	tb.pub.Store(&f)
}

// TestWriteOutlastsUnansweredStores checks that a durable write that no
// JetStream server answers (nothing is stored) is placed again until it
// is stored: a write of the key's holder, and a put, a swap and a
// deletion of another node.
// A write whose context ends meanwhile returns the context's error, and
// stored nothing.
func TestWriteOutlastsUnansweredStores(t *testing.T) {
	ctx, url, t1 := loneMember(t) // n1 holds "k"
	stored := func(tb *Table[string, int], k string) string {
		t.Helper()
		key, err := dataKey(k)
		require.NoError(t, err)
		e, err := tb.kv.Get(ctx, key)
		require.NoError(t, err)
		return string(e.Value())
	}
	key, err := dataKey("k")
	require.NoError(t, err)
	unansweredStores(t1, key, 4, nil)
	prev, had, err := t1.Put(ctx, "k", 2)
	require.NoError(t, err)
	require.True(t, had)
	require.Equal(t, 1, prev)
	require.EqualValues(t, 4, t1.Stats().Unanswered, "each unanswered write was placed again")
	require.Equal(t, "2", stored(t1, "k"))

	n2 := remotetest.Member(t, url, "n2")
	t2, err := Open[string, int](ctx, n2, "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer t2.Close(ctx)
	var held string // a key n1 holds with n2 in the layout
	for i := 0; held == ""; i++ {
		k := fmt.Sprint("h", i)
		if o, err := t2.Owner(k); err == nil && o == "n1" {
			held = k
		}
	}
	key, err = dataKey(held)
	require.NoError(t, err)
	unansweredStores(t1, key, 3, nil)
	_, _, err = t2.Put(ctx, held, 4)
	require.NoError(t, err, "a write of another node is placed again too")
	require.EqualValues(t, 7, t1.Stats().Unanswered)
	v, ok, err := t2.Get(ctx, held)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 4, v)
	unansweredStores(t1, key, 2, nil)
	swapped, err := t2.CompareAndSwap(ctx, held, 4, 5)
	require.NoError(t, err)
	require.True(t, swapped, "a swap is placed again")
	require.Equal(t, "5", stored(t1, held))
	unansweredStores(t1, key, 2, nil)
	prev, had, err = t2.Delete(ctx, held)
	require.NoError(t, err)
	require.True(t, had, "a deletion is placed again")
	require.Equal(t, 5, prev)
	require.EqualValues(t, 11, t1.Stats().Unanswered)
	_, err = t1.kv.Get(ctx, key)
	require.ErrorIs(t, err, jetstream.ErrKeyNotFound, "the deletion is stored")
	_, _, err = t2.Put(ctx, held, 4)
	require.NoError(t, err)

	ended, end := context.WithCancel(ctx)
	defer end()
	var calls atomic.Int64
	unansweredStores(t1, key, 1<<30, func() {
		if calls.Add(1) == 3 {
			end()
		}
	})
	_, _, err = t1.Put(ended, held, 9)
	require.ErrorIs(t, err, context.Canceled)
	t1.pub.Store(nil)
	v, _, err = t1.Get(ctx, held)
	require.NoError(t, err)
	require.Equal(t, 4, v, "a write that ended unanswered is not applied")
	require.Equal(t, "4", stored(t1, held), "nor stored")
}

// TestRequestsBeforeTheLayoutAreNotReady: a member whose subscriptions
// are up but which has not read the layout yet (Open's first state, a
// layout of no members) answers pings with epoch 0 and every operation
// with "not ready", and panics on none.
func TestRequestsBeforeTheLayoutAreNotReady(t *testing.T) {
	tb := &Table[string, int]{self: "n1", cur: newView(layout{})}
	ctx := context.Background()
	require.Equal(t, reply[int]{}, tb.apply(ctx, &request[string, int]{Op: opPing}, 0))
	for _, op := range []uint8{opGet, opPut, opDelete, opCAS} {
		r := tb.apply(ctx, &request[string, int]{Op: op, Key: "k", Epoch: 1}, 42)
		require.Equal(t, codeNotReady, r.Code, "op %d", op)
	}
}

// TestMembersMakeGravesTogether: two members that make and seal the
// same graves at once (both moving the stream to a new epoch) both
// succeed, and every grave ends sealed.
func TestMembersMakeGravesTogether(t *testing.T) {
	ctx, t1, t2 := twoMembers(t)
	const first, rounds, each = 100, 30, 2 // far past the epochs the layout reaches here
	for r := range rounds {
		base := uint64(first + r*each)
		errs := make(chan error, 2)
		for _, tb := range []*Table[string, int]{t1, t2} {
			go func() {
				tb.moveMu.Lock()
				defer tb.moveMu.Unlock()
				tb.buried = base
				again, err := tb.bury(ctx, base+each+1)
				if again {
					err = errors.Join(err, errors.New("again"))
				}
				errs <- err
			}()
		}
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
	}
	for g := uint64(first + 1); g <= first+rounds*each; g++ {
		s, err := t1.in.JetStream().Stream(ctx, t1.graveName(g))
		require.NoError(t, err, "grave %d", g)
		require.True(t, s.CachedInfo().Config.Sealed, "grave %d", g)
	}
}

// twoMembers opens the durable table "kv" on two members, n1 and n2, of
// a JetStream server of the test, closed when the test ends, and
// returns them with a context bounded by the test's patience.
func twoMembers(t *testing.T) (context.Context, *Table[string, int], *Table[string, int]) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	t.Cleanup(cancel)
	var tables []*Table[string, int]
	for _, id := range []string{"n1", "n2"} {
		tb, err := Open[string, int](ctx, remotetest.Member(t, url, id), "kv", dht.StringKey, Config[int]{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tb.Close(context.Background()) })
		tables = append(tables, tb)
	}
	return ctx, tables[0], tables[1]
}

// rawJetStream connects to a JetStream server of the test, closed when
// the test ends, and returns the connection and its JetStream context
// with a context bounded by the test's patience.
func rawJetStream(t *testing.T) (context.Context, *nats.Conn, jetstream.JetStream) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	t.Cleanup(cancel)
	nc, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	return ctx, nc, js
}

// TestBucketMadeAgainIgnoresOldGraves: a table whose bucket was deleted
// by hand (its graves left behind) and made again by the next member
// that opens it writes under a new life of the bucket, which the old
// graves do not refuse.
func TestBucketMadeAgainIgnoresOldGraves(t *testing.T) {
	url := remotetest.JetStreamServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), reactortest.Patience)
	defer cancel()
	open := func(id string) *Table[string, int] {
		tb, err := Open[string, int](ctx, remotetest.Member(t, url, id), "kv", dht.StringKey, Config[int]{})
		require.NoError(t, err)
		return tb
	}
	t1, t2 := open("n1"), open("n2")
	_, _, err := t1.Put(ctx, "k", 1)
	require.NoError(t, err)
	first := t1.lifeName()
	require.Len(t, first, 16)
	require.NoError(t, t2.Close(ctx))
	require.NoError(t, t1.Close(ctx))
	require.NotZero(t, t1.Stats().Graves+t2.Stats().Graves, "the layout changes made graves")
	require.NoError(t, t1.in.JetStream().DeleteKeyValue(ctx, t1.bucket))

	t3 := open("n3")
	defer t3.Close(ctx)
	require.NotEqual(t, first, t3.lifeName(), "a new life")
	_, had, err := t3.Put(ctx, "k", 2)
	require.NoError(t, err)
	require.False(t, had, "the deleted bucket's keys are gone")
	v, _, err := t3.Get(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, 2, v)
	_, err = t3.in.JetStream().Stream(ctx, t1.bucket+graveSuffix+first+"_1")
	require.NoError(t, err, "the old life's grave of epoch 1 is still there")
}

// TestUnsealedGraveRefusesLateWrites: a member that moved the stream to
// a new epoch and stopped between making an old epoch's grave and
// sealing it leaves the grave unsealed. A late write of that epoch is
// then stored in the grave, not refused by the server; the writer
// refuses it all the same (the acknowledgement names the grave, not the
// bucket's stream), the bucket keeps the value it had, and a member
// that comes later leaves the unsealed grave as it is and serves the
// key.
func TestUnsealedGraveRefusesLateWrites(t *testing.T) {
	ctx, url, t1 := loneMember(t)
	t1.mu.RLock()
	oldView := t1.cur
	t1.mu.RUnlock()
	require.Equal(t, uint64(1), oldView.Epoch)

	// What the stopped member did: the stream moved to epoch 2, then
	// epoch 1's grave made and never sealed.
	js := t1.in.JetStream()
	s, err := js.Stream(ctx, t1.stream)
	require.NoError(t, err)
	cfg := s.CachedInfo().Config
	cfg.Subjects = []string{"$KV." + t1.bucket + ".>", t1.writeRoot() + "2.>"}
	_, err = js.UpdateStream(ctx, cfg)
	require.NoError(t, err)
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:     t1.graveName(1),
		Subjects: []string{t1.writeRoot() + "1.>"},
		Storage:  jetstream.FileStorage,
		MaxMsgs:  1,
		Discard:  jetstream.DiscardOld,
	})
	require.NoError(t, err)

	refused := t1.Stats().Refused
	again, err := t1.store(ctx, mustEncode(t, "k", 3), false, oldView)
	require.NoError(t, err)
	require.True(t, again, "a write the unsealed grave took is refused")
	require.Equal(t, refused+1, t1.Stats().Refused)
	g, err := js.Stream(ctx, t1.graveName(1))
	require.NoError(t, err)
	info, err := g.Info(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), info.State.Msgs, "the grave took the late write")
	require.False(t, info.Config.Sealed)
	key, err := dataKey("k")
	require.NoError(t, err)
	e, err := t1.kv.Get(ctx, key)
	require.NoError(t, err)
	require.Equal(t, "1", string(e.Value()), "the bucket kept its value")

	t2, err := Open[string, int](ctx, remotetest.Member(t, url, "n2"), "kv", dht.StringKey, Config[int]{})
	require.NoError(t, err)
	defer t2.Close(ctx)
	for _, tb := range []*Table[string, int]{t1, t2} {
		prev, had, err := tb.Put(ctx, "k", 4)
		require.NoError(t, err)
		require.True(t, had)
		require.Contains(t, []int{1, 4}, prev)
	}
	v, ok, err := t2.Get(ctx, "k")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 4, v)
}
