// Package owner tells which reactor, if any, is running on the calling
// goroutine, so that reactor-local objects (event streams, a connector's
// owner side) can refuse to be used from anywhere else.
//
// Every goroutine that runs reactor turns (a pool worker, a dedicated or
// caller loop) registers a [Slot]; before each turn it writes the running
// reactor's token into its slot, and clears it after. [Current] finds the
// calling goroutine's slot in a small open-addressing table, copied on
// write, and returns its token: about 3 ns, no lock, no allocation. Only
// the slot's own goroutine writes its token, and only that goroutine reads
// it through Current, so tokens need no synchronization.
//
// Where goroutines cannot be identified (internal/gid unsupported),
// Current always returns 0 and ownership is not checked.
package owner

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/reactors-go/reactors/internal/gid"
)

// ErrNotOwner is the error of a reactor-local object used outside the
// reactor that owns it.
var ErrNotOwner = errors.New("reactors: used outside the reactor that owns it")

// Slot is a registered goroutine's record.
type Slot struct {
	g     atomic.Uintptr // the goroutine; fixed for registered slots, lent for guests
	Token uint64         // the running reactor, 0 between turns; written by g only
	bit   uint32         // a guest's bit in lent; 0 for registered slots
	draw  uint32         // Draw's xorshift state, 0 until seeded; g only
}

// guests are slots lent for one turn at a time to goroutines that are not
// registered: a plain goroutine that runs the turn of the reactor it has
// just sent to (reactor's Channel.SendAndRun). A goroutine claims a free guest by
// compare-and-swap of its g and gives it back with [Slot.Release]; the claim
// synchronizes with the previous holder's Release, so [Slot.Token] needs no
// synchronization of its own.
//
// Each guest slot has a cache line of its own: the goroutines holding
// two of them run on different cores and write their Tokens at every
// turn.
var guests [16]struct {
	Slot
	_ [128 - unsafe.Sizeof(Slot{})]byte
}

// Each goroutine has a guest slot of its own, chosen by its id
// (ownGuest), which it tries first and [Lookup] looks at first. lent has
// bit i set while guests[i] is held by a goroutine whose own slot is
// another (it was taken), so that Lookup reads only those slots (none,
// mostly) instead of 16 cache lines. Such a holder sets its bit after
// its claim and clears it before its [Slot.Release] frees the slot, so
// a goroutine always sees its own bit: the bits of others are only
// hints. A goroutine that holds its own slot leaves lent alone: lent is
// one word for every goroutine that runs turns, and two locked
// instructions on it per turn (set, clear) cost concurrent callers a
// fifth of their time in W5.
var lent atomic.Uint32

func init() {
	for i := range guests {
		guests[i].bit = 1 << i
	}
}

type table struct {
	slots []*Slot // power-of-two length, at most half full
	shift uint
}

var (
	current atomic.Pointer[table]
	mu      sync.Mutex // serializes writers
	all     = map[*Slot]struct{}{}
)

func hash(g uintptr, shift uint) int { return int((uint64(g) * 0x9E3779B97F4A7C15) >> shift) }

func rebuild() {
	size := 8
	for size < 2*len(all) {
		size *= 2
	}
	t := &table{slots: make([]*Slot, size), shift: uint(64 - bits.Len(uint(size-1)))}
	for s := range all {
		i := hash(s.g.Load(), t.shift)
		for t.slots[i] != nil {
			i = (i + 1) & (size - 1)
		}
		t.slots[i] = s
	}
	current.Store(t)
}

// Register records the calling goroutine and returns its slot. It returns
// nil where goroutines cannot be identified. The goroutine must call
// [Slot.Unregister] before it exits. Both rebuild the lookup table, costing
// O(registered goroutines): fine for pool workers and the occasional
// dedicated reactor, not for thousands of them.
func Register() *Slot {
	g := gid.Current()
	if g == 0 {
		return nil
	}
	s := &Slot{}
	s.g.Store(g)
	mu.Lock()
	all[s] = struct{}{}
	rebuild()
	mu.Unlock()
	return s
}

