package kernel

import (
	"errors"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestCheckPID(t *testing.T) {
	for _, pid := range []int{1, 2, 4194304, MaxPID} {
		if err := CheckPID(pid); err != nil {
			t.Errorf("CheckPID(%d) = %v, want nil", pid, err)
		}
	}
	bad := []int{0, -1, math.MinInt}
	if strconv.IntSize == 64 {
		// Above pid_t's range: only a 64-bit int can hold these.
		big := int64(MaxPID) + 1
		bad = append(bad, int(big), int(big<<1+1), math.MaxInt)
	}
	for _, pid := range bad {
		err := CheckPID(pid)
		if !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("CheckPID(%d) = %v, want an error matching fs.ErrInvalid", pid, err)
			continue
		}
		var re *RangeError
		if !errors.As(err, &re) || re.Value != int64(pid) {
			t.Errorf("CheckPID(%d) = %#v, want a *RangeError with the value", pid, err)
		}
		if !strings.Contains(err.Error(), "pid") {
			t.Errorf("CheckPID(%d) error %q does not name the input", pid, err)
		}
	}
}
