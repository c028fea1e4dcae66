package vmtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Status is the outcome of a test or a package.
type Status int

const (
	// NotRun: the guest never reached it (it hung or crashed before).
	NotRun Status = iota
	Pass
	Fail
	Skip
)

func (s Status) String() string {
	switch s {
	case NotRun:
		return "not run"
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Skip:
		return "skip"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Result is what one guest (or one host go test run, for the matrix)
// reported.
type Result struct {
	// Kernel is the guest kernel; zero for a host run.
	Kernel Kernel
	// Info holds what the guest's init reported before the tests:
	// "release" (uname -r), "cpus", "nodes", "controllers" and
	// "subtree_control" (of the cgroup2 root).
	Info map[string]string
	// Packages are in the order the packages were given.
	Packages []*PackageResult
	// Console is the guest's console log (kernel messages and init's).
	Console []byte
	// Elapsed is the guest's wall time, boot to power-off.
	Elapsed time.Duration
}

// PackageResult is one package's test binary run.
type PackageResult struct {
	Package string // full import path
	// Status is Pass when the binary exited 0, Fail when it did not or
	// never finished, Skip when the package has no test files, NotRun when
	// the guest stopped before it.
	Status   Status
	ExitCode int
	// Tests are the tests and subtests ("TestX/sub"), in the order they
	// started.
	Tests []TestResult
	// Output is the binary's whole output as `go test -v` prints it.
	Output string
}

// TestResult is one test or subtest.
type TestResult struct {
	Name    string
	Status  Status
	Output  string // the test's own lines, framing included
	Elapsed time.Duration
}

// SkipReason is the message a skipped test gave (its first log line), or
// "".
func (t TestResult) SkipReason() string {
	for line := range strings.Lines(t.Output) {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- ") {
			continue
		}
		// Drop the "file_test.go:12: " prefix of t.Log lines.
		if i := strings.Index(l, ": "); i > 0 && strings.Contains(l[:i], ".go:") {
			l = l[i+2:]
		}
		return l
	}
	return ""
}

// Package returns the result of the package with import path p (full or
// module-relative), or nil.
func (r *Result) Package(p string) *PackageResult {
	p = ImportPath(p)
	for _, pr := range r.Packages {
		if pr.Package == p {
			return pr
		}
	}
	return nil
}

// Failed reports whether any package failed or was not run.
func (r *Result) Failed() bool {
	for _, p := range r.Packages {
		if p.Status == Fail || p.Status == NotRun {
			return true
		}
	}
	return false
}

// Counts returns how many tests of p passed, skipped and failed, top-level
// tests and subtests alike.
func (p *PackageResult) Counts() (pass, skip, fail int) {
	for _, t := range p.Tests {
		switch t.Status {
		case Pass:
			pass++
		case Skip:
			skip++
		case Fail:
			fail++
		}
	}
	return
}

// Test returns the result of the test called name, or nil.
func (p *PackageResult) Test(name string) *TestResult {
	for i := range p.Tests {
		if p.Tests[i].Name == name {
			return &p.Tests[i]
		}
	}
	return nil
}

// Errors of Boot and Run, wrapped in a *GuestError.
var (
	ErrTestsFailed = errors.New("tests failed in the guest")
	ErrTimeout     = errors.New("guest timed out and was killed")
	ErrIncomplete  = errors.New("guest stopped before reporting every package")
)

// GuestError is a failed guest: Err is ErrTestsFailed, ErrTimeout,
// ErrIncomplete or qemu's own failure.
type GuestError struct {
	Kernel string
	Err    error
	// Output is the output of the failed, unfinished or unreported
	// packages.
	Output string
	// Console is the console log; the message carries its tail unless
	// only tests failed.
	Console []byte
}

func (e *GuestError) Unwrap() error { return e.Err }

func (e *GuestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vmtest guest %s: %v", e.Kernel, e.Err)
	if e.Output != "" {
		b.WriteString("\n" + strings.TrimRight(e.Output, "\n"))
	}
	if !errors.Is(e.Err, ErrTestsFailed) && len(e.Console) > 0 {
		b.WriteString("\n--- guest console (last 80 lines) ---\n")
		b.WriteString(strings.TrimRight(tail(string(e.Console), 80), "\n"))
	}
	return b.String()
}

func tail(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}

func (r *Result) guestError(kind error) *GuestError {
	e := &GuestError{Kernel: r.Kernel.Name, Err: kind, Console: r.Console}
	var b strings.Builder
	for _, p := range r.Packages {
		switch p.Status {
		case Fail:
			var failed []string
			for _, t := range p.Tests {
				if t.Status == Fail {
					failed = append(failed, t.Name)
				}
			}
			fmt.Fprintf(&b, "--- FAIL: %s (exit status %d; failed: %s)\n%s", p.Package, p.ExitCode, strings.Join(failed, " "), p.Output)
			if !strings.HasSuffix(p.Output, "\n") {
				b.WriteString("\n")
			}
		case NotRun:
			fmt.Fprintf(&b, "--- NOT RUN: %s\n", p.Package)
		}
	}
	e.Output = b.String()
	return e
}

// rawResults is the parsed results port.
type rawResults struct {
	info map[string]string
	pkgs map[int]*rawPackage
	done bool
}

type rawPackage struct {
	out   []byte
	exit  int
	ended bool
}

// parseResults splits the results port's bytes into packages. Only marker
// lines with this boot's nonce count; anything else is output of the
// package that began last (or noise before the first BEGIN).
func parseResults(b []byte, nonce string) rawResults {
	rr := rawResults{info: map[string]string{}, pkgs: map[int]*rawPackage{}}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	marker := "@@LXVM " + nonce + " "
	var cur *rawPackage
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i+1], b[i+1:]
		} else {
			line, b = b, nil
		}
		rest, ok := strings.CutPrefix(strings.TrimRight(string(line), "\n"), marker)
		if !ok {
			if cur != nil {
				cur.out = append(cur.out, line...)
			}
			continue
		}
		kind, arg, _ := strings.Cut(rest, " ")
		switch kind {
		case "INFO":
			if k, v, ok := strings.Cut(arg, "="); ok {
				rr.info[k] = strings.TrimSpace(v)
			}
		case "BEGIN":
			i, err := strconv.Atoi(arg)
			if err != nil {
				continue
			}
			cur = &rawPackage{}
			rr.pkgs[i] = cur
		case "END":
			is, ss, _ := strings.Cut(arg, " ")
			i, err1 := strconv.Atoi(is)
			st, err2 := strconv.Atoi(ss)
			p := rr.pkgs[i]
			if err1 != nil || err2 != nil || p == nil || p != cur {
				continue
			}
			// init wrote a newline before the END marker; drop it.
			p.out = p.out[:max(len(p.out)-1, 0)]
			p.exit, p.ended = st, true
			cur = nil
		case "DONE":
			rr.done = true
			cur = nil
		}
	}
	return rr
}

