package durable_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/reactors-go/reactors/remote/internal/proctest"
)

// nodeProgram is the node that the process tests run as processes of
// their own: built once, on first use, and removed after the tests.
var nodeProgram = proctest.NewProgram("github.com/reactors-go/reactors/remote/durable/internal/durableproc")

func TestMain(m *testing.M) {
	code := m.Run()
	nodeProgram.Remove()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
