package main

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out, 10_000); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "10000 messages in ") {
		t.Fatalf("unexpected output %q", out.String())
	}
}
