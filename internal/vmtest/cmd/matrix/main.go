// Command matrix runs the guest matrix of internal/vmtest (vmtest.Packages
// on every cached kernel, plus the same packages on the host) and writes
// the generated part of docs/kernels.md: per package and kernel, how many tests passed, skipped
// (with the reasons) and failed.
//
//	go run ./internal/vmtest/cmd/matrix [-o docs/kernels.md] [-host=false]
//
// Run it as root from the module root, after .ci/vmtest-kernels. It exits
// 1 when a guest failed to finish (the table is still written).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lxgo/lx/internal/vmtest"
)

func main() {
	out := flag.String("o", "docs/kernels.md", "markdown file to write (- for standard output)")
	host := flag.Bool("host", true, "also run the packages on the host")
	timeout := flag.Duration("timeout", 15*time.Minute, "timeout of each guest")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *out, *host, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "matrix:", err)
		os.Exit(1)
	}
}

// column is one kernel's results (or the host's).
type column struct {
	name    string // "6.1", "6.12", "host"
	release string
	boots   []boot
	// results by row key (path + group name).
	results map[string]*vmtest.PackageResult
}

type boot struct {
	group   string
	elapsed time.Duration
	err     error
}

type row struct {
	path  string
	group vmtest.Group
}

func (r row) key() string { return r.path + "\x00" + r.group.Name() }

func run(ctx context.Context, out string, host bool, timeout time.Duration) error {
	kernels, err := vmtest.Kernels()
	if err != nil {
		return err
	}
	groups := vmtest.Groups(vmtest.Selected())
	var rows []row
	var missing []string
	var failed []string
	cols := make([]*column, len(kernels))
	for i, k := range kernels {
		cols[i] = &column{name: k.Name, release: k.Version, results: map[string]*vmtest.PackageResult{}}
	}
	for gi, g := range groups {
		present, miss, err := vmtest.Present(ctx, g.Packages)
		if err != nil {
			return err
		}
		missing = append(missing, miss...)
		if len(present) == 0 {
			continue
		}
		g.Packages = present
		groups[gi] = g
		for _, p := range present {
			rows = append(rows, row{p, g})
		}
		fmt.Fprintf(os.Stderr, "matrix: building %s: %s\n", g.Name(), strings.Join(present, " "))
		im, err := vmtest.Build(ctx, present)
		if err != nil {
			return err
		}
		for i, k := range kernels {
			res, err := im.BootAgain(ctx, g.Options(k, timeout), func(format string, args ...any) {
				fmt.Fprintf(os.Stderr, "matrix: %s %s: "+format+"\n", append([]any{k.Name, g.Name()}, args...)...)
			})
			if ctx.Err() != nil {
				im.Close()
				return ctx.Err()
			}
			b := boot{group: g.Name(), err: err}
			if res != nil {
				b.elapsed = res.Elapsed
				if r := res.Info["release"]; r != "" {
					cols[i].release = r
				}
				for _, pr := range res.Packages {
					cols[i].results[row{strings.TrimPrefix(pr.Package, vmtest.Module+"/"), g}.key()] = pr
				}
			}
			if err != nil && res == nil {
				im.Close()
				return err
			}
			if err != nil && !isTestFailure(err) {
				failed = append(failed, fmt.Sprintf("%s %s: %v", k.Name, g.Name(), err))
			}
			cols[i].boots = append(cols[i].boots, b)
			fmt.Fprintf(os.Stderr, "matrix: %s %s: %v (%v)\n", k.Name, g.Name(), status(err), b.elapsed.Round(100*time.Millisecond))
		}
		im.Close()
	}
	if host {
		var paths []string
		for _, r := range rows {
			if !slices.Contains(paths, r.path) {
				paths = append(paths, r.path)
			}
		}
		fmt.Fprintf(os.Stderr, "matrix: running on the host: %s\n", strings.Join(paths, " "))
		res, err := vmtest.RunHost(ctx, paths, nil)
		if err != nil {
			return err
		}
		c := &column{name: "host", release: res.Info["release"], results: map[string]*vmtest.PackageResult{}}
		c.boots = []boot{{group: "go test", elapsed: res.Elapsed}}
		// The host has one shape: its results go to each package's first
		// row only.
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.path] {
				seen[r.path] = true
				c.results[r.key()] = res.Package(r.path)
			}
		}
		cols = append(cols, c)
	}
	md := render(rows, cols, missing)
	if out == "-" {
		_, err = os.Stdout.WriteString(md)
	} else {
		err = splice(out, md)
	}
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("guests did not finish:\n%s", strings.Join(failed, "\n"))
	}
	return nil
}

func isTestFailure(err error) bool {
	return errors.Is(err, vmtest.ErrTestsFailed)
}

func status(err error) string {
	switch {
	case err == nil:
		return "ok"
	case isTestFailure(err):
		return "tests failed"
	}
	return "guest failed"
}

