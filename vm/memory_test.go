package vm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// memChildEnv makes the test binary run memChild instead of the tests.
const memChildEnv = "LX_VM_TEST_MEM_CHILD"

// memChild maps two pages followed by an unmapped one, fills them with
// pattern, prints their address and waits for its stdin to close.
func memChild() int {
	r, err := Map(3*pagesize, nil)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	addr := r.Addr()
	r.Close()
	r, err = Map(2*pagesize, &MapOptions{Addr: addr})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	for i := range r.Bytes() {
		r.Bytes()[i] = pattern(i)
	}
	fmt.Printf("%x\n", addr)
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func pattern(i int) byte { return byte(i*7 + i>>12) }

// memTarget is a running memChild.
type memTarget struct {
	cmd  *exec.Cmd
	addr uintptr
	in   io.Closer
}

func startMemChild(t *testing.T) *memTarget {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), memChildEnv+"=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &memTarget{cmd: cmd, in: in}
	t.Cleanup(c.stop)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	a, err := strconv.ParseUint(strings.TrimSpace(line), 16, 64)
	if err != nil {
		t.Fatalf("child said %q", line)
	}
	c.addr = uintptr(a)
	return c
}

func (c *memTarget) stop() {
	c.in.Close()
	c.cmd.Wait()
}

func TestMemory(t *testing.T) {
	for _, path := range []string{"process_vm", "proc_mem"} {
		t.Run(path, func(t *testing.T) {
			c := startMemChild(t)
			pid := c.cmd.Process.Pid
			m, err := OpenMemory(pid, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if path == "proc_mem" {
				if _, err := m.openFile(errors.New("test")); err != nil {
					t.Fatal(err)
				}
			}
			testMemory(t, m, c.addr)
		})
	}
}

func testMemory(t *testing.T, m *Memory, addr uintptr) {
	ps := pagesize
	buf := make([]byte, 2*ps)
	if n, err := m.ReadAt(buf, int64(addr)); err != nil || n != len(buf) {
		t.Fatalf("ReadAt two mapped pages = %d, %v", n, err)
	}
	for i, b := range buf {
		if b != pattern(i) {
			t.Fatalf("byte %d = %d, want %d", i, b, pattern(i))
		}
	}
	// A read that runs into the unmapped third page: the bytes before it,
	// then an error naming it.
	n, err := m.ReadAt(buf, int64(addr)+int64(ps)+100)
	var ae *AddrError
	if n != ps-100 || !errors.As(err, &ae) || ae.Addr != addr+uintptr(2*ps) || !errors.Is(err, syscall.EFAULT) || ae.Op != "read" {
		t.Fatalf("ReadAt across the end = %d, %v; want %d and an AddrError at %#x", n, err, ps-100, addr+uintptr(2*ps))
	}
	if !bytes.Equal(buf[:n], bytesOf(ps+100, n)) {
		t.Fatal("short read returned wrong bytes")
	}
	if !strings.Contains(err.Error(), strconv.FormatUint(uint64(addr)+uint64(2*ps), 16)) {
		t.Errorf("error %q does not name the address", err)
	}
	if n, err := m.ReadAt(buf[:10], int64(addr)+int64(2*ps)); n != 0 || !errors.Is(err, syscall.EFAULT) {
		t.Fatalf("ReadAt of the unmapped page = %d, %v", n, err)
	}
	// Writes, read back.
	if n, err := m.WriteAt([]byte("hello, child"), int64(addr)+10); err != nil || n != 12 {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	got := make([]byte, 12)
	if _, err := m.ReadAt(got, int64(addr)+10); err != nil || string(got) != "hello, child" {
		t.Fatalf("read back %q, %v", got, err)
	}
	n, err = m.WriteAt(make([]byte, 200), int64(addr)+int64(2*ps)-100)
	if n != 100 || !errors.As(err, &ae) || ae.Op != "write" || ae.Addr != addr+uintptr(2*ps) {
		t.Fatalf("WriteAt across the end = %d, %v", n, err)
	}
	if _, err := m.ReadAt(buf[:1], -1); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("ReadAt(-1) = %v", err)
	}
	if n, err := m.ReadAt(nil, int64(addr)); n != 0 || err != nil {
		t.Fatalf("empty ReadAt = %d, %v", n, err)
	}
}

func bytesOf(from, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = pattern(from + i)
	}
	return b
}

// A pidfd anchors the memory and the pagemap of another process; once it
// has exited, both say so.
func TestMemoryPidFD(t *testing.T) {
	c := startMemChild(t)
	pid := c.cmd.Process.Pid
	fd, err := sys.PidfdOpen(pid, 0)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 3))
		t.Fatal(err)
	}
	pidfd := fd.File("pidfd")
	defer pidfd.Close()
	m, err := OpenMemory(pid, &MemoryOptions{PidFD: pidfd})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf := make([]byte, 16)
	if _, err := m.ReadAt(buf, int64(c.addr)); err != nil || !bytes.Equal(buf, bytesOf(0, 16)) {
		t.Fatalf("anchored ReadAt = %v, %v", buf, err)
	}
	pm, err := OpenPagemap(pid, &PagemapOptions{PidFD: pidfd})
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	entries := make([]Entry, 3)
	if _, err := pm.Read(c.addr, entries); err != nil {
		t.Fatal(err)
	}
	if !entries[0].Present() || !entries[1].Present() || entries[2] != 0 {
		t.Errorf("child's pages: %v", entries)
	}
	c.stop()
	if _, err := m.ReadAt(buf, int64(c.addr)); err == nil {
		t.Fatal("ReadAt of an exited process succeeded")
	}
	if _, err := OpenMemory(pid, &MemoryOptions{PidFD: pidfd}); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("OpenMemory of an exited process = %v, want os.ErrProcessDone", err)
	}
	if _, err := OpenPagemap(pid, &PagemapOptions{PidFD: pidfd}); err == nil {
		t.Errorf("OpenPagemap of an exited process succeeded")
	}
}

func TestMemoryBadPID(t *testing.T) {
	pids := []int{0, -5}
	if strconv.IntSize == 64 {
		one := 1
		pids = append(pids, one<<33) // beyond any pid, on 64-bit
	}
	for _, pid := range pids {
		if _, err := OpenMemory(pid, nil); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "pid") {
			t.Errorf("OpenMemory(%d) = %v", pid, err)
		}
	}
}
