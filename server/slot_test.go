package server

import (
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/reactor"
)

// fakeServer is a namer with no reactor to watch.
type fakeServer struct{ name string }

func (f *fakeServer) System() *reactor.System         { return nil }
func (f *fakeServer) Name() string                    { return f.name }
func (f *fakeServer) AfterTerminate(func(error)) bool { return false }

// TestSlotRefusesRepliesOfEarlierAsksAndFlows: a slot reused by the same
// goroutine (it comes back from the goroutine's cell) accepts only the
// reply of its current ask; replies carrying the id of an earlier ask or
// of an earlier flow on the same slot are refused, whichever counter
// those ids came from.
func TestSlotRefusesRepliesOfEarlierAsksAndFlows(t *testing.T) {
	srv := &fakeServer{"srv"}
	s := getSlot[int]()
	flow := s.arm(srv, nextFlowID())
	require.True(t, s.disarm())
	s.put()

	s2 := getSlot[int]()
	require.Same(t, s, s2, "the free list gives the last slot back")
	ask1 := s2.arm(srv, s2.nextAskID())
	require.NotEqual(t, flow, ask1)
	require.NoError(t, s2.Send(Reply[int]{Value: 1, id: ask1}))
	require.ErrorIs(t, s2.Send(Reply[int]{Value: 2, id: ask1}), reactor.ErrExpired, "one reply per ask")
	require.Equal(t, 1, s2.take().Value)
	s2.put()

	s3 := getSlot[int]()
	ask2 := s3.arm(srv, s3.nextAskID())
	require.NotEqual(t, ask1, ask2)
	require.ErrorIs(t, s3.Send(Reply[int]{id: ask1}), reactor.ErrExpired)
	require.ErrorIs(t, s3.Send(Reply[int]{id: flow}), reactor.ErrExpired)
	require.ErrorIs(t, s3.Send(Reply[int]{id: 0}), reactor.ErrExpired)
	require.NoError(t, s3.Send(Reply[int]{Value: 3, id: ask2}))
	require.False(t, s3.disarm(), "answered: the reply is in got")
	require.Equal(t, 3, s3.take().Value)
	s3.put()
}

// TestSlotAcceptsInPlaceAsSendDoes: the reply that Respond and Fail
// write into an ask's slot in place (accept) is refused or accepted
// exactly as one sent through the slot's channel: one reply per ask,
// none after the ask ended, and the value or the error reaches the
// holder.
func TestSlotAcceptsInPlaceAsSendDoes(t *testing.T) {
	srv := &fakeServer{"srv"}
	s := getSlot[int]()
	ask1 := s.arm(srv, s.nextAskID())
	require.NoError(t, s.accept(1, nil, ask1))
	require.ErrorIs(t, s.accept(2, nil, ask1), reactor.ErrExpired, "one reply per ask")
	require.ErrorIs(t, s.Send(Reply[int]{Value: 3, id: ask1}), reactor.ErrExpired, "the channel's reply comes second")
	v, err := s.result()
	require.NoError(t, err)
	require.Equal(t, 1, v)

	ask2 := s.arm(srv, s.nextAskID())
	require.ErrorIs(t, s.accept(4, nil, ask1), reactor.ErrExpired, "a reply to the earlier ask")
	failed := errors.New("failed")
	require.NoError(t, s.accept(0, failed, ask2))
	v, err = s.result()
	require.ErrorIs(t, err, failed)
	require.Zero(t, v)

	ask3 := s.arm(srv, s.nextAskID())
	require.True(t, s.disarm(), "the ask ends unanswered")
	s.clear()
	require.ErrorIs(t, s.accept(5, nil, ask3), reactor.ErrExpired, "a reply after the ask ended")
	require.Equal(t, replyEmpty, s.state.Load(), "a refused reply leaves the slot empty")
	s.put()
}

// TestSlotEndedAnswersOnlyTheCurrentAskToThatServer: a server's end
// answers the slot's current ask if, and only if, it is an ask to that
// server.
func TestSlotEndedAnswersOnlyTheCurrentAskToThatServer(t *testing.T) {
	a, b := &fakeServer{"a"}, &fakeServer{"b"}
	s := getSlot[string]()
	s.arm(a, s.nextAskID())
	s.ended(b)
	require.Equal(t, replyEmpty, s.state.Load(), "an ask to a is not b's")
	s.ended(a)
	r := s.take()
	require.ErrorIs(t, r.Err, ErrServerTerminated)
	require.False(t, s.disarm())
	s.arm(a, s.nextAskID()) // same server: the fast path
	id := s.gen.Load()
	s.ended(a)
	require.ErrorIs(t, s.take().Err, ErrServerTerminated)
	require.ErrorIs(t, s.Send(Reply[string]{id: id}), reactor.ErrExpired, "ended first")
	s.put()
}

// TestSlotListStress: goroutines take and return slots concurrently;
// no slot is ever held by two of them at once, and none is lost.
func TestSlotListStress(t *testing.T) {
	type tag struct{}
	const goroutines, rounds = 24, 2000
	var held sync.Map // *slot -> struct{}
	var holders atomic.Int32
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for i := range rounds {
				s := getSlot[tag]()
				if _, dup := held.LoadOrStore(s, struct{}{}); dup {
					t.Errorf("slot %p held twice", s)
					return
				}
				holders.Add(1)
				id := s.arm(&fakeServer{}, s.nextAskID())
				if i%3 == 0 {
					_ = s.Send(Reply[tag]{id: id})
					s.take()
				} else {
					s.disarm()
				}
				holders.Add(-1)
				held.Delete(s)
				s.put()
			}
		})
	}
	wg.Wait()
	require.Zero(t, holders.Load())
	// Every slot made is back on the free list, and a slot is made only
	// when the list is empty: never more than the asks in flight at once
	// (here at most goroutines, in this run or an earlier one).
	v, _ := lists.Load(reflect.TypeFor[tag]())
	l := v.(*slotList[tag])
	n := len(l.free)
	if l.last.Load() != nil {
		n++
	}
	require.LessOrEqual(t, n, goroutines)
	require.Positive(t, n)
}

// TestSlotListsPerReplyType: asks with different reply types, one after
// another and at once, take slots from their own type's list only, and
// each list gives back the slot returned to it last.
func TestSlotListsPerReplyType(t *testing.T) {
	type a struct{}
	type b struct{ _ int }
	sa, sb := getSlot[a](), getSlot[b]()
	sa.put()
	sb.put()
	require.Same(t, sa, getSlot[a](), "b's use did not take a's slot")
	require.Same(t, sb, getSlot[b]())
	sa.put()
	sb.put()

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 2000 {
				if g%2 == 0 {
					s := getSlot[a]()
					if s.list != listOf[a]() {
						t.Error("a slot of another list")
					}
					s.put()
				} else {
					s := getSlot[b]()
					if s.list != listOf[b]() {
						t.Error("a slot of another list")
					}
					s.put()
				}
			}
		})
	}
	wg.Wait()
}
