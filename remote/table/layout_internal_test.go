package table

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPlacementMovesOnlyWhatItMust checks the slot placement: every slot
// has one holder among the members, three members hold about a third of
// the slots each, a member that joins takes slots only from the others
// (none moves between them) and one that leaves gives away only its own.
func TestPlacementMovesOnlyWhatItMust(t *testing.T) {
	three := newView(layout{Members: []string{"a", "b", "c"}})
	count := map[string]int{}
	for s := range slots {
		count[three.holder(s)]++
	}
	require.Len(t, count, 3)
	for m, n := range count {
		require.InDelta(t, slots/3, n, slots/3*0.15, "member %s holds %d slots", m, n)
	}

	four := newView(layout{Members: []string{"a", "b", "c", "d"}})
	taken := 0
	for s := range slots {
		if was, is := three.holder(s), four.holder(s); was != is {
			require.Equal(t, "d", is, "slot %d moved from %s to %s", s, was, is)
			taken++
		}
	}
	require.InDelta(t, slots/4, taken, slots/4*0.2)

	two := newView(layout{Members: []string{"a", "c"}})
	for s := range slots {
		if was, is := three.holder(s), two.holder(s); was != is {
			require.Equal(t, "b", was, "slot %d moved from %s to %s", s, was, is)
		}
	}

	for _, h := range []uint64{0, 1, 1 << 54, 1<<64 - 1, 0xdeadbeefcafef00d} {
		require.Equal(t, three.holder(slotOf(h)), three.owner(h))
	}
	require.Equal(t, 1023, slotOf(1<<64-1))
	var none *view
	require.Empty(t, none.owner(7))
	require.Empty(t, newView(layout{}).holder(7))
}

// TestPlacementIsFrozen pins the holders of a few slots: every node of a
// table must place alike, so the function may never change silently.
func TestPlacementIsFrozen(t *testing.T) {
	v := newView(layout{Members: []string{"n1", "n2", "n3"}})
	var got []string
	for _, s := range []int{0, 1, 2, 3, 511, 1023} {
		got = append(got, v.holder(s))
	}
	require.Equal(t, "[n2 n1 n2 n3 n2 n1]", fmt.Sprint(got))
}
