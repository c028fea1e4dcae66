package feature

import (
	"errors"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/lxgo/lx/kernel"
)

func TestCaching(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantRuns int // after three Checks
		unsupp   bool
	}{
		{"works", nil, 1, false},
		{"enosys", os.NewSyscallError("x", syscall.ENOSYS), 1, true},
		{"einval", syscall.EINVAL, 1, true},
		{"eopnotsupp", syscall.EOPNOTSUPP, 1, true},
		{"eperm", os.NewSyscallError("x", syscall.EPERM), 3, false},
		{"eacces", syscall.EACCES, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			p := newProbe("thing", kernel.V(6, 9), func() error { runs++; return tt.err })
			var err error
			for range 3 {
				err = p.Check()
			}
			if runs != tt.wantRuns {
				t.Errorf("probe ran %d times, want %d", runs, tt.wantRuns)
			}
			if got := errors.Is(err, errors.ErrUnsupported); got != tt.unsupp {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, got, tt.unsupp)
			}
			if tt.err != nil && !errors.Is(err, errors.Unwrap(tt.err)) && !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
			var fe *kernel.FeatureError
			if tt.unsupp && (!errors.As(err, &fe) || fe.MinKernel != kernel.V(6, 9) || fe.Feature != "thing") {
				t.Errorf("want *kernel.FeatureError{thing, 6.9}, got %#v", err)
			}
		})
	}
}

// A detail is kept only with a conclusive success, and an inconclusive
// failure returns no detail.
func TestDetailCaching(t *testing.T) {
	runs := 0
	fail := true
	p := newDetailProbe("thing", kernel.V(5, 0), func() (string, error) {
		runs++
		if fail {
			return "ignored", os.NewSyscallError("x", syscall.EPERM)
		}
		return "ABI " + strconv.Itoa(runs), nil
	})
	if d, err := p.Detail(); d != "" || !errors.Is(err, syscall.EPERM) {
		t.Errorf("inconclusive Detail = %q, %v; want \"\" and EPERM", d, err)
	}
	fail = false
	for range 3 {
		if d, err := p.Detail(); d != "ABI 2" || err != nil {
			t.Errorf("Detail = %q, %v; want \"ABI 2\"", d, err)
		}
	}
	if runs != 2 {
		t.Errorf("probe ran %d times, want 2", runs)
	}
	if err := p.Check(); err != nil {
		t.Errorf("Check after success = %v", err)
	}
}
