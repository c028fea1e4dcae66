package procfs

import (
	"errors"
	"math"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParseLimitsFixtures(t *testing.T) {
	var l Limits
	if err := parseLimits(readFixture(t, "proc-limits-6.18"), &l); err != nil {
		t.Fatal(err)
	}
	want := Limits{
		RlimitCPU: {Unlimited, Unlimited}, RlimitFileSize: {Unlimited, Unlimited}, RlimitData: {Unlimited, Unlimited},
		RlimitStack: {8388608, Unlimited}, RlimitCore: {0, Unlimited}, RlimitRSS: {Unlimited, Unlimited},
		RlimitNProc: {96365, 96365}, RlimitNoFile: {20000, 20000}, RlimitMemLock: {8388608, 8388608},
		RlimitAS: {Unlimited, Unlimited}, RlimitLocks: {Unlimited, Unlimited}, RlimitSigPending: {96365, 96365},
		RlimitMsgQueue: {819200, 819200}, RlimitNice: {0, 0}, RlimitRTPrio: {0, 0}, RlimitRTTime: {Unlimited, Unlimited},
	}
	if l != want {
		t.Errorf("got  %v\nwant %v", l, want)
	}

	if err := parseLimits(readFixture(t, "proc-limits-synthetic"), &l); err != nil {
		t.Fatal(err)
	}
	if l[RlimitCPU] != (Limit{10, Unlimited}) || l[RlimitNProc] != (Limit{63, 4096}) || l[RlimitNice] != (Limit{40, 40}) ||
		l[RlimitRTPrio] != (Limit{99, 99}) || l[RlimitRTTime] != (Limit{200000, Unlimited}) {
		t.Errorf("synthetic: %v", l)
	}
	if d, ok := RlimitCPU.Duration(l[RlimitCPU].Soft); !ok || d != 10*time.Second {
		t.Errorf("cpu duration %v %v", d, ok)
	}
	if d, ok := RlimitRTTime.Duration(l[RlimitRTTime].Soft); !ok || d != 200*time.Millisecond {
		t.Errorf("rttime duration %v %v", d, ok)
	}
	if d, ok := RlimitRTTime.Duration(Unlimited); !ok || d != math.MaxInt64 {
		t.Errorf("unlimited duration %v %v", d, ok)
	}
	if _, ok := RlimitNoFile.Duration(5); ok {
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
		var l Limits
		if err := parseLimits([]byte(in), &l); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestLimitValueText(t *testing.T) {
	for _, v := range []LimitValue{0, 1, 8388608, Unlimited, Unlimited - 1} {
		b, _ := v.MarshalText()
		var back LimitValue
		if err := back.UnmarshalText(b); err != nil || back != v || string(b) != v.String() {
			t.Errorf("%d: %q -> %d, %v", uint64(v), b, uint64(back), err)
		}
	}
	if !Unlimited.IsUnlimited() || Unlimited.String() != "unlimited" {
		t.Error(Unlimited)
	}
	if RlimitNoFile.String() != "RLIMIT_NOFILE" || RlimitRTTime.Unit() != UnitMicroseconds || RlimitAS.Unit().String() != "bytes" {
		t.Error(RlimitNoFile, RlimitRTTime.Unit(), RlimitAS.Unit())
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
		rl  Rlimit
	}{
		{syscall.RLIMIT_NOFILE, RlimitNoFile}, {syscall.RLIMIT_STACK, RlimitStack}, {syscall.RLIMIT_CORE, RlimitCore},
		{syscall.RLIMIT_AS, RlimitAS}, {syscall.RLIMIT_CPU, RlimitCPU}, {syscall.RLIMIT_DATA, RlimitData},
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
	f.Fuzz(func(t *testing.T, b []byte) {
		var l Limits
		parseLimits(b, &l)
	})
}
