package table

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/cespare/xxhash/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/reactors-go/reactors/internal/xxh64"
	"github.com/reactors-go/reactors/remote"
	"github.com/reactors-go/reactors/remote/internal/node"
)

// layoutKey is the key of a table's layout record in its bucket.
const layoutKey = "layout"

// layoutHistory is how many layouts a record keeps: a node that fell
// further behind than that cannot replay the changes it missed and stops
// serving the table (see [Table]).
const layoutHistory = 64

// ownerSeed is the seed of the rendezvous score of a slot and a member.
const ownerSeed = 0x517cc1b727220a95

// layout is one epoch of a table: the ids of the nodes that hold its keys,
// sorted.
type layout struct {
	Epoch   uint64   `json:"epoch"`
	Members []string `json:"members"`
}

// record is the value of a table's layout key: its current layout last,
// after at most layoutHistory-1 of the layouts before it, in epoch order
// without gaps, so that a node that missed some updates replays them.
type record struct {
	Layouts []layout `json:"layouts"`
	// Life names this life of the bucket: random, written by the first
	// record and carried by every later one, so that the write subjects
	// and graves of a bucket deleted and made again never meet those
	// of the one before (see revoke.go). "" in a record without it.
	Life string `json:"life,omitempty"`
}

// current returns the newest layout of r (epoch 0 and no members for an
// empty record).
func (r *record) current() layout {
	if len(r.Layouts) == 0 {
		return layout{}
	}
	return r.Layouts[len(r.Layouts)-1]
}

// next returns r with members appended as the next epoch's layout.
func (r *record) next(members []string) record {
	cur := r.current()
	all := append(slices.Clone(r.Layouts), layout{Epoch: cur.Epoch + 1, Members: members})
	if len(all) > layoutHistory {
		all = all[len(all)-layoutHistory:]
	}
	life := r.Life
	if len(r.Layouts) == 0 && life == "" { // the bucket's first record
		life = newLife()
	}
	return record{Layouts: all, Life: life}
}

// newLife returns a random name for a life of a bucket: 16 hex digits.
func newLife() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// slots is how many slots the keys of a table fall into. Keys move
// between members a whole slot at a time; 1,024 slots spread the keys
// within a few percent of evenly over a handful of members.
const slots = 1024

// slotOf returns the slot of the key whose hash is h: its top ten bits.
func slotOf(h uint64) int { return int(h >> 54) }

// view is a layout with the holder of each slot, ready for placement.
// Views are immutable once built.
type view struct {
	layout
	own []uint16 // own[s] = index in Members of slot s's holder; nil without members
	rev uint64   // the layout record's revision while this layout was its newest; 0 if not known
	// wpre is the subject prefix of a durable member's writes under this
	// layout (see revoke.go), in the views a member serves.
	wpre string
}

// newView places the slots of l: slot s goes to the member of highest
// rendezvous score xxh64(s ^ xxhash(id)) (ties, which need a 64-bit
// collision, go to the smaller id). Adding a member moves to it only the
// slots it now scores highest for, about 1/(n+1) of them; removing one
// moves only its slots. The placement is part of the table's frozen
// behaviour: every node computes it alike. It costs slots x members
// hashes, about 15 us for three members.
func newView(l layout) *view {
	v := &view{layout: l}
	if len(l.Members) == 0 {
		return v
	}
	hs := make([]uint64, len(l.Members))
	for i, m := range l.Members {
		hs[i] = xxhash.Sum64String(m)
	}
	v.own = make([]uint16, slots)
	for s := range slots {
		best, bi := uint64(0), 0
		for i, mh := range hs {
			if sc := xxh64.Uint64(uint64(s)^mh, ownerSeed); i == 0 || sc > best {
				best, bi = sc, i
			}
		}
		v.own[s] = uint16(bi)
	}
	return v
}

// owner returns the member that holds the key whose hash is h (the
// holder of its slot), or "" for a layout without members (or no
// layout: v nil).
func (v *view) owner(h uint64) string {
	if v == nil || v.own == nil {
		return ""
	}
	return v.Members[v.own[slotOf(h)]]
}

// holder returns the member that holds slot s, or "" for a layout
// without members (or no layout: v nil).
func (v *view) holder(s int) string {
	if v == nil || v.own == nil {
		return ""
	}
	return v.Members[v.own[s]]
}

// has reports whether id is a member of v.
func (v *view) has(id string) bool {
	_, ok := slices.BinarySearch(v.Members, id)
	return ok
}

// bucketName returns the bucket of table name in namespace ns (named
// after a hash: names may hold characters bucket names may not).
func bucketName(ns, name string) string {
	return "reactors_table_" + strconv.FormatUint(xxhash.Sum64String(ns+"\x00"+name), 16)
}

