package cgroup

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		helper(mode) // a child the tests started; never returns
	}
	testutil.Main(m)
}

// helperEnv makes the test binary a helper process instead of running
// tests: "alloc:N" waits for a byte on standard input, then allocates and
// touches N bytes and sleeps until killed. The tests start it directly
// inside a cgroup.
const helperEnv = "LX_CGROUP_TEST_HELPER"

func helper(mode string) {
	if n, ok := cutPrefixString(mode, "alloc:"); ok {
		size, err := strconv.Atoi(n)
		if err != nil {
			os.Exit(2)
		}
		var go1 [1]byte
		if _, err := os.Stdin.Read(go1[:]); err != nil {
			os.Exit(3)
		}
		var keep [][]byte
		for size > 0 {
			chunk := make([]byte, min(size, 1<<20))
			for i := 0; i < len(chunk); i += 4096 {
				chunk[i] = 1
			}
			keep = append(keep, chunk)
			size -= len(chunk)
		}
		os.Stdout.WriteString("allocated\n")
		for {
			time.Sleep(time.Hour)
			keep[0][0]++
		}
	}
	os.Exit(2)
}

func cutPrefixString(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}
