package reactor

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSampledPushesFollowEachSendersShare checks that the flow map's
// sampling of mailbox positions picks about one push in FlowSample, and
// that senders taking strict turns are each sampled in proportion to
// their sends, for every period up to 16 (a sampling by modulo would
// give one sender every sample).
func TestSampledPushesFollowEachSendersShare(t *testing.T) {
	const n = 1 << 20
	for period := 1; period <= 16; period++ {
		per := make([]int, period)
		total := 0
		for pos := range uint64(n) {
			if samplePush(pos) {
				per[pos%uint64(period)]++
				total++
			}
		}
		require.InEpsilon(t, n/FlowSample, total, 0.01, "period %d", period)
		for s, k := range per {
			require.InEpsilon(t, n/FlowSample/period, k, 0.05, "period %d, sender %d", period, s)
		}
	}
}

// TestSampledHandOversAverageOneInFlowSample checks that the count-down
// of events handed over without the mailbox samples about one in
// FlowSample, and that two senders taking strict turns are both sampled.
func TestSampledHandOversAverageOneInFlowSample(t *testing.T) {
	const n = 1 << 20
	var f frame
	per := [2]int{}
	for i := range n {
		if f.sampleHanded() {
			per[i%2]++
		}
	}
	require.InEpsilon(t, n/FlowSample, per[0]+per[1], 0.05)
	require.InEpsilon(t, per[0], per[1], 0.1)
}