// subjectPrefix returns the prefix of the subjects of table name's members
// in namespace ns: "<ns>.#.#dht.<tokens>.". A name's tokens never start
// with '#', so no export's subject, node subject or broadcast subject
// (broadcast.go) has it as a prefix.
func subjectPrefix(ns, name string) (string, error) {
	subj, err := remote.Subject(ns, name)
	if err != nil {
		return "", err
	}
	return ns + ".#.#dht" + subj[len(ns):] + ".", nil
}

// openBucket creates table's bucket with replicas copies (0: 3, or as
// many as the JetStream system has servers) or opens the existing one.
func openBucket(ctx context.Context, js jetstream.JetStream, bucket, what string, replicas int) (jetstream.KeyValue, error) {
	try := []int{replicas}
	if replicas == 0 {
		try = []int{3, 2, 1}
	}
	var kv jetstream.KeyValue
	var err error
	for _, r := range try {
		kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: bucket, History: 1, Replicas: r, Description: "reactors table " + what,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			return js.KeyValue(ctx, bucket)
		}
		if err == nil || !node.TooFewServers(err) {
			return kv, err
		}
	}
	return kv, err
}

// decodeRecord decodes a layout record, checking that its layouts are in
// epoch order without gaps and that their members are sorted.
func decodeRecord(data []byte) (record, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%w: table layout: %w", remote.ErrDecode, err)
	}
	for i, l := range r.Layouts {
		if i > 0 && l.Epoch != r.Layouts[i-1].Epoch+1 || !slices.IsSorted(l.Members) {
			return r, fmt.Errorf("%w: table layout: epochs or members out of order", remote.ErrDecode)
		}
	}
	return r, nil
}

// propose changes the table's layout with edit, which returns the next
// members (sorted) and whether they differ from the current ones; it
// retries from the new value when another node changed the layout first.
// It returns once the change is written (or none was needed), or ctx
// ends.
func (t *Table[K, V]) propose(ctx context.Context, edit func(members []string) ([]string, bool)) error {
	pause := firstPause
	for {
		var r record
		var rev uint64
		e, err := t.kv.Get(ctx, layoutKey)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case unanswered(err):
			if err := t.pause(ctx, nil, &pause); err != nil {
				return fmt.Errorf("table: %s: layout: %w", t.name, err)
			}
			continue // nobody answered: read again
		case err != nil:
			return fmt.Errorf("table: %s: layout: %w", t.name, err)
		default:
			if r, err = decodeRecord(e.Value()); err != nil {
				return err
			}
			rev = e.Revision()
		}
		members, change := edit(slices.Clone(r.current().Members))
		if !change {
			return nil
		}
		data, err := json.Marshal(r.next(members))
		if err != nil {
			return err
		}
		if rev == 0 {
			_, err = t.kv.Create(ctx, layoutKey, data)
		} else {
			_, err = t.kv.Update(ctx, layoutKey, data, rev)
		}
		if err == nil {
			return nil
		}
		if !casConflict(err) && !unanswered(err) {
			return fmt.Errorf("table: %s: layout: %w", t.name, err)
		}
		// Another node wrote first (edit its layout instead), or nobody
		// answered the write (the JetStream client paused between its
		// own attempts, and the read that follows pauses if nobody
		// answers it either): read again.
	}
}

// unanswered reports whether err says that no server answered a
// JetStream request: a bucket just created on a cluster, whose stream
// has no leader yet or whose servers do not yet serve its reads, or
// one electing a new leader. The request is worth sending again.
func unanswered(err error) bool {
	return errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse)
}

// casConflict reports whether err says that the key changed since the
// revision a write was conditioned on.
func casConflict(err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			api.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	return errors.Is(err, jetstream.ErrKeyExists)
}

// with returns an edit adding id to the members.
func with(id string) func([]string) ([]string, bool) {
	return func(ms []string) ([]string, bool) {
		i, ok := slices.BinarySearch(ms, id)
		if ok {
			return ms, false
		}
		return slices.Insert(ms, i, id), true
	}
}

// without returns an edit removing id from the members.
func without(id string) func([]string) ([]string, bool) {
	return func(ms []string) ([]string, bool) {
		i, ok := slices.BinarySearch(ms, id)
		if !ok {
			return ms, false
		}
		return slices.Delete(ms, i, i+1), true
	}
}

// watchLayout follows the layout key: it publishes every record it sees
// (t.latest) and wakes the node's run loop. It returns when the watch
// ends ([Table.Close], or the node's connection closes).
func (t *Table[K, V]) watchLayout(kw jetstream.KeyWatcher) {
	defer t.done.Done()
	defer node.StopWatch(kw)
	for {
		select {
		case e, ok := <-kw.Updates():
			if !ok {
				t.fail(fmt.Errorf("%w: table %s: layout watch ended", remote.ErrClosed, t.name))
				return
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			r, err := decodeRecord(e.Value())
			if err != nil {
				t.fail(err)
				return
			}
			t.publish(r, e.Revision())
		case <-t.stop:
			return
		case <-t.in.Closed():
			return
		}
	}
}
