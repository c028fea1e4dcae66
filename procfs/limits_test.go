package procfs

import (
	"bytes"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/rlimit"
)

func TestParseLimitsFixtures(t *testing.T) {
	var l rlimit.Limits
	if err := parseLimits(readFixture(t, "proc-limits-6.18"), &l); err != nil {
		t.Fatal(err)
	}
	const unl = rlimit.Unlimited
	lim := func(soft, hard rlimit.Value) rlimit.Limit { return rlimit.Limit{Soft: soft, Hard: hard} }
	want := rlimit.Limits{
		rlimit.CPU: lim(unl, unl), rlimit.FSize: lim(unl, unl), rlimit.Data: lim(unl, unl),
		rlimit.Stack: lim(8388608, unl), rlimit.Core: lim(0, unl), rlimit.RSS: lim(unl, unl),
		rlimit.NProc: lim(96365, 96365), rlimit.NoFile: lim(20000, 20000), rlimit.MemLock: lim(8388608, 8388608),
		rlimit.AS: lim(unl, unl), rlimit.Locks: lim(unl, unl), rlimit.SigPending: lim(96365, 96365),
		rlimit.MsgQueue: lim(819200, 819200), rlimit.Nice: lim(0, 0), rlimit.RTPrio: lim(0, 0), rlimit.RTTime: lim(unl, unl),
	}
	if l != want {
		t.Errorf("got  %v\nwant %v", l, want)
	}

	if err := parseLimits(readFixture(t, "proc-limits-synthetic"), &l); err != nil {
		t.Fatal(err)
	}
	if l[rlimit.CPU] != (rlimit.Limit{Soft: 10, Hard: rlimit.Unlimited}) || l[rlimit.NProc] != (rlimit.Limit{Soft: 63, Hard: 4096}) ||
		l[rlimit.Nice] != (rlimit.Limit{Soft: 40, Hard: 40}) || l[rlimit.RTPrio] != (rlimit.Limit{Soft: 99, Hard: 99}) ||
		l[rlimit.RTTime] != (rlimit.Limit{Soft: 200000, Hard: rlimit.Unlimited}) {
		t.Errorf("synthetic: %v", l)
	}
	if d, ok := rlimit.CPU.Duration(l[rlimit.CPU].Soft); !ok || d != 10*time.Second {
		t.Errorf("cpu duration %v %v", d, ok)
	}
	if d, ok := rlimit.RTTime.Duration(l[rlimit.RTTime].Soft); !ok || d != 200*time.Millisecond {
		t.Errorf("rttime duration %v %v", d, ok)
	}
	// An unlimited time has no Duration: ok is false, never a clamped
	// value.
	if d, ok := rlimit.RTTime.Duration(l[rlimit.RTTime].Hard); ok || d != 0 {
		t.Errorf("unlimited duration %v %v", d, ok)
	}
	if _, ok := rlimit.NoFile.Duration(5); ok {
		t.Error("NOFILE has no duration")
	}
}

func TestParseLimitsErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"Limit                     Soft Limit           Hard Limit           Units     \n",
		"Max cpu time              1x                   unlimited            seconds   \n",
		"Max cpu time              unlimited            lots                 seconds   \n",
		"Max cpu time\n",
	} {
		var l rlimit.Limits
		if err := parseLimits([]byte(in), &l); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestLimitRows checks that procfs has a /proc/PID/limits row for every
// resource rlimit knows, and no two the same.
func TestLimitRows(t *testing.T) {
	seen := map[string]rlimit.Resource{}
	for r := range (rlimit.Limits{}).All() {
		row := limitRows[r]
		if row == "" {
			t.Errorf("%v: no row name", r)
		}
		if other, dup := seen[row]; dup {
			t.Errorf("%v and %v share the row %q", other, r, row)
		}
		seen[row] = r
		if got := rlimitByRow([]byte(row)); got != r {
			t.Errorf("rlimitByRow(%q) = %v, want %v", row, got, r)
		}
	}
}

// TestLimitsSelf compares with getrlimit(2). Go raises the RLIMIT_NOFILE
// soft limit at start-up; both views see the raised value.
func TestLimitsSelf(t *testing.T) {
	l, err := Default().Self().Limits()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		res int
		rl  rlimit.Resource
	}{
		{syscall.RLIMIT_NOFILE, rlimit.NoFile}, {syscall.RLIMIT_STACK, rlimit.Stack}, {syscall.RLIMIT_CORE, rlimit.Core},
		{syscall.RLIMIT_AS, rlimit.AS}, {syscall.RLIMIT_CPU, rlimit.CPU}, {syscall.RLIMIT_DATA, rlimit.Data},
	} {
		var want syscall.Rlimit
		if err := syscall.Getrlimit(r.res, &want); err != nil {
			t.Fatal(err)
		}
		got := l[r.rl]
		if uint64(got.Soft) != uint64(want.Cur) || uint64(got.Hard) != uint64(want.Max) {
			t.Errorf("%v: %v, getrlimit %d/%d", r.rl, got, want.Cur, want.Max)
		}
	}
	if _, err := Default().Proc(1 << 30); !errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("missing process: %v", err)
	}
}

func TestLimitsAllocs(t *testing.T) {
	p := Default().Self()
	if n := testing.AllocsPerRun(100, func() {
		if _, err := p.Limits(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Limits: %v allocs, want 0", n)
	}
}

func FuzzParseLimits(f *testing.F) {
	f.Add(readFixture(f, "proc-limits-6.18"))
	f.Add(readFixture(f, "proc-limits-synthetic"))
	f.Add(bytes.Replace(readFixture(f, "proc-limits-6.18"), []byte("unlimited  "), []byte("18446744073709551615"), 1))
	f.Add(bytes.Replace(readFixture(f, "proc-limits-6.18"), []byte("unlimited  "), []byte("unlimited\tx"), 1))
	f.Add(bytes.Replace(readFixture(f, "proc-limits-6.18"), []byte("8388608 "), []byte("8388608x"), 1))
	f.Add(readFixture(f, "proc-limits-6.18")[:300])
	f.Fuzz(func(t *testing.T, b []byte) {
		var l rlimit.Limits
		parseLimits(b, &l)
		// The fast path, where it accepts the table, agrees with the
		// general one.
		var fast, rows rlimit.Limits
		if parseLimitsFast(b, &fast) {
			if err := parseLimitsRows(b, &rows); err != nil || fast != rows {
				t.Fatalf("%q: fast path %v, general path %v, %v", b, fast, rows, err)
			}
		}
	})
}

func TestParseLimitsFastPath(t *testing.T) {
	self, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		t.Fatal(err)
	}
	// (proc-limits-synthetic has a row no kernel prints: the general path.)
	for name, b := range map[string][]byte{"proc-limits-6.18": readFixture(t, "proc-limits-6.18"), "/proc/self/limits": self} {
		var l rlimit.Limits
		if !parseLimitsFast(b, &l) {
			t.Errorf("%s: not on the fast path", name)
		}
	}
}
