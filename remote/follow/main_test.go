package follow_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactortest"
)

// wait bounds every wait of a test.
const wait = reactortest.Patience

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
