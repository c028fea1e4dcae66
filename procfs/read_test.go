package procfs

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendID checks the branch-free conversion against strconv: every
// id up to 2^22 (PID_MAX_LIMIT), the edges of its range and of each
// number of digits, and random ones.
func TestAppendID(t *testing.T) {
	check := func(n int) {
		t.Helper()
		prefix := []byte("/proc/")
		if got, want := string(appendID(prefix, n)), "/proc/"+strconv.Itoa(n); got != want {
			t.Fatalf("appendID(%d) = %q, want %q", n, got, want)
		}
	}
	for n := range 1<<22 + 1 {
		check(n)
	}
	for _, n := range []int{-1, -1 << 31, 1e8 - 1, 1e8, 1e8 + 1, 1<<31 - 1, 1 << 62} {
		check(n)
	}
	for p := 1; p < 1e9; p *= 10 {
		check(p - 1)
		check(p)
		check(p + 1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		check(r.IntN(1e8))
	}
}
