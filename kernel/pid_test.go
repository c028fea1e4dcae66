package kernel

import (
	"errors"
	"io/fs"
	"math"
	"strings"
	"testing"
)

func TestCheckPID(t *testing.T) {
	for _, pid := range []int{1, 2, 4194304, MaxPID} {
		if err := CheckPID(pid); err != nil {
			t.Errorf("CheckPID(%d) = %v, want nil", pid, err)
		}
	}
	for _, pid := range []int{0, -1, MaxPID + 1, 1<<32 + 1, math.MinInt, math.MaxInt} {
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
