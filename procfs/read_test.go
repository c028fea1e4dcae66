package procfs

import (
	"math"
	"strconv"
	"testing"
)

// TestAppendID checks appendID against strconv on every value below
// 2^17, around every power of ten and at the ends of its range, onto
// a buffer that must grow and one that need not.
func TestAppendID(t *testing.T) {
	check := func(id int) {
		t.Helper()
		for _, prefix := range [][]byte{nil, []byte("/proc/"), make([]byte, 3, 64)} {
			want := strconv.AppendInt(append([]byte(nil), prefix...), int64(id), 10)
			if got := appendID(prefix, id); string(got) != string(want) {
				t.Fatalf("appendID(%q, %d) = %q, want %q", prefix, id, got, want)
			}
		}
	}
	for id := range 1 << 17 {
		check(id)
	}
	// Values an int holds on this architecture (32 bits on 386 and arm).
	var big []int64
	for p := int64(10); p <= 1e18; p *= 10 {
		big = append(big, p-1, p, p+1)
	}
	big = append(big, 1<<31-1, 1<<31, 1<<32-1, 1<<32, -1, -1<<31, math.MaxInt64)
	for _, v := range big {
		if int64(int(v)) == v {
			check(int(v))
		}
	}
}
