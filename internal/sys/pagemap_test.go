package sys

import "testing"

// The empty scan is what the feature probe runs: the running kernel (6.7
// or later, or ENOTTY) must accept it.
func TestProbePagemapScan(t *testing.T) {
	err := ProbePagemapScan()
	if err != nil && Errno(err) != ENOTTY {
		t.Fatalf("ProbePagemapScan = %v, want nil or ENOTTY", err)
	}
	t.Logf("PAGEMAP_SCAN: %v", err)
}
