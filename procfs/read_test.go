package procfs

import (
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
	for p := 10; p <= 1e18; p *= 10 {
		check(p - 1)
		check(p)
		check(p + 1)
	}
	for _, id := range []int{1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32, -1, -1 << 31} {
		check(id)
	}
}
