package procfs

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

func readProcInt(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOOMSelf(t *testing.T) {
	self := Default().Self()
	score, err := self.OOMScore()
	if err != nil || score < 0 || score > 2000 {
		t.Errorf("OOMScore = %d, %v", score, err)
	}
	adj, err := self.OOMScoreAdj()
	if want := readProcInt(t, "/proc/self/oom_score_adj"); err != nil || adj != want {
		t.Errorf("OOMScoreAdj = %d, %v; file says %d", adj, err, want)
	}
	old, err := self.OOMAdj()
	if want := readProcInt(t, "/proc/self/oom_adj"); err != nil || old != want {
		t.Errorf("OOMAdj = %d, %v; file says %d", old, err, want)
	}
}

// TestSetOOMScoreAdjChild raises a child's oom_score_adj, which needs no
// privilege, and checks that lowering it below its floor needs
// CAP_SYS_RESOURCE.
func TestSetOOMScoreAdjChild(t *testing.T) {
	child := startSleeper(t)
	p := mustProc(t, Default(), child.Process.Pid)
	before, err := p.OOMScoreAdj()
	if err != nil {
		t.Fatal(err)
	}
	target := before + 500
	if target > OOMScoreAdjMax {
		target = OOMScoreAdjMax
	}
	if err := p.SetOOMScoreAdj(target); err != nil {
		t.Fatal(err)
	}
	if got, err := p.OOMScoreAdj(); err != nil || got != target {
		t.Errorf("after SetOOMScoreAdj(%d): %d, %v", target, got, err)
	}
	if got := readProcInt(t, p.Dir()+"/oom_score_adj"); got != target {
		t.Errorf("file says %d after SetOOMScoreAdj(%d)", got, target)
	}
	if score, err := p.OOMScore(); err != nil || score < target {
		t.Errorf("OOMScore after raising to %d: %d, %v", target, score, err)
	}
	// Back down to where it was: allowed without privilege (the floor is
	// at most the inherited value).
	if err := p.SetOOMScoreAdj(before); err != nil {
		t.Errorf("SetOOMScoreAdj back to %d: %v", before, err)
	}
	err = p.SetOOMScoreAdj(OOMScoreAdjMin)
	switch {
	case testutil.HasCap(capability.SysResource):
		if err != nil {
			t.Errorf("SetOOMScoreAdj(-1000) with CAP_SYS_RESOURCE: %v", err)
		}
	case before > OOMScoreAdjMin:
		if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("SetOOMScoreAdj(-1000) without CAP_SYS_RESOURCE: %v, want fs.ErrPermission", err)
		}
	}
	for _, bad := range []int{-1001, 1001} {
		if err := p.SetOOMScoreAdj(bad); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("SetOOMScoreAdj(%d) = %v, want fs.ErrInvalid", bad, err)
		}
	}
	child.Process.Kill()
	child.Wait()
	if err := p.SetOOMScoreAdj(0); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SetOOMScoreAdj on a reaped process: %v", err)
	}
	if _, err := p.OOMScore(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("OOMScore of a reaped process: %v", err)
	}
}

func BenchmarkOOMScoreAdj(b *testing.B) {
	p := Default().Self()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.OOMScoreAdj(); err != nil {
			b.Fatal(err)
		}
	}
}
