package sys_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// TestLandlockRules builds a ruleset with a path rule and, from ABI 4, a
// port rule, and checks that the kernel rejects what it must. It applies
// nothing: landlock_restrict_self is tested in package landlock.
func TestLandlockRules(t *testing.T) {
	v := landlockABI(t)
	attr := &abi.LandlockRulesetAttr{HandledAccessFS: sys.LANDLOCK_ACCESS_FS_READ_FILE | sys.LANDLOCK_ACCESS_FS_READ_DIR}
	if v >= 4 {
		attr.HandledAccessNet = sys.LANDLOCK_ACCESS_NET_BIND_TCP
	}
	rs, err := sys.LandlockCreateRuleset(attr)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	dir, err := sys.Open("/usr", sys.O_PATH)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	if err := sys.LandlockAddPathBeneath(rs.Int(), sys.LANDLOCK_ACCESS_FS_READ_FILE, dir.Int()); err != nil {
		t.Fatalf("path rule: %v", err)
	}
	// A right the ruleset does not handle is EINVAL.
	err = sys.LandlockAddPathBeneath(rs.Int(), sys.LANDLOCK_ACCESS_FS_EXECUTE, dir.Int())
	if !errors.Is(err, syscall.EINVAL) {
		t.Errorf("unhandled right: got %v, want EINVAL", err)
	}
	if v < 4 {
		return
	}
	if err := sys.LandlockAddNetPort(rs.Int(), sys.LANDLOCK_ACCESS_NET_BIND_TCP, 8080); err != nil {
		t.Fatalf("port rule: %v", err)
	}
	err = sys.LandlockAddNetPort(rs.Int(), sys.LANDLOCK_ACCESS_NET_BIND_TCP, 65536)
	if !errors.Is(err, syscall.EINVAL) {
		t.Errorf("port 65536: got %v, want EINVAL", err)
	}
}

// TestLandlockEmptyRuleset: a ruleset that handles nothing is ENOMSG.
func TestLandlockEmptyRuleset(t *testing.T) {
	landlockABI(t)
	if _, err := sys.LandlockCreateRuleset(&abi.LandlockRulesetAttr{}); !errors.Is(err, syscall.ENOMSG) {
		t.Errorf("got %v, want ENOMSG", err)
	}
}

// landlockABI returns the kernel's Landlock ABI, or skips: EOPNOTSUPP
// means Landlock is built in but not enabled at boot (Debian's 6.1 lists
// no landlock in its default lsm=), which no kernel version implies.
func landlockABI(t *testing.T) int {
	t.Helper()
	v, err := sys.ProbeLandlockABI()
	if errors.Is(err, syscall.EOPNOTSUPP) {
		t.Skip(err)
	}
	testutil.SkipIfUnsupported(t, err, kernel.V(5, 13))
	return v
}
