package table_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/reactortest"
)

// wait bounds every wait of a test.
const wait = reactortest.Patience

func TestMain(m *testing.M) { goleak.VerifyTestMain(cleaning{m}) }

// cleaning runs the tests, then removes the member program's build.
type cleaning struct{ m *testing.M }

func (c cleaning) Run() int {
	code := c.m.Run()
	members.Remove()
	return code
}
