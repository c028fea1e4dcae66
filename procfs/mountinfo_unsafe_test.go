package procfs

import (
	"testing"
	"unsafe"
)

// TestMountLineSize checks the size that the mountinfo memo's bound, in
// mountMemoMaxLines's comment, assumes.
func TestMountLineSize(t *testing.T) {
	if size := unsafe.Sizeof(mountLine{}); size > 152 {
		t.Errorf("a mountLine is %d bytes; the memo's bound assumes at most 152", size)
	}
}
