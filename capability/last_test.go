package capability

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestLast compares Last with the kernel's own answer,
// /proc/sys/kernel/cap_last_cap (a test may read /proc; the package
// does not).
func TestLast(t *testing.T) {
	last, err := Last()
	if err != nil {
		t.Fatalf("Last: %v", err)
	}
	if again, err := Last(); again != last || err != nil {
		t.Errorf("Last again = %v, %v; first %v", again, err, last)
	}
	if probed, err := probeLast(); probed != last || err != nil {
		t.Errorf("probeLast = %v, %v; cached %v", probed, err, last)
	}
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		t.Skipf("no cap_last_cap to compare with: %v", err)
	}
	want, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if int(last) != want {
		t.Errorf("Last = %d (%v), cap_last_cap says %d", last, last, want)
	}
}

func TestFull(t *testing.T) {
	last, err := Last()
	if err != nil {
		t.Fatal(err)
	}
	full, err := Full()
	if err != nil {
		t.Fatal(err)
	}
	if full.Len() != int(last)+1 || !full.Has(0) || !full.Has(last) || full.Has(last+1) {
		t.Errorf("Full = %v (%s), Last %d", full, full.Hex(), last)
	}
	// The largest set Full can be.
	lastKnown.Store(64)
	defer lastKnown.Store(int32(last) + 1)
	if all, err := Full(); err != nil || all != 1<<64-1 {
		t.Errorf("Full with Last 63 = %s, %v", all.Hex(), err)
	}
}
