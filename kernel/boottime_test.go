package kernel

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// btime reads the btime line of /proc/stat: the boot time in whole
// seconds, as the kernel computes it from the same two clocks.
func btime(t *testing.T) time.Time {
	t.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Skip(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return time.Unix(s, 0)
		}
	}
	t.Fatal("no btime line in /proc/stat")
	return time.Time{}
}

// TestBootTime checks that BootTime agrees with btime, which the kernel
// truncates to whole seconds: BootTime lies in [btime, btime+1s), give or
// take the microsecond between BootTime's clock reads (a millisecond of
// slack below). A clock step during the test changes btime and skips.
func TestBootTime(t *testing.T) {
	before := btime(t)
	bt, err := BootTime()
	if err != nil {
		t.Fatal(err)
	}
	after := btime(t)
	if before != after {
		t.Skipf("btime changed during the test (%v, %v): the clock was set", before, after)
	}
	if bt.Before(before.Add(-time.Millisecond)) || !bt.Before(before.Add(time.Second)) {
		t.Errorf("BootTime() = %v, btime %v: want within [btime, btime+1s)", bt, before)
	}
	if bt.After(time.Now()) {
		t.Errorf("BootTime() = %v is in the future", bt)
	}
}
