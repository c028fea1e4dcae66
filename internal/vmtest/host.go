package vmtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// RunHost runs pkgs' tests on the host with `go test -json -count=1`
// (plus args, e.g. "-short"), for the matrix's host column. The Result has
// no Kernel; its Info has "release" (the host's uname -r). A package that
// fails to build is a failed package with the build output. The error is
// nil when the go command ran, even when tests failed.
func RunHost(ctx context.Context, pkgs []string, args []string) (*Result, error) {
	res := &Result{Info: map[string]string{}}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		res.Info["release"] = string(bytes.TrimSpace(b))
	}
	full := make([]string, len(pkgs))
	for i, p := range pkgs {
		full[i] = ImportPath(p)
	}
	cmdArgs := append([]string{"test", "-json", "-count=1"}, args...)
	cmd := exec.CommandContext(ctx, "go", append(cmdArgs, full...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	res.Elapsed = time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("vmtest host run: %w", err)
	}
	events, derr := decodeHostEvents(out)
	if derr != nil {
		return nil, fmt.Errorf("vmtest host run: %w", derr)
	}
	for _, p := range full {
		pr := &PackageResult{Package: p}
		evs := events[p]
		pr.applyEvents(evs)
		switch final := finalAction(evs); final {
		case "pass":
			pr.Status = Pass
		case "skip":
			pr.Status = Skip // no test files
		default:
			pr.Status = Fail
			pr.ExitCode = 1
			if final == "" {
				pr.Output += stderr.String()
			}
		}
		res.Packages = append(res.Packages, pr)
	}
	return res, nil
}

func decodeHostEvents(out []byte) (map[string][]event, error) {
	evs, err := decodeEvents(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	m := map[string][]event{}
	for _, ev := range evs {
		m[ev.Package] = append(m[ev.Package], ev)
	}
	return m, nil
}

// finalAction is the package-level pass/fail/skip of go test -json.
func finalAction(evs []event) string {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Test == "" {
			switch evs[i].Action {
			case "pass", "fail", "skip":
				return evs[i].Action
			}
		}
	}
	return ""
}
