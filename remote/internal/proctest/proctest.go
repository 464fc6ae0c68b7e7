// Package proctest runs programs of the module (or of its dependencies,
// such as nats-server) as operating-system processes in tests: it builds
// a main package once per test binary, starts processes of it, hands
// their output to the test line by line, kills them (SIGKILL), pauses
// them (SIGSTOP) or stops them (SIGTERM), and leaves nothing behind.
// Only tests import it.
//
//	var prog = proctest.NewProgram("github.com/reactors-go/reactors/remote/durable/internal/durableproc")
//
//	func TestMain(m *testing.M) { code := m.Run(); prog.Remove(); os.Exit(code) }
//
//	p := prog.Start(t, "receiver", func(line string) { ... }, "recv", "-url", url)
//	p.Kill()
//
// Each helper fails the test at once (t.FailNow) when a step fails. The
// processes' standard error is kept and logged when the test fails.
package proctest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Program is a main package of the module, built on first use.
type Program struct {
	pkg string

	mu   sync.Mutex
	dir  string // the build directory, "" until built
	file string // the executable
	err  error  // the build's error, kept for later calls
}

// NewProgram returns the program of the main package pkg (an import
// path). Nothing is built before [Program.Path] or [Program.Start].
func NewProgram(pkg string) *Program { return &Program{pkg: pkg} }

// Path builds the program the first time it is called in the test
// binary (go build into a temporary directory, without the race
// detector: its processes are the system under test, not the code under
// the detector) and returns the executable's path. A failed build fails
// t, and every later call.
func (p *Program) Path(t testing.TB) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.file == "" && p.err == nil {
		p.file, p.err = p.build()
	}
	require.NoError(t, p.err, "building %s", p.pkg)
	return p.file
}

func (p *Program) build() (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "proctest-")
	if err != nil {
		return "", err
	}
	p.dir = dir
	file := filepath.Join(dir, path.Base(p.pkg))
	out, err := exec.Command(goCmd, "build", "-o", file, p.pkg).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return file, nil
}

// Main is the TestMain of a package whose tests run programs: it runs
// the tests, removes the programs' builds, and fails the run if a
// goroutine is left over (goleak). It does not return.
func Main(m *testing.M, programs ...*Program) {
	goleak.VerifyTestMain(removing{m, programs})
}

// removing runs tests, then removes the builds of its programs.
type removing struct {
	m        *testing.M
	programs []*Program
}

func (r removing) Run() int {
	code := r.m.Run()
	for _, p := range r.programs {
		p.Remove()
	}
	return code
}

// Remove removes the build directory, if any; [Main] calls it after the
// tests ran.
func (p *Program) Remove() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
		p.dir, p.file = "", ""
	}
}

// Proc is a running (or ended) process of a [Program].
type Proc struct {
	name   string
	cmd    *exec.Cmd
	stderr lockedBuffer
	done   chan struct{} // closed once the output is read and the process waited for
	err    error         // the exit status, once done is closed
}

// Start starts a process of the program with args, named name in the
// test's messages. onLine gets each line of its standard output, in
// order, on one goroutine of the process's own (so it must not block for
// long: the process would stall on a full pipe); it is not called again
// once [Proc.Done] is closed. The process is killed when the test ends if
// it still runs, and its standard error is logged if the test failed.
func (p *Program) Start(t testing.TB, name string, onLine func(string), args ...string) *Proc {
	t.Helper()
	file := p.Path(t)
	pr := &Proc{name: name, cmd: exec.Command(file, args...), done: make(chan struct{})}
	pr.cmd.Stderr = &pr.stderr
	out, err := pr.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, pr.cmd.Start(), "starting %s", name)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			onLine(sc.Text())
		}
		// Read to the end (a line too long for the scanner is dropped) before Wait closes the pipe.
		_, _ = io.Copy(io.Discard, out)
		pr.err = pr.cmd.Wait()
		close(pr.done)
	}()
	t.Cleanup(func() {
		pr.Kill()
		if t.Failed() {
			t.Logf("%s (pid %d) exited with %v; stderr:\n%s", name, pr.cmd.Process.Pid, pr.err, pr.Stderr())
		}
	})
	return pr
}

// Pid returns the process's id.
func (pr *Proc) Pid() int { return pr.cmd.Process.Pid }

// Done is closed once the process has ended and its output was read.
func (pr *Proc) Done() <-chan struct{} { return pr.done }

// Err returns the process's exit error (nil for status 0; an
// *exec.ExitError otherwise); call it once Done is closed.
func (pr *Proc) Err() error {
	<-pr.done
	return pr.err
}

// Kill kills the process (SIGKILL), if it still runs, and waits until it
// has ended and its output was read. It is idempotent.
func (pr *Proc) Kill() {
	select {
	case <-pr.done:
		return
	default:
	}
	_ = pr.cmd.Process.Signal(syscall.SIGKILL)
	<-pr.done
}

// Pause stops the process (SIGSTOP) until [Proc.Resume]: it keeps its
// connections and memory but runs nothing, as a process swapped out or
// stalled would.
func (pr *Proc) Pause(t testing.TB) {
	t.Helper()
	require.NoError(t, pr.cmd.Process.Signal(syscall.SIGSTOP), "pausing %s", pr.name)
}

// Resume lets a paused process run again (SIGCONT).
func (pr *Proc) Resume(t testing.TB) {
	t.Helper()
	require.NoError(t, pr.cmd.Process.Signal(syscall.SIGCONT), "resuming %s", pr.name)
}

// Killed reports whether the process ended by SIGKILL.
func (pr *Proc) Killed() bool {
	var ee *exec.ExitError
	if !errors.As(pr.Err(), &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// Stop asks the process to end (SIGTERM) and waits for it up to bound,
// then kills it. It fails t unless the process exited with status 0
// within bound.
func (pr *Proc) Stop(t testing.TB, bound time.Duration) {
	t.Helper()
	_ = pr.cmd.Process.Signal(syscall.SIGTERM)
	pr.Wait(t, bound)
}

// Wait waits for the process to end by itself, up to bound (then it
// kills it), and fails t unless it exited with status 0.
func (pr *Proc) Wait(t testing.TB, bound time.Duration) {
	t.Helper()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-pr.done:
	case <-timer.C:
		pr.Kill()
		t.Fatalf("%s did not exit within %v; stderr:\n%s", pr.name, bound, pr.Stderr())
	}
	require.NoError(t, pr.err, "%s; stderr:\n%s", pr.name, pr.Stderr())
}

// Stderr returns what the process wrote to its standard error so far.
func (pr *Proc) Stderr() string { return pr.stderr.String() }

// lockedBuffer is a bytes.Buffer safe for the writes of the process's
// copying goroutine and the test's reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
