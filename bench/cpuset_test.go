// Package bench compares lx with other Go packages, side by side in one run.
// Each benchmark has sub-benchmarks keyed "impl=" so that
// `benchstat -col /impl` prints ratios; see ./run and docs/performance.md.
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/prometheus/procfs/sysfs"
)

// cpuLists are the inputs: a small list as on a laptop, and a 256-CPU list
// with holes (CPU 28-29 and 31 of every 32 missing, as on a big machine
// with isolated or offline CPUs), both with the newline sysfs ends with.
var cpuLists = []struct{ name, text string }{
	{"small", "0-3,8,10-11\n"},
	{"large256", func() string {
		var parts []string
		for lo := 0; lo < 256; lo += 32 {
			parts = append(parts, fmt.Sprintf("%d-%d", lo, lo+27), strconv.Itoa(lo+30))
		}
		return strings.Join(parts, ",") + "\n"
	}()},
}

// handrolled is the CPU list parser Go programs typically write, and what
// prometheus/procfs does inside (its sysfs parseCPURange is unexported):
// trim the newline, split on commas, split ranges on '-', strconv.Atoi, and
// expand every range into a slice of CPU numbers.
func handrolled(b []byte) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(strings.TrimSuffix(string(b), "\n"), ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("invalid cpu %q: %w", part, err)
		}
		last := first
		if isRange {
			if last, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("invalid cpu range %q: %w", part, err)
			}
		}
		for c := first; c <= last; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

var (
	sinkSet  cpuset.Set
	sinkInts []int
	sinkU16  []uint16
)

// BenchmarkCPUListParse parses a CPU list held in memory: lx's cpuset.Set
// (a bitset) against the hand-rolled split/Atoi parser ([]int).
func BenchmarkCPUListParse(b *testing.B) {
	for _, in := range cpuLists {
		data := []byte(in.text)
		want, err := handrolled(data)
		if err != nil {
			b.Fatal(err)
		}
		got, err := cpuset.ParseBytes(data)
		if err != nil || got.Count() != len(want) {
			b.Fatalf("lx and handrolled disagree on %q: %v %v", in.text, got, want)
		}
		b.Run("input="+in.name+"/impl=lx", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := cpuset.ParseBytes(data)
				if err != nil {
					b.Fatal(err)
				}
				sinkSet = s
			}
		})
		b.Run("input="+in.name+"/impl=handrolled", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := handrolled(data)
				if err != nil {
					b.Fatal(err)
				}
				sinkInts = s
			}
		})
	}
}

// BenchmarkIsolatedCPUs reads and parses devices/system/cpu/isolated from a
// fake sysfs tree: procfs's exported sysfs.FS.IsolatedCPUs (os.ReadFile,
// then its split/Atoi parser, []uint16) against lx's read path
// (pseudofs.WithFile's pooled buffer, then cpuset.ParseBytes).
func BenchmarkIsolatedCPUs(b *testing.B) {
	for _, in := range cpuLists {
		root := b.TempDir()
		dir := filepath.Join(root, "devices", "system", "cpu")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, "isolated")
		if err := os.WriteFile(path, []byte(in.text), 0o644); err != nil {
			b.Fatal(err)
		}
		pfs, err := sysfs.NewFS(root)
		if err != nil {
			b.Fatal(err)
		}
		want, err := pfs.IsolatedCPUs()
		if err != nil {
			b.Fatal(err)
		}
		var got cpuset.Set
		parse := func(data []byte) (err error) {
			got, err = cpuset.ParseBytes(data)
			return err
		}
		if err := pseudofs.WithFile(path, parse); err != nil || got.Count() != len(want) {
			b.Fatalf("lx and procfs disagree: %v (%v) vs %v", got, err, want)
		}
		b.Run("input="+in.name+"/impl=lx", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := pseudofs.WithFile(path, parse); err != nil {
					b.Fatal(err)
				}
			}
			sinkSet = got
		})
		b.Run("input="+in.name+"/impl=procfs", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cpus, err := pfs.IsolatedCPUs()
				if err != nil {
					b.Fatal(err)
				}
				sinkU16 = cpus
			}
		})
	}
}
