package dht

// ShardBacklog returns about how many messages wait in shard i's
// mailbox (reactor.Channel.Len), for tests that count the messages an
// operation sends to a shard held busy.
func ShardBacklog[K comparable, V any](t *Table[K, V], i int) int { return t.shards[i].Len() }
