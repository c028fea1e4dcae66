package sys_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/sys"
)

// long is C's long, which _IOR(..., long) measures: pointer-sized on Linux.
const long = uint32(unsafe.Sizeof(uintptr(0)))

// ioctlCases pair an encoding with the C expression that should produce
// the same number from the 6.1 headers.
var ioctlCases = []struct {
	c   string
	got sys.IoctlReq
}{
	{"_IO(0, 0)", sys.IO(0, 0)},
	{"_IO(0xb7, 0x1)", sys.IO(0xb7, 0x1)},
	{"_IOR('f', 1, long)", sys.IOR('f', 1, long)},
	{"_IOW('f', 2, long)", sys.IOW('f', 2, long)},
	{"_IOWR(0xff, 0xff, char[16383])", sys.IOWR(0xff, 0xff, 16383)},
	{"_IOR(0x12, 0x80, char[1])", sys.IOR(0x12, 0x80, 1)},
	{"FS_IOC_GETFLAGS", sys.IOR('f', 1, long)},
	{"FS_IOC_SETFLAGS", sys.IOW('f', 2, long)},
	{"FS_IOC_FSGETXATTR", sys.IOR('X', 31, 28)}, // struct fsxattr
	{"NS_GET_USERNS", sys.IO(0xb7, 0x1)},
	{"NS_GET_PARENT", sys.IO(0xb7, 0x2)},
	{"NS_GET_OWNER_UID", sys.IO(0xb7, 0x4)},
	{"NS_GET_NSTYPE", sys.NS_GET_NSTYPE},
	// Newer than the 6.1 headers: the macros of include/uapi/linux/nsfs.h
	// (6.8, 6.12) spelled out, with struct mnt_ns_info's 16 bytes.
	{"_IOR(NSIO, 0x5, __u64)", sys.NS_GET_MNTNS_ID},
	{"_IOR(NSIO, 10, char[16])", sys.NS_MNT_GET_INFO},
	{"_IOR(NSIO, 11, char[16])", sys.NS_MNT_GET_NEXT},
	{"_IOR(NSIO, 12, char[16])", sys.NS_MNT_GET_PREV},
	{"SECCOMP_IOCTL_NOTIF_RECV", sys.IOWR('!', 0, 80)}, // struct seccomp_notif
	{"SECCOMP_IOCTL_NOTIF_SEND", sys.IOWR('!', 1, 24)}, // struct seccomp_notif_resp
	{"SECCOMP_IOCTL_NOTIF_ID_VALID", sys.IOW('!', 2, 8)},
	{"SECCOMP_IOCTL_NOTIF_ADDFD", sys.IOW('!', 3, 24)}, // struct seccomp_notif_addfd
	{"USERFAULTFD_IOC_NEW", sys.IO(0xaa, 0x00)},
	{"UFFDIO_API", sys.UffdioAPI},
	{"UFFDIO_REGISTER", sys.UffdioRegister},
	{"UFFDIO_UNREGISTER", sys.UffdioUnregister},
	{"UFFDIO_WAKE", sys.UffdioWake},
	{"UFFDIO_COPY", sys.UffdioCopy},
	{"UFFDIO_ZEROPAGE", sys.UffdioZeropage},
	{"UFFDIO_WRITEPROTECT", sys.UffdioWriteprotect},
	{"UFFDIO_CONTINUE", sys.UffdioContinue},
	// Newer than the 6.1 headers (6.6, 6.8): struct uffdio_poison is 32
	// bytes, struct uffdio_move 40.
	{"_IOWR(UFFDIO, 0x08, char[32])", sys.UffdioPoison},
	{"_IOWR(UFFDIO, 0x05, char[40])", sys.UffdioMove},
}

// TestIoctlEncodingMatchesC compiles the C macros of <linux/ioctl.h> and
// real request macros from the installed headers, and compares.
func TestIoctlEncodingMatchesC(t *testing.T) {
	gcc := cCompiler(t)
	var src strings.Builder
	src.WriteString("#include <stdio.h>\n#include <linux/ioctl.h>\n#include <linux/fs.h>\n" +
		"#include <linux/nsfs.h>\n#include <linux/seccomp.h>\n#include <linux/userfaultfd.h>\n\nint main(void) {\n")
	for i, c := range ioctlCases {
		fmt.Fprintf(&src, "\tprintf(\"%d %%lu\\n\", (unsigned long)(%s));\n", i, c.c)
	}
	src.WriteString("\treturn 0;\n}\n")
	dir := t.TempDir()
	cfile, exe := filepath.Join(dir, "ioctl.c"), filepath.Join(dir, "ioctl")
	if err := os.WriteFile(cfile, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, gcc[1:]...), "-Werror=implicit-function-declaration", "-o", exe, cfile)
	if out, err := exec.Command(gcc[0], args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s\n%s", err, out, src.String())
	}
	out, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		var i int
		var want uint64
		if _, err := fmt.Sscanf(s.Text(), "%d %d", &i, &want); err != nil || i < 0 || i >= len(ioctlCases) {
			t.Fatalf("bad line %q", s.Text())
		}
		seen++
		if c := ioctlCases[i]; uint64(c.got) != want {
			t.Errorf("%s = %#x in C, Go encodes %#x", c.c, want, uint32(c.got))
		}
	}
	if seen != len(ioctlCases) {
		t.Errorf("C program printed %d values, want %d", seen, len(ioctlCases))
	}
}

