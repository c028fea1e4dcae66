package main

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"fanotify_mark /tmp/TestPreContentDenyErrno491402618/001/hsm: invalid argument",
			"fanotify_mark /tmp/TestPreContentDenyErrnoN/001/hsm: invalid argument"},
		{"not soft-dirty (present pfn=0x12eeb3 exclusive)", "not soft-dirty (present pfn=N exclusive)"},
		// A number that belongs to the reason stays.
		{"pidfd is on filesystem 0x9041934, not pidfs", "pidfd is on filesystem 0x9041934, not pidfs"},
		{"uid 65534 may not", "uid 65534 may not"},
		{"first line\nsecond", "first line"},
		{"a | b", `a \| b`},
	} {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
