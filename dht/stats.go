package dht

// Stats is what a [Table] reports of its shards (see [Table.Stats]).
type Stats struct {
	Name    string       `json:"name"`    // WithName's name, "" without it
	Epoch   uint32       `json:"epoch"`   // the layout's number: 1, then one more per resize
	Resizes uint64       `json:"resizes"` // layouts published by Resize
	Shards  []ShardStats `json:"shards"`  // shard i of the current layout
}

// ShardStats is one shard of a table.
type ShardStats struct {
	Keys    int    `json:"keys"`    // keys the shard holds
	Ops     uint64 `json:"ops"`     // data operations it applied (a batch counts its items)
	Waiting int    `json:"waiting"` // requests in its mailbox
}

// Stats returns the table's layout and, per shard, its keys, the data
// operations it applied and its mailbox length. It asks no shard: it
// reads figures each shard updates as it works (two plain stores
// per operation), so they are current to the last operation of each shard
// but not a snapshot of one instant; use [Table.Len] or [Table.Range] for exact
// figures. Safe for concurrent use, from any goroutine or reactor; it
// allocates the slice.
func (t *Table[K, V]) Stats() Stats {
	l := t.cur.Load()
	st := Stats{Name: t.name, Epoch: l.epoch, Resizes: t.resizes.Load(), Shards: make([]ShardStats, len(l.shells))}
	for i, sh := range l.shells {
		st.Shards[i] = ShardStats{Keys: int(sh.s.keys.Load()), Ops: sh.s.ops.Load(), Waiting: l.shards[i].Len()}
	}
	return st
}
