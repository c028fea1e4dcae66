package capability_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// getcap returns getcap -n's text for path (libcap2-bin), or "" when
// getcap is not installed.
func getcap(t *testing.T, path string) string {
	t.Helper()
	bin, err := exec.LookPath("getcap")
	if err != nil {
		return ""
	}
	out, err := exec.Command(bin, "-n", path).CombinedOutput()
	if err != nil {
		t.Fatalf("getcap -n %s: %v\n%s", path, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestFileCapsXattr(t *testing.T) {
	testutil.RequireCap(t, capability.Setfcap)
	path := filepath.Join(t.TempDir(), "prog")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := capability.ReadFileCaps(path); !errors.Is(err, capability.ErrNoFileCaps) {
		t.Fatalf("ReadFileCaps of a new file = %v, want ErrNoFileCaps", err)
	}
	for _, fc := range []capability.FileCaps{
		{Version: capability.FileVersion2, Effective: true, Permitted: capability.SetOf(capability.NetRaw)},
		{Version: capability.FileVersion2, Permitted: capability.SetOf(capability.Chown, capability.BPF), Inheritable: capability.SetOf(capability.Kill)},
		{Version: capability.FileVersion3, Effective: true, Inheritable: capability.SetOf(capability.NetRaw, capability.Kill), RootUID: 1000},
	} {
		if err := capability.WriteFileCaps(path, fc); err != nil {
			testutil.SkipIfUnsupported(t, err, kernel.Version{})
			t.Fatalf("WriteFileCaps(%+v): %v", fc, err)
		}
		got, err := capability.ReadFileCaps(path)
		if err != nil || got != fc {
			t.Errorf("ReadFileCaps after writing %+v = %+v, %v", fc, got, err)
		}
		if want := getcap(t, path); want != "" && want != path+" "+fc.String() {
			t.Errorf("getcap -n says %q, String %q", want, fc.String())
		}
	}
	if err := capability.RemoveFileCaps(path); err != nil {
		t.Fatalf("RemoveFileCaps: %v", err)
	}
	if err := capability.RemoveFileCaps(path); !errors.Is(err, capability.ErrNoFileCaps) {
		t.Errorf("RemoveFileCaps again = %v, want ErrNoFileCaps", err)
	}

	// The same through an open file.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fc := capability.FileCaps{Version: capability.FileVersion2, Permitted: capability.SetOf(capability.SysNice), Effective: true}
	if err := capability.WriteFileCapsTo(f, fc); err != nil {
		t.Fatalf("WriteFileCapsTo: %v", err)
	}
	if got, err := capability.ReadFileCapsFrom(f); err != nil || got != fc {
		t.Errorf("ReadFileCapsFrom = %+v, %v; want %+v", got, err, fc)
	}
	if want := getcap(t, path); want != "" && want != path+" cap_sys_nice=ep" {
		t.Errorf("getcap -n says %q", want)
	}
	if err := capability.RemoveFileCapsFrom(f); err != nil {
		t.Errorf("RemoveFileCapsFrom: %v", err)
	}
	if _, err := capability.ReadFileCapsFrom(f); !errors.Is(err, capability.ErrNoFileCaps) {
		t.Errorf("ReadFileCapsFrom after remove = %v, want ErrNoFileCaps", err)
	}
}

// TestFileCapsUnknown checks that a capability the running kernel lacks
// is refused before the attribute is written; no privilege needed.
func TestFileCapsUnknown(t *testing.T) {
	last, err := capability.Last()
	if err != nil || last == 63 {
		t.Skip("no capability beyond the kernel's last")
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err = capability.WriteFileCaps(path, capability.FileCaps{Permitted: capability.SetOf(last + 1)})
	if err == nil || !strings.Contains(err.Error(), "capability "+(last+1).String()+":") {
		t.Errorf("WriteFileCaps of capability %d = %v, want an error naming it", last+1, err)
	}
}
