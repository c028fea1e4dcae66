package userfaultfd

import (
	"testing"

	"github.com/lxgo/lx/kernel"
)

func TestFeaturesText(t *testing.T) {
	for _, c := range []struct {
		f    Features
		text string
	}{
		{0, "0"},
		{FeatureWP | FeatureMove, "UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_MOVE"},
		{FeatureThreadID | 1<<40, "UFFD_FEATURE_THREAD_ID|0x10000000000"},
		// The machine notes' full set on 6.18.
		{0x1ffff, "UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE"},
	} {
		if got := c.f.String(); got != c.text {
			t.Errorf("%#x: %q, want %q", uint64(c.f), got, c.text)
		}
		if back, err := ParseFeatures(c.text); err != nil || back != c.f {
			t.Errorf("ParseFeatures(%q) = %#x, %v", c.text, uint64(back), err)
		}
	}
	if _, err := ParseFeatures("UFFD_FEATURE_BOGUS"); err == nil {
		t.Error("unknown name accepted")
	}
	for _, c := range []struct {
		v    interface{ String() string }
		want string
	}{
		{ModeMissing | ModeWP, "UFFDIO_REGISTER_MODE_MISSING|UFFDIO_REGISTER_MODE_WP"},
		{IoctlWake | IoctlCopy | IoctlAPI, "UFFDIO_WAKE|UFFDIO_COPY|UFFDIO_API"},
		{FaultWrite | FaultMinor, "UFFD_PAGEFAULT_FLAG_WRITE|UFFD_PAGEFAULT_FLAG_MINOR"},
		{FaultFlags(0), "0"},
		{SourceDevice, "device"},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
	var m Mode
	if err := m.UnmarshalText([]byte("UFFDIO_REGISTER_MODE_MINOR")); err != nil || m != ModeMinor {
		t.Errorf("Mode.UnmarshalText: %v, %v", m, err)
	}
}

func TestFeaturesMinKernel(t *testing.T) {
	for _, c := range []struct {
		f    Features
		want kernel.Version
	}{
		{0, kernel.Version{}},
		{FeatureEventFork, kernel.V(4, 11)},
		{FeatureEventFork | FeatureMove | FeatureWP, kernel.V(6, 8)},
		{FeatureMinorShmem, kernel.V(5, 14)},
		{1 << 40, kernel.Version{}},
	} {
		if got := c.f.MinKernel(); got != c.want {
			t.Errorf("%v: %v, want %v", c.f, got, c.want)
		}
	}
}

func FuzzParseFeatures(f *testing.F) {
	f.Add("UFFD_FEATURE_MOVE|0x100000")
	f.Add("0")
	f.Fuzz(func(t *testing.T, text string) {
		v, err := ParseFeatures(text)
		if err != nil {
			return
		}
		if back, err := ParseFeatures(v.String()); err != nil || back != v {
			t.Fatalf("%q -> %v -> %#x, %v", text, v, uint64(back), err)
		}
	})
}
