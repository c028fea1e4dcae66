// Package kernel is lx's small public vocabulary about the running kernel:
// its Version and the *FeatureError every lx package returns when the kernel
// lacks an interface.
package kernel

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/lxgo/lx/internal/sys"
)

// Version is a kernel release as major.minor.patch. Versions compare with
// Compare or AtLeast; the zero Version means "unknown".
type Version struct {
	Major, Minor, Patch int
}

// V is shorthand for Version{major, minor, 0}, for minimum-kernel constants.
func V(major, minor int) Version { return Version{Major: major, Minor: minor} }

// ParseVersion parses the leading "major.minor[.patch]" of a release string
// such as "6.18.44-fc-v669" or "6.1.0-56-amd64". Anything after the numbers
// is ignored.
func ParseVersion(s string) (Version, error) {
	var parts [3]int
	n := 0
	i := 0
	for n < 3 {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			break
		}
		v, err := strconv.Atoi(s[i:j])
		if err != nil {
			return Version{}, fmt.Errorf("kernel version %q: %w", s, err)
		}
		parts[n] = v
		n++
		i = j
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		break
	}
	if n < 2 {
		return Version{}, fmt.Errorf("kernel version %q: want major.minor", s)
	}
	return Version{parts[0], parts[1], parts[2]}, nil
}

// String formats v as "major.minor" or "major.minor.patch".
func (v Version) String() string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	switch {
	case v.Major != w.Major:
		return cmp(v.Major, w.Major)
	case v.Minor != w.Minor:
		return cmp(v.Minor, w.Minor)
	default:
		return cmp(v.Patch, w.Patch)
	}
}

func cmp(a, b int) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// AtLeast reports whether v is min or newer.
func (v Version) AtLeast(min Version) bool { return v.Compare(min) >= 0 }

// IsZero reports whether v is the unknown version.
func (v Version) IsZero() bool { return v == Version{} }

var running = sync.OnceValues(func() (Version, error) {
	u, err := sys.Uname()
	if err != nil {
		return Version{}, err
	}
	return ParseVersion(u.Release)
})

// Running returns the version of the running kernel, from uname(2). lx does
// not use it to decide what to call (it probes instead); it is for reports
// and for tests that must know whether a skip is legitimate.
func Running() (Version, error) { return running() }

// Release returns the full release string from uname(2), such as
// "6.18.44-fc-v669".
func Release() (string, error) {
	u, err := sys.Uname()
	return u.Release, err
}