// packageResult turns one package's raw test2json-framed output into a
// PackageResult.
func packageResult(ctx context.Context, p builtPackage, raw *rawPackage) (*PackageResult, error) {
	pr := &PackageResult{Package: p.ImportPath}
	switch {
	case p.Binary == "":
		pr.Status = Skip
		pr.Output = "no test files\n"
		return pr, nil
	case raw == nil:
		pr.Status = NotRun
		return pr, nil
	}
	events, err := test2json(ctx, p.ImportPath, raw.out)
	if err != nil {
		return nil, err
	}
	pr.applyEvents(events)
	pr.ExitCode = raw.exit
	switch {
	case !raw.ended:
		pr.Status = Fail
		pr.ExitCode = -1
		pr.Output += "(unfinished: the guest stopped while this package ran)\n"
	case raw.exit == 0:
		pr.Status = Pass
	default:
		pr.Status = Fail
	}
	return pr, nil
}

// event is one line of test2json's output (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

// applyEvents fills Tests and Output from test2json events. A test that
// started but has no final action (the binary died in it) fails.
func (pr *PackageResult) applyEvents(events []event) {
	var out strings.Builder
	index := map[string]int{}
	for _, ev := range events {
		if ev.Action == "output" {
			out.WriteString(ev.Output)
		}
		if ev.Test == "" {
			continue
		}
		i, ok := index[ev.Test]
		if !ok {
			i = len(pr.Tests)
			index[ev.Test] = i
			pr.Tests = append(pr.Tests, TestResult{Name: ev.Test, Status: NotRun})
		}
		t := &pr.Tests[i]
		switch ev.Action {
		case "output":
			t.Output += ev.Output
			// test2json leaves Elapsed out for -test.v=test2json input;
			// the result line has it: "--- PASS: TestX (0.50s)".
			if d, ok := resultElapsed(ev.Output); ok {
				t.Elapsed = d
			}
		case "pass", "fail", "skip":
			t.Status = map[string]Status{"pass": Pass, "fail": Fail, "skip": Skip}[ev.Action]
			if ev.Elapsed > 0 {
				t.Elapsed = time.Duration(ev.Elapsed * float64(time.Second))
			}
		}
	}
	for i := range pr.Tests {
		if pr.Tests[i].Status == NotRun {
			pr.Tests[i].Status = Fail
		}
	}
	pr.Output = out.String()
}

// resultElapsed reads the duration of a "--- PASS: TestX (0.50s)" line.
func resultElapsed(line string) (time.Duration, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "--- ") || !strings.HasSuffix(line, "s)") {
		return 0, false
	}
	i := strings.LastIndexByte(line, '(')
	if i < 0 {
		return 0, false
	}
	d, err := time.ParseDuration(line[i+1 : len(line)-1])
	return d, err == nil
}

// test2json converts a test binary's -test.v=test2json output with the go
// command's own converter (go tool test2json), as go test does.
func test2json(ctx context.Context, pkg string, raw []byte) ([]event, error) {
	tool, err := test2jsonPath()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, tool[0], append(tool[1:], "-p", pkg)...)
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("test2json %s: %w: %s", pkg, err, stderr.Bytes())
	}
	return decodeEvents(bytes.NewReader(out))
}

func decodeEvents(r io.Reader) ([]event, error) {
	var events []event
	s := bufio.NewScanner(r)
	s.Buffer(nil, 64<<20)
	for s.Scan() {
		line := s.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // go test -json also prints build output lines
		}
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("test2json event %q: %w", line, err)
		}
		events = append(events, ev)
	}
	return events, s.Err()
}

// test2jsonPath is the command that runs test2json: the binary that
// `go tool -n test2json` builds (once, into the build cache) and names.
var test2jsonPath = sync.OnceValues(func() ([]string, error) {
	cmd := exec.Command("go", "tool", "-n", "test2json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	p := strings.TrimSpace(string(out))
	if err != nil || p == "" || strings.Contains(p, "\n") {
		return nil, fmt.Errorf("vmtest needs test2json from the go command: go tool -n test2json: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return []string{p}, nil
})

// sortedInfo lists Info as "key=value" lines, for logs.
func (r *Result) sortedInfo() []string {
	var s []string
	for k, v := range r.Info {
		s = append(s, k+"="+v)
	}
	slices.Sort(s)
	return s
}
