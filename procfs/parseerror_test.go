package procfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lxgo/lx/ns"
)

// TestParseErrorsNameTheFile gives every reader a malformed file and
// checks that the error is a *ParseError carrying the file's path, and
// that the message names the path exactly once.
func TestParseErrorsNameTheFile(t *testing.T) {
	files := map[string]string{
		"42/stat":            "42 (x) R 1 2 3 4 5 notanumber\n",
		"42/statm":           "1 2 3 x 5 6 7\n",
		"42/status":          "Name:\tx\nPid:\tx\n",
		"42/limits":          "Limit Soft Limit Hard Limit Units\nMax cpu time x unlimited seconds\n",
		"42/io":              "rchar: x\n",
		"42/comm":            "no newline",
		"42/cgroup":          "not a cgroup line\n",
		"42/maps":            "zz-1 r--p 0 00:00 0\n",
		"42/smaps":           "0-1 r--p 0 00:00 0\nRss: x kB\n",
		"42/smaps_rollup":    "0-1 ---p 0 0:0 0 [rollup]\nRss: x kB\n",
		"42/mountinfo":       "1 2 3\n",
		"42/fdinfo/0":        "pos: x\n",
		"42/loginuid":        "x\n",
		"42/sessionid":       "4294967296\n",
		"42/oom_score":       "x\n",
		"42/oom_score_adj":   "x\n",
		"42/oom_adj":         "x\n",
		"meminfo":            "MemTotal: x kB\n",
		"cpuinfo":            "processor\t: x\n",
		"stat":               "cpu x\n",
		"vmstat":             "nr_free_pages x\n",
		"uptime":             "x y\n",
		"loadavg":            "x 0 0 1/1 1\n",
		"pressure/cpu":       "some avg10=x\n",
		"swaps":              "no header\n",
		"filesystems":        "a b c\n",
		"locks":              "x\n",
		"sys/kernel/pid_max": "0\n",
		"tty/drivers":        "serial /dev/ttyS x 64 serial\n",
	}
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, "proc", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "proc/42/ns"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("garbage", filepath.Join(root, "proc/42/ns/net")); err != nil {
		t.Fatal(err)
	}
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	p := mustProc(t, fsys, 42)
	first := func(seq func(func(Mapping, error) bool)) error {
		for _, err := range seq {
			if err != nil {
				return err
			}
		}
		return nil
	}
	readers := map[string]func() error{
		"42/stat":            func() error { _, err := p.Stat(); return err },
		"42/statm":           func() error { _, err := p.Statm(); return err },
		"42/status":          func() error { _, err := p.Status(); return err },
		"42/limits":          func() error { _, err := p.Limits(); return err },
		"42/io":              func() error { _, err := p.IO(); return err },
		"42/comm":            func() error { _, err := p.Comm(); return err },
		"42/cgroup":          func() error { _, err := p.Cgroups(); return err },
		"42/maps":            func() error { _, err := p.Maps(); return err },
		"42/smaps":           func() error { _, err := p.Smaps(); return err },
		"42/smaps_rollup":    func() error { _, err := p.SmapsRollup(); return err },
		"42/mountinfo":       func() error { _, err := p.MountInfo(); return err },
		"42/fdinfo/0":        func() error { _, err := p.FDInfo(0); return err },
		"42/loginuid":        func() error { _, err := p.LoginUID(); return err },
		"42/sessionid":       func() error { _, err := p.SessionID(); return err },
		"42/oom_score":       func() error { _, err := p.OOMScore(); return err },
		"42/oom_score_adj":   func() error { _, err := p.OOMScoreAdj(); return err },
		"42/oom_adj":         func() error { _, err := p.OOMAdj(); return err },
		"meminfo":            func() error { _, err := fsys.Meminfo(); return err },
		"cpuinfo":            func() error { _, err := fsys.CPUInfo(); return err },
		"stat":               func() error { _, err := fsys.KernelStat(); return err },
		"vmstat":             func() error { _, err := fsys.VMStat(); return err },
		"uptime":             func() error { _, err := fsys.Uptime(); return err },
		"loadavg":            func() error { _, err := fsys.LoadAvg(); return err },
		"pressure/cpu":       func() error { _, err := fsys.Pressure(ResourceCPU); return err },
		"swaps":              func() error { _, err := fsys.Swaps(); return err },
		"filesystems":        func() error { _, err := fsys.Filesystems(); return err },
		"locks":              func() error { _, err := fsys.Locks(); return err },
		"sys/kernel/pid_max": func() error { _, err := fsys.PidMax(); return err },
		"tty/drivers":        func() error { _, err := fsys.TTYDrivers(); return err },
		"42/ns/net":          func() error { _, err := p.Namespace(ns.Net); return err },
	}
	seqs := map[string]func() error{
		"42/maps": func() error { return first(p.MapsSeq()) },
		"42/mountinfo": func() error {
			for _, err := range p.MountInfoSeq() {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"42/ns/net": func() error { _, err := p.Namespaces(); return err },
	}
	check := func(name string, err error) {
		t.Helper()
		path := filepath.Join(root, "proc", name)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Path != path {
			t.Errorf("%s: %v (%T), want a *ParseError for %s", name, err, err, path)
			return
		}
		if n := countString(err.Error(), path); n != 1 {
			t.Errorf("%s: the message names the path %d times: %v", name, n, err)
		}
	}
	for name, read := range readers {
		check(name, read())
	}
	for name, read := range seqs {
		check(name, read())
	}
	s := NewSampler(fsys, &SamplerOptions{Files: SampleStat})
	defer s.Close()
	if err := s.AddProc(p); err != nil {
		t.Fatal(err)
	}
	for _, err := range s.Sample() {
		check("42/stat", err)
	}
}

func countString(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}