// Unregister removes the slot. It accepts nil.
func (s *Slot) Unregister() {
	if s == nil {
		return
	}
	mu.Lock()
	delete(all, s)
	rebuild()
	mu.Unlock()
}

// Mine reports whether s is the calling goroutine's slot; then its Token
// may be read without synchronization.
func (s *Slot) Mine() bool { return s.g.Load() == gid.Current() }

// Guest lends the calling goroutine a slot for the turns it is about to
// run, or returns nil if all guest slots are taken or goroutines cannot
// be identified. The goroutine must [Slot.Release] it when done and must not
// hold a registered slot. It looks first at a slot chosen by the
// goroutine's id, so a goroutine gets its same slot back while nobody
// else holds it; it costs a load per slot tried and one
// compare-and-swap.
func Guest() *Slot {
	g := gid.Current()
	if g == 0 {
		return nil
	}
	// Start at the goroutine's own slot, so that goroutines that run
	// turns at the same time tend to take different slots, and each its
	// same one again: a claim then rarely meets a slot another goroutine
	// holds, whose failing compare-and-swap would still pull that slot's
	// cache line over.
	start := ownGuest(g)
	for j := range guests {
		i := start + j
		if i >= len(guests) {
			i -= len(guests)
		}
		if s := &guests[i].Slot; s.g.Load() == 0 && s.g.CompareAndSwap(0, g) {
			if j > 0 { // not its own slot: mark it for Lookup
				lent.Or(s.bit)
			}
			return s
		}
	}
	return nil
}

// ownGuest returns the index of goroutine g's own guest slot: the top 4
// bits of its hash, as there are 16 guests.
func ownGuest(g uintptr) int { return hash(g, 64-4) % len(guests) }

// Release gives a guest slot back. Only its holder may call it.
func (s *Slot) Release() {
	s.Token = 0
	if g := s.g.Load(); s != &guests[ownGuest(g)].Slot {
		lent.And(^s.bit) // Guest marked it: the holder's own slot is another
	}
	s.g.Store(0)
}

// Set records the running reactor's token (0: none). It accepts nil.
func (s *Slot) Set(token uint64) {
	if s != nil {
		s.Token = token
	}
}

// Draw returns a pseudo-random number from a generator of the slot's
// own, for sampling turns: about a nanosecond, against several for
// math/rand/v2, whose global source it seeds from once. Its low bits are
// the weakest: test the high ones. Only the slot's goroutine may call
// it; a nil slot draws from math/rand/v2.
func (s *Slot) Draw() uint32 {
	if s == nil {
		return rand.Uint32()
	}
	x := s.draw
	if x == 0 {
		x = rand.Uint32() | 1
	}
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	s.draw = x
	return x
}

// Current returns the token of the reactor running on the calling
// goroutine, or 0 outside reactor turns.
func Current() uint64 {
	_, tok := Lookup()
	return tok
}

// Lookup returns the calling goroutine's slot (nil if it has none) and the
// token of the reactor running on it. Callers may cache the slot and, while
// [Slot.Mine] reports true, read its [Slot.Token] directly instead of looking
// up again.
func Lookup() (*Slot, uint64) {
	g := gid.Current()
	if g == 0 {
		return nil, 0
	}
	if t := current.Load(); t != nil {
		for i := hash(g, t.shift); ; i = (i + 1) & (len(t.slots) - 1) {
			s := t.slots[i]
			if s == nil {
				break
			}
			if s.g.Load() == g {
				return s, s.Token
			}
		}
	}
	if s := &guests[ownGuest(g)].Slot; s.g.Load() == g {
		return s, s.Token
	}
	for m := lent.Load(); m != 0; m &= m - 1 {
		if s := &guests[bits.TrailingZeros32(m)].Slot; s.g.Load() == g {
			return s, s.Token
		}
	}
	return nil, 0
}