func render(rows []row, cols []*column, missing []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated %s by `go run ./internal/vmtest/cmd/matrix` (as root, from the module root).\n\n", time.Now().UTC().Format("2006-01-02"))
	b.WriteString("Each cell is passed / skipped / failed tests (subtests count too); `—` means not run.\n\n")
	b.WriteString("| package | guest |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s |", c.title())
	}
	b.WriteString("\n|---|---|")
	for range cols {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| `%s` | %s |", r.path, r.group.Name())
		for _, c := range cols {
			fmt.Fprintf(&b, " %s |", cell(c.results[r.key()]))
		}
		b.WriteString("\n")
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		missing = slices.Compact(missing)
		fmt.Fprintf(&b, "\nIn the table but not in the tree yet: `%s`.\n", strings.Join(missing, "`, `"))
	}
	b.WriteString("\n## Wall time per boot\n\n| kernel | boot | wall time | outcome |\n|---|---|---|---|\n")
	for _, c := range cols {
		for _, bt := range c.boots {
			fmt.Fprintf(&b, "| %s | %s | %.1f s | %s |\n", c.name, bt.group, bt.elapsed.Seconds(), status(bt.err))
		}
	}
	b.WriteString("\n## Failures\n\n")
	n := 0
	for _, r := range rows {
		for _, c := range cols {
			pr := c.results[r.key()]
			if pr == nil {
				continue
			}
			for _, t := range pr.Tests {
				if t.Status == vmtest.Fail && !hasFailedChild(pr, t.Name) {
					fmt.Fprintf(&b, "- %s, `%s` (%s): `%s`%s\n", c.name, r.path, r.group.Name(), t.Name, firstLine(" — ", failReason(t)))
					n++
				}
			}
			if pr.Status == vmtest.Fail && !slices.ContainsFunc(pr.Tests, func(t vmtest.TestResult) bool { return t.Status == vmtest.Fail }) {
				fmt.Fprintf(&b, "- %s, `%s` (%s): test binary exited with status %d outside any test%s\n", c.name, r.path, r.group.Name(), pr.ExitCode, firstLine(" — ", lastLine(pr.Output)))
				n++
			}
		}
	}
	if n == 0 {
		b.WriteString("None.\n")
	}
	b.WriteString("\n## Skips\n\nBy package; the same test and reason on several kernels is one line.\n\n")
	n = 0
	for _, r := range rows {
		type skip struct{ test, reason string }
		where := map[skip][]string{}
		var order []skip
		for _, c := range cols {
			pr := c.results[r.key()]
			if pr == nil {
				continue
			}
			for _, t := range pr.Tests {
				if t.Status != vmtest.Skip {
					continue
				}
				s := skip{t.Name, normalize(t.SkipReason())}
				if where[s] == nil {
					order = append(order, s)
				}
				where[s] = append(where[s], c.name)
			}
		}
		if len(order) == 0 {
			continue
		}
		// By test name, not in the order go test reported them, which
		// parallel tests make differ from run to run.
		slices.SortStableFunc(order, func(x, y skip) int {
			return cmp.Or(strings.Compare(x.test, y.test), strings.Compare(x.reason, y.reason))
		})
		fmt.Fprintf(&b, "### `%s` (%s)\n\n", r.path, r.group.Name())
		for _, s := range order {
			fmt.Fprintf(&b, "- `%s` on %s: %s\n", s.test, strings.Join(where[s], ", "), cmp.Or(s.reason, "(no reason given)"))
			n++
		}
		b.WriteString("\n")
	}
	if n == 0 {
		b.WriteString("None.\n")
	}
	return b.String()
}

func (c *column) title() string {
	if c.name == "host" {
		return "host " + c.release
	}
	return c.name + " (" + c.release + ")"
}

func cell(pr *vmtest.PackageResult) string {
	if pr == nil || pr.Status == vmtest.NotRun {
		return "—"
	}
	if pr.Status == vmtest.Skip && len(pr.Tests) == 0 {
		return "no tests"
	}
	p, s, f := pr.Counts()
	c := fmt.Sprintf("%d / %d / %d", p, s, f)
	if pr.Status == vmtest.Fail {
		c = "**" + c + " FAIL**"
	}
	return c
}

func hasFailedChild(pr *vmtest.PackageResult, name string) bool {
	return slices.ContainsFunc(pr.Tests, func(t vmtest.TestResult) bool {
		return t.Status == vmtest.Fail && strings.HasPrefix(t.Name, name+"/")
	})
}

// failReason is the first log line of a failed test, or an example's
// "got … want …" on one line.
func failReason(t vmtest.TestResult) string {
	if _, rest, ok := strings.Cut(t.Output, "got:\n"); ok {
		got, want, _ := strings.Cut(rest, "want:\n")
		return fmt.Sprintf("got %q, want %q", strings.TrimSpace(got), strings.TrimSpace(want))
	}
	return t.SkipReason()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func firstLine(prefix, s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return prefix + strings.ReplaceAll(s, "|", `\|`)
}

// normalize keeps a skip reason to one line, and drops what differs
// between runs (uids stay; they explain permission skips): the random
// suffix of a t.TempDir and a page frame number become "N", so that
// regenerating the file changes only lines whose reason changed.
func normalize(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = tempDir.ReplaceAllString(s, "${1}N/")
	s = pfn.ReplaceAllString(s, "${1}N")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

var (
	tempDir = regexp.MustCompile(`(/tmp/[A-Za-z_][A-Za-z0-9_]*?)[0-9]+/`)
	pfn     = regexp.MustCompile(`(pfn=)0x[0-9a-f]+`)
)

// Markers around the generated part of docs/kernels.md; the prose
// outside them is kept.
const (
	beginMarker = "<!-- matrix: generated by go run ./internal/vmtest/cmd/matrix; do not edit -->"
	endMarker   = "<!-- /matrix -->"
)

// splice writes md between the markers of file, or creates file with only
// a title and the markers.
func splice(file, md string) error {
	old, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	before, after := "# Kernel matrix\n\n", "\n"
	if b, rest, ok := strings.Cut(string(old), beginMarker); ok {
		_, a, ok := strings.Cut(rest, endMarker)
		if !ok {
			return fmt.Errorf("%s: %q without %q", file, beginMarker, endMarker)
		}
		before, after = b, a
	} else if len(old) > 0 {
		return fmt.Errorf("%s has no %q marker; add the markers where the table goes", file, beginMarker)
	}
	return os.WriteFile(file, []byte(before+beginMarker+"\n"+md+endMarker+after), 0o644)
}
