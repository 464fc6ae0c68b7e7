package main

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out, 10); err != nil {
		t.Fatal(err)
	}
	want := "worker-1 handled 5 jobs: [0 2 4 6 8]\nworker-2 handled 5 jobs: [1 3 5 7 9]\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}
