package suite

import (
	"context"
	"fmt"

	"github.com/reactors-go/reactors/router"
	"github.com/reactors-go/reactors/server"
)

// w5SizeQuery is the key of the untimed query that asks a server-router
// shard how many keys its map holds; the streams' keys are >= 0.
const w5SizeQuery int64 = -1

// w5RouterServer is a shard of the server-router variant: a request/reply
// server over W5's ops, answered with the raw peer's replies.
type w5RouterServer = server.Server[W5Op, w5Reply]

// w5Router runs the streams against S server.Spawn shards, each owning a
// plain map, behind a router.Hash on the op's key; every op is a
// server.Ask with context.Background() on the router's Channel, so the
// route is picked on the client's goroutine. The shards are preloaded
// with asks through the same router before t0, and each shard's size is
// then asked directly: the sizes must add up to the key space. The
// system is shut down after t1.
func w5Router(p RunParams) (res Result, err error) {
	streams := W5Generate(W5PerClient(p))
	sys, deadline, finish := startReactors()
	defer finish(&res, &err)

	rt := router.New(sys, "w5", router.Hash(func(q server.Request[W5Op, w5Reply]) uint64 {
		return uint64(q.Value.Key)
	}))
	shards := make([]w5RouterServer, W5Shards)
	for s := range shards {
		m := make(map[int64]int64)
		shards[s], err = server.Spawn(sys, func(op W5Op) (w5Reply, error) {
			switch {
			case op.Key == w5SizeQuery:
				return w5Reply{val: int64(len(m))}, nil
			case op.Put:
				m[op.Key] = op.Val
				return w5Reply{}, nil
			}
			v, ok := m[op.Key]
			return w5Reply{v, ok}, nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := rt.Add(shards...); err != nil {
		return nil, err
	}
	var srv w5RouterServer = rt.Channel()

	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	for k := range int64(W5Keys) {
		if _, err := server.Ask(ctx, srv, W5Op{Key: k, Val: k, Put: true}); err != nil {
			return nil, fmt.Errorf("preload: %w", err)
		}
	}
	if err := w5RouterSizes(ctx, shards); err != nil {
		return nil, err
	}

	return W5Drive(streams, func(_ int, ops []W5Op, got []int64) error {
		ctx := context.Background()
		for i, op := range ops {
			r, err := server.Ask(ctx, srv, op)
			if err != nil {
				return err
			}
			got[i] = W5Answer(op, r.val, r.found)
		}
		return nil
	}, deadline.C)
}

// w5RouterSizes asks every shard for the size of its map and checks that
// the sizes add up to the key space and that no shard is empty (the hash
// spread the keys over all of them).
func w5RouterSizes(ctx context.Context, shards []w5RouterServer) error {
	total := int64(0)
	for s, sh := range shards {
		r, err := server.Ask(ctx, sh, W5Op{Key: w5SizeQuery})
		if err != nil {
			return fmt.Errorf("preload: size of shard %d: %w", s, err)
		}
		if r.val == 0 {
			return fmt.Errorf("preload: shard %d holds no key", s)
		}
		total += r.val
	}
	if total != W5Keys {
		return fmt.Errorf("preload: shards hold %d keys, want %d", total, W5Keys)
	}
	return nil
}
