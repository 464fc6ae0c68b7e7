package dht

import (
	"github.com/reactors-go/reactors/reactor"
	"github.com/reactors-go/reactors/server"
)

// This file is the reactor shell of a shard: it feeds requests to the
// pure core (shard.go), keeps the requests that must wait, and sends the
// messages of resharding.

// control is the payload of a control operation (see the op kinds).
type control[K comparable, V any] struct {
	epoch  uint32                              // opGrow, opExpect, opDrain: the new layout's epoch
	shards int                                 // opGrow, opExpect, opDrain: its shard count
	prev   int                                 // opExpect: the previous shard count
	to     []server.Server[op[K, V], reply[V]] // opGrow, opDrain: the shards that get an opInstall
	first  int                                 // opGrow, opDrain: the shard number of to[0]
	from   int                                 // opInstall: the shard that hands keys over
	keys   *keys[K, V]                         // opInstall: the keys (nil if none)
	snap   []KV[K, V]                          // opHold: the shard's copy, written by the shard
}

// keys is a set of stored keys on their way to another shard.
type keys[K comparable, V any] struct {
	k []K
	e []entry[V]
}

// shell is the reactor side of one shard.
type shell[K comparable, V any] struct {
	s       *shard[K, V]
	main    *reactor.Connector[server.Request[op[K, V], reply[V]]]
	pending []server.Request[op[K, V], reply[V]] // data operations waiting, in arrival order
	settle  []server.Request[op[K, V], reply[V]] // opSettle requests waiting for waiting == 0
}

// newShell returns the shell of shard self of a layout of own shards at
// epoch. If prev > 0 the shard is new in a grown layout and waits for
// the keys of shards 0..prev-1 of the previous one. The shell belongs to
// the shard's reactor from its spawn on (body, direct).
func newShell[K comparable, V any](self, own int, epoch uint32, prev int) *shell[K, V] {
	sh := &shell[K, V]{s: newShard[K, V](self, own, epoch)}
	if prev > 0 {
		sh.s.expect(epoch, own, prev, 0)
	}
	return sh
}

// body is the shard reactor's constructor.
func (sh *shell[K, V]) body(r *reactor.Reactor[server.Request[op[K, V], reply[V]]]) {
	sh.main = r.Main()
	sh.main.Events().OnEvent(sh.handle)
}

// direct applies the data operation o at once, as handle would, if it
// needs no waiting, refusal or revert: it is the caller-runs fast path
// of a blocking operation on an idle shard ([reactor.Channel.RunIfIdle]),
// whose caller takes the reply itself, so there is no reply to refuse.
// It reports false, doing nothing, if o must take the ordinary path.
func (sh *shell[K, V]) direct(o op[K, V]) (r reply[V], done bool, err error) {
	if len(sh.pending) > 0 || !sh.s.ready(o) || sh.s.moved(o) {
		return r, false, nil
	}
	r, err = sh.s.apply(o)
	return r, true, err
}

// directBatch is direct for the batch part b placed with epoch.
func (sh *shell[K, V]) directBatch(epoch uint32, b *batch[K, V]) (done bool, err error) {
	if len(sh.pending) > 0 {
		return false, nil
	}
	if s := sh.s; s.held == 0 && s.waiting == 0 && s.epoch == epoch {
		return true, s.applyBatch(b) // ready, and placed with the shard's layout
	}
	if o := (op[K, V]{kind: opBatch, epoch: epoch, b: b}); !sh.s.ready(o) || sh.s.moved(o) {
		return false, nil
	}
	return true, sh.s.applyBatch(b)
}

// handle is the shard's one handler.
func (sh *shell[K, V]) handle(req server.Request[op[K, V], reply[V]]) {
	s := sh.s
	o := req.Value
	switch o.kind {
	case opStop:
		sh.main.Seal() // queued requests are dead-lettered; their askers get ErrClosed
		for _, p := range sh.pending {
			_ = p.Fail(ErrClosed)
		}
		for _, p := range sh.settle {
			_ = p.Fail(ErrClosed)
		}
		sh.pending, sh.settle = nil, nil
		_ = req.Respond(reply[V]{})
	case opHold:
		o.x.snap = s.snapshot()
		s.held++
		if req.Respond(reply[V]{}) != nil { // the Range gave up: no release comes
			s.held--
			sh.run()
		}
	case opRelease:
		// Every release matches a hold whose reply Range took (Ask
		// returns a reply accepted as its context ended).
		s.held--
		sh.run()
	case opGrow, opDrain:
		sh.handOff(o.x)
		_ = req.Respond(reply[V]{})
	case opExpect:
		s.expect(o.x.epoch, o.x.shards, o.x.prev, o.x.shards)
		_ = req.Respond(reply[V]{})
	case opInstall:
		s.install(o.x.from, o.x.keys)
		sh.run()
	case opSettle:
		sh.settle = append(sh.settle, req)
		sh.run()
	default:
		if s.moved(o) {
			_ = req.Fail(errMoved)
			return
		}
		if len(sh.pending) > 0 || !s.ready(o) {
			sh.pending = append(sh.pending, req)
			return
		}
		sh.serve(req)
	}
}

// serve runs a data operation the shard owns and answers it, reverting
// it if its reply is refused (the asker gave up or is gone).
func (sh *shell[K, V]) serve(req server.Request[op[K, V], reply[V]]) {
	rep, err := sh.s.apply(req.Value)
	if err != nil {
		_ = req.Fail(err)
		return
	}
	if req.Respond(rep) != nil {
		sh.s.undo(req.Value, rep)
	}
}

// run serves the waiting operations that may run now, in arrival order,
// stopping at the first that still waits, and answers the settle
// requests once no keys are awaited.
func (sh *shell[K, V]) run() {
	n := 0
	for n < len(sh.pending) && sh.s.ready(sh.pending[n].Value) {
		if req := sh.pending[n]; sh.s.moved(req.Value) { // a resize came while it waited
			_ = req.Fail(errMoved)
		} else {
			sh.serve(req)
		}
		n++
	}
	if n > 0 {
		clear(sh.pending[:n])
		sh.pending = sh.pending[n:]
		if len(sh.pending) == 0 {
			sh.pending = nil
		}
	}
	if sh.s.waiting == 0 && len(sh.settle) > 0 {
		for _, p := range sh.settle {
			_ = p.Respond(reply[V]{})
		}
		sh.settle = nil
	}
}

// handOff gives away the keys the shard does not own under the new
// layout c, with one opInstall to each shard of c.to (the new shards of
// a grown layout, every shard of a shrunk one): each of them waits for
// one from every shard that may hand it keys, even if it hands none.
// An error of Tell means the table is being closed.
func (sh *shell[K, V]) handOff(c *control[K, V]) {
	self := sh.s.self
	out := sh.s.handOff(c.epoch, c.shards)
	for i, to := range c.to {
		_ = server.Tell(to, op[K, V]{kind: opInstall, x: &control[K, V]{from: self, keys: out[c.first+i]}})
	}
}
