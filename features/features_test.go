package features

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestList(t *testing.T) {
	want := []string{"pidfd_open", "pidfs", "PIDFD_GET_INFO", "clone3", "openat2", "statmount/listmount",
		"io_uring", "landlock", "seccomp user notification", "userfaultfd", "memfd_secret",
		"MPOL_WEIGHTED_INTERLEAVE", "PAGEMAP_SCAN", "fanotify FAN_REPORT_FID"}
	list := List()
	if len(list) != len(want) {
		t.Fatalf("List has %d features, want %d", len(list), len(want))
	}
	manPage := regexp.MustCompile(`[a-z_0-9]+\([27]\)`)
	for i, f := range list {
		if f.Name != want[i] {
			t.Errorf("feature %d is %q, want %q", i, f.Name, want[i])
		}
		if f.MinKernel.IsZero() || !f.MinKernel.AtLeast(kernel.V(4, 0)) {
			t.Errorf("%s: MinKernel %v", f.Name, f.MinKernel)
		}
		if !manPage.MatchString(f.Description) {
			t.Errorf("%s: description %q names no man page", f.Name, f.Description)
		}
	}
	list[0].Name = "changed"
	if List()[0].Name != "pidfd_open" {
		t.Error("List returned the catalogue itself, not a copy")
	}
}

// TestAvailableHere: every feature of the catalogue is older than the
// kernels lx is tested on, so each must be available. A missing feature
// skips only on a kernel older than its MinKernel, or when the probe was
// not permitted (EPERM: run unprivileged, or under a seccomp filter).
func TestAvailableHere(t *testing.T) {
	for _, s := range Probe(context.Background()) {
		t.Run(s.Feature.Name, func(t *testing.T) {
			if s.Available {
				if s.Err != nil {
					t.Errorf("available, with error %v", s.Err)
				}
				return
			}
			if s.Err == nil {
				t.Fatal("not available, and no error says why")
			}
			testutil.SkipIfUnsupported(t, s.Err, s.Feature.MinKernel)
			t.Fatalf("not available: %v", s.Err)
		})
	}
}

func TestDetails(t *testing.T) {
	for name, pattern := range map[string]string{
		"landlock":                  `^ABI [1-9][0-9]*$`,
		"io_uring":                  `^(last opcode [0-9]+)?$`,
		"seccomp user notification": `^notif [0-9]+, resp [0-9]+, data 64 bytes$`,
		"userfaultfd":               `^(|user-mode faults only|through /dev/userfaultfd)$`,
		"openat2":                   `^$`,
	} {
		s, err := Check(name)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Available {
			continue // TestAvailableHere judges that
		}
		if !regexp.MustCompile(pattern).MatchString(s.Detail) {
			t.Errorf("%s: Detail %q does not match %s", name, s.Detail, pattern)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, f := range List() {
		s, err := Check(f.Name)
		if err != nil {
			t.Errorf("Check(%q): %v", f.Name, err)
			continue
		}
		if s.Feature != f {
			t.Errorf("Check(%q).Feature = %+v, want %+v", f.Name, s.Feature, f)
		}
	}
	_, err := Check("time travel")
	if err == nil || !strings.Contains(err.Error(), `"time travel"`) {
		t.Errorf("Check of an unknown feature = %v, want an error naming it", err)
	}
	if _, err := Check("Landlock"); err == nil {
		t.Error("Check is case-insensitive; names are exact")
	}
}

// TestCached: a conclusive answer is not probed again. (The landlock
// probe allocates its Detail, so running it again would show.)
func TestCached(t *testing.T) {
	var e *entry
	for _, c := range catalogue {
		if c.probe.Name() == "landlock" {
			e = c
		}
	}
	first := e.status()
	if first.Err != nil && !errors.Is(first.Err, errors.ErrUnsupported) {
		t.Skipf("inconclusive here: %v", first.Err)
	}
	if n := testing.AllocsPerRun(50, func() { e.status() }); n != 0 {
		t.Errorf("a cached Check allocates %.0f times: the probe ran again", n)
	}
}

func TestProbeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := Probe(ctx)
	if len(got) != len(catalogue) {
		t.Fatalf("Probe returned %d statuses, want %d", len(got), len(catalogue))
	}
	for _, s := range got {
		if s.Available || !errors.Is(s.Err, context.Canceled) {
			t.Errorf("%s after cancel: available=%v err=%v", s.Feature.Name, s.Available, s.Err)
		}
	}
}

func TestIOUringDenied(t *testing.T) {
	eperm := os.NewSyscallError("io_uring_setup", syscall.EPERM)
	for _, c := range []struct {
		sysctl string // "" for no file (before Linux 6.6)
		want   string
	}{
		{"", "io_uring_setup: operation not permitted"},
		{"0\n", "io_uring_setup: operation not permitted"},
		{"1\n", "io_uring limited to the group in sysctl kernel.io_uring_group (kernel.io_uring_disabled=1): io_uring_setup: operation not permitted"},
		{"2\n", "io_uring disabled by sysctl kernel.io_uring_disabled=2: io_uring_setup: operation not permitted"},
	} {
		fsys := pseudofs.Rooted(t.TempDir())
		if c.sysctl != "" {
			p := fsys.ProcPath("sys", "kernel", "io_uring_disabled")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(c.sysctl), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := ioUringDenied(fsys, eperm)
		if err.Error() != c.want || !errors.Is(err, syscall.EPERM) || errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("sysctl %q: %v, want %q matching EPERM", c.sysctl, err, c.want)
		}
	}
}
