package cgroup

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
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
// touches N bytes and sleeps until killed; "read:N:PATH" reads N blocks
// of the block device PATH (readDirect) and exits. The tests start it
// directly inside a cgroup.
const helperEnv = "LX_CGROUP_TEST_HELPER"

func helper(mode string) {
	if arg, ok := cutPrefixString(mode, "read:"); ok {
		os.Exit(readDirect(arg))
	}
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

// readDirectBlock is the size of readDirect's reads: brd's page-sized
// physical block, a multiple of every block device's logical block size.
const readDirectBlock = 4096

// readDirect reads N blocks of readDirectBlock bytes from the start of the
// block device PATH (arg "N:PATH") with O_DIRECT, so that each read is one
// bio that reaches the device and its cgroup's io controller instead of the
// page cache, prints how many nanoseconds the reads took, and returns the
// exit status.
func readDirect(arg string) int {
	n, path, _ := strings.Cut(arg, ":")
	count, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_DIRECT, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	// O_DIRECT needs an aligned buffer; a mapping is page-aligned.
	buf, err := syscall.Mmap(-1, 0, readDirectBlock, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	for i := range count {
		if _, err := f.ReadAt(buf, int64(i)*readDirectBlock); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println(time.Since(start).Nanoseconds())
	return 0
}

func cutPrefixString(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}