// TestIoctlEncodingMatchesXSys compares with x/sys's generated constants,
// which hold on every architecture lx builds for.
func TestIoctlEncodingMatchesXSys(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"FS_IOC_GETFLAGS", uint64(sys.IOR('f', 1, long)), uint64(uint32(unix.FS_IOC_GETFLAGS))},
		{"FS_IOC_SETFLAGS", uint64(sys.IOW('f', 2, long)), uint64(uint32(unix.FS_IOC_SETFLAGS))},
		{"NS_GET_USERNS", uint64(sys.IO(0xb7, 1)), uint64(unix.NS_GET_USERNS)},
		{"SECCOMP_IOCTL_NOTIF_RECV", uint64(sys.IOWR('!', 0, 80)), uint64(uint32(unix.SECCOMP_IOCTL_NOTIF_RECV))},
		{"SECCOMP_IOCTL_NOTIF_ID_VALID", uint64(sys.IOW('!', 2, 8)), uint64(unix.SECCOMP_IOCTL_NOTIF_ID_VALID)},
		{"PIDFD_GET_INFO", uint64(sys.IOWR(0xff, 11, 88)), uint64(unix.PIDFD_GET_INFO)},
		{"PIDFD_GET_NET_NAMESPACE", uint64(sys.IO(0xff, 4)), uint64(sys.PIDFD_GET_NET_NAMESPACE)},
		{"RNDGETENTCNT", uint64(sys.IOR('R', 0, 4)), uint64(uint32(unix.RNDGETENTCNT))},
		{"TIOCGPTPEER", uint64(sys.IO('T', 0x41)), uint64(unix.TIOCGPTPEER)},
	} {
		if c.got != c.want {
			t.Errorf("%s: encoded %#x, x/sys has %#x", c.name, c.got, c.want)
		}
	}
}

func TestIoctlDecode(t *testing.T) {
	for _, c := range []struct {
		req                sys.IoctlReq
		dir, typ, nr, size uint32
	}{
		{sys.IO(0xb7, 1), 0, 0xb7, 1, 0},
		{sys.IOW('!', 2, 8), 1, '!', 2, 8},
		{sys.IOR('f', 1, 8), 2, 'f', 1, 8},
		{sys.IOWR(0xff, 0xff, 1<<14-1), 3, 0xff, 0xff, 1<<14 - 1},
	} {
		if c.req.Dir() != c.dir || c.req.Type() != c.typ || c.req.Nr() != c.nr || c.req.Size() != c.size {
			t.Errorf("%#x decodes to dir %d type %#x nr %#x size %d, want %d %#x %#x %d",
				uint32(c.req), c.req.Dir(), c.req.Type(), c.req.Nr(), c.req.Size(), c.dir, c.typ, c.nr, c.size)
		}
	}
}

func TestIoctlSizeTooLargePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("IOR with a 16 KiB argument did not panic")
		}
	}()
	sys.IOR('x', 1, 1<<14)
}

// cCompiler returns gcc and the flags that make it compile for GOARCH, or
// skips the test.
func cCompiler(t *testing.T) []string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found")
	}
	out, err := exec.Command(gcc, "-dumpmachine").Output()
	if err != nil {
		t.Skipf("gcc -dumpmachine: %v", err)
	}
	machine, _, _ := strings.Cut(strings.TrimSpace(string(out)), "-")
	native := map[string]string{"x86_64": "amd64", "aarch64": "arm64", "riscv64": "riscv64", "i686": "386", "i386": "386"}[machine]
	switch {
	case native == runtime.GOARCH:
		return []string{gcc}
	case native == "amd64" && runtime.GOARCH == "386":
		probe := exec.Command(gcc, "-m32", "-x", "c", "-o", os.DevNull, "-")
		probe.Stdin = strings.NewReader("int main(void){return 0;}\n")
		if probe.Run() == nil {
			return []string{gcc, "-m32"}
		}
	}
	t.Skipf("gcc targets %s, not GOARCH=%s", machine, runtime.GOARCH)
	return nil
}
