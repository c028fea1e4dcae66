package sys_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
)

func TestCapbsetRead(t *testing.T) {
	// CAP_CHOWN exists on every kernel; 64 on none (sets are 64 bits).
	if _, err := sys.CapbsetRead(0); err != nil {
		t.Fatalf("CapbsetRead(0): %v", err)
	}
	if _, err := sys.CapbsetRead(64); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("CapbsetRead(64) = %v, want EINVAL", err)
	}
}
