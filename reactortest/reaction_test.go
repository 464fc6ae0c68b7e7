package reactortest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reactors-go/reactors/events"
	rt "github.com/reactors-go/reactors/reactortest"
)

// TestReactionConstructors checks that each constructor sets its kind,
// its time and nothing else.
func TestReactionConstructors(t *testing.T) {
	require.Equal(t, rt.Reaction[string]{At: time.Second, Reaction: events.Reaction[string]{Kind: events.EventReaction, Value: "a"}},
		rt.EventAt(time.Second, "a"))
	require.Equal(t, rt.Reaction[string]{At: 2 * time.Second, Reaction: events.Reaction[string]{Kind: events.ErrorReaction}},
		rt.ErrorAt[string](2*time.Second))
	require.Equal(t, rt.Reaction[string]{At: 3 * time.Second, Reaction: events.Reaction[string]{Kind: events.DoneReaction}},
		rt.DoneAt[string](3*time.Second))
}

func TestReactionString(t *testing.T) {
	withErr := rt.ErrorAt[int](time.Second)
	withErr.Err = errBoom
	for _, tc := range []struct {
		r    rt.Reaction[int]
		want string
	}{
		{rt.EventAt(1500*ms, 7), "event 7 at 1.5s"},
		{rt.ErrorAt[int](0), "error at 0s"},
		{withErr, "error (boom) at 1s"},
		{rt.DoneAt[int](time.Minute), "done at 1m0s"},
		{rt.Reaction[int]{At: time.Second, Reaction: events.Reaction[int]{Kind: 9}}, "ReactionKind(9) at 1s"},
	} {
		require.Equal(t, tc.want, tc.r.String())
	}
}
