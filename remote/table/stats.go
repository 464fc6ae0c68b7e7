package table

import (
	"sync/atomic"
	"time"
)

// Stats is what a member reports of its part of a table (see
// [Table.Stats]).
type Stats struct {
	Name    string   `json:"name"`
	Epoch   uint64   `json:"epoch"`   // the layout the member serves
	Members []string `json:"members"` // that layout's members
	Slots   int      `json:"slots"`   // of the 1,024 slots of keys, those the member holds in that layout
	Keys    int      `json:"keys"`    // keys in the member's memory (see dht.Table.Stats)
	Durable bool     `json:"durable"` // false for a Config.Cache table, whose figures below stay 0

	Stored     uint64        `json:"stored"`     // writes stored in JetStream by the member
	Refused    uint64        `json:"refused"`    // writes JetStream refused, storing nothing: of a revoked layout epoch, or a barrier under a layout changed since
	Busy       uint64        `json:"busy"`       // barriers sent again because another write conditioned on the layout was in flight (a cluster only)
	Unanswered uint64        `json:"unanswered"` // writes placed again because no JetStream stream answered them (an epoch not taken yet, or revoked; a stream electing its leader), storing nothing
	Graves     uint64        `json:"graves"`     // layout epochs whose writes the member revoked for good, making their graves
	Loads      uint64        `json:"loads"`      // loads of gained keys from the bucket
	Loaded     uint64        `json:"loaded"`     // entries loaded, in all
	LastLoad   time.Duration `json:"lastLoad"`   // how long the last load took, the stream's move and the read included
}

// counters are a member's durable figures (see Stats).
type counters struct {
	stored, refused, busy, unanswered, graves, loads, loaded atomic.Uint64
	lastLoad                                                 atomic.Int64 // ns
}

// Stats returns the layout the member serves, the slots it holds, the
// keys in its memory and, for a durable table, its figures of stores,
// graves and loads. It asks nothing of other nodes or of JetStream: it
// takes the member's lock shared and reads counters. Safe for concurrent
// use, also after [Table.Close]; it allocates the members slice.
func (t *Table[K, V]) Stats() Stats {
	t.mu.RLock()
	cur := t.cur
	t.mu.RUnlock()
	st := Stats{Name: t.name, Epoch: cur.Epoch, Members: append([]string(nil), cur.Members...), Durable: !t.cache}
	for s := range slots {
		if cur.holder(s) == t.self {
			st.Slots++
		}
	}
	if t.local != nil {
		for _, sh := range t.local.Stats().Shards {
			st.Keys += sh.Keys
		}
	}
	c := &t.count
	st.Stored, st.Refused, st.Busy, st.Unanswered = c.stored.Load(), c.refused.Load(), c.busy.Load(), c.unanswered.Load()
	st.Graves = c.graves.Load()
	st.Loads, st.Loaded, st.LastLoad = c.loads.Load(), c.loaded.Load(), time.Duration(c.lastLoad.Load())
	return st
}
