package durable_test

import (
	"testing"

	"github.com/reactors-go/reactors/remote/internal/proctest"
)

// nodeProgram is the node that the process tests run as processes of
// their own: built once, on first use, and removed after the tests.
var nodeProgram = proctest.NewProgram("github.com/reactors-go/reactors/remote/durable/internal/durableproc")

func TestMain(m *testing.M) { proctest.Main(m, nodeProgram) }
