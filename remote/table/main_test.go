package table_test

import (
	"testing"

	"github.com/reactors-go/reactors/reactortest"
	"github.com/reactors-go/reactors/remote/internal/proctest"
)

// wait bounds every wait of a test.
const wait = reactortest.Patience

func TestMain(m *testing.M) { proctest.Main(m, members, natsServer) }
