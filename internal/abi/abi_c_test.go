package abi_test

// The size/offset harness of package abi. Each struct's test describes the
// Go layout (unsafe.Sizeof and unsafe.Offsetof of every field) next to the C
// names, and calls checkLayouts:
//
//	var s abi.SeccompNotifSizes
//	checkLayouts(t, layout{
//		Header: "linux/seccomp.h",
//		C:      "struct seccomp_notif_sizes",
//		Size:   unsafe.Sizeof(s),
//		Fields: []field{
//			{C: "seccomp_notif", Offset: unsafe.Offsetof(s.Notif)},
//			...
//		},
//	})
//
// For a struct the installed headers have, checkLayouts writes a C program
// that prints sizeof and offsetof for it, compiles it with gcc for the
// architecture under test, runs it and compares. Without a usable gcc that
// part skips.
//
// A struct newer than the installed headers (linux-libc-dev 6.1) sets
// Upstream to the header and kernel version it was copied from, PinnedSize,
// and each field's Pinned offset; checkLayouts then compares Go with those
// values and needs no compiler.
//
// checkConstants does the same for integer macros and enum values.

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
)

// layout is the Go side of one C struct.
type layout struct {
	Header string  // uapi header as #include'd: "linux/seccomp.h"
	C      string  // C type: "struct seccomp_notif_sizes"
	Size   uintptr // unsafe.Sizeof of the Go type
	Fields []field // the fields to compare, usually all of them

	// Upstream pins a struct the installed headers lack: it cites the
	// upstream header and kernel version ("include/uapi/linux/mount.h,
	// Linux 6.8"), and PinnedSize and every field's Pinned offset are
	// the values of that header.
	Upstream   string
	PinnedSize uintptr
}

// field is one struct member.
type field struct {
	C      string  // member designator for offsetof: "mask", "sq_off.head"
	Offset uintptr // unsafe.Offsetof of the Go field
	Pinned uintptr // the upstream offset, for a pinned layout
}

// constant is one integer macro or enum value of an installed header.
type constant struct {
	Header string // "linux/userfaultfd.h"
	C      string // "USERFAULTFD_IOC_NEW"
	Go     uint64 // the Go constant's value
}

// checkLayouts compares every layout with C or with its pinned values.
func checkLayouts(t *testing.T, layouts ...layout) {
	t.Helper()
	var compiled []layout
	for _, l := range layouts {
		if l.Upstream == "" {
			compiled = append(compiled, l)
			continue
		}
		if l.Size != l.PinnedSize {
			t.Errorf("%s: Go size %d, upstream (%s) %d", l.C, l.Size, l.Upstream, l.PinnedSize)
		}
		for _, f := range l.Fields {
			if f.Offset != f.Pinned {
				t.Errorf("%s.%s: Go offset %d, upstream (%s) %d", l.C, f.C, f.Offset, l.Upstream, f.Pinned)
			}
		}
	}
	if len(compiled) == 0 {
		return
	}
	var src strings.Builder
	for i, l := range compiled {
		fmt.Fprintf(&src, "\tprintf(\"%d size %%zu\\n\", sizeof(%s));\n", i, l.C)
		for j, f := range l.Fields {
			fmt.Fprintf(&src, "\tprintf(\"%d off %d %%zu\\n\", offsetof(%s, %s));\n", i, j, l.C, f.C)
		}
	}
	headers := make([]string, len(compiled))
	for i, l := range compiled {
		headers[i] = l.Header
	}
	for _, line := range runC(t, headers, src.String()) {
		var i, j int
		var v uint64
		var what string
		if _, err := fmt.Sscan(line, &i, &what); err != nil || i < 0 || i >= len(compiled) {
			t.Fatalf("bad output line %q", line)
		}
		l := compiled[i]
		switch what {
		case "size":
			if _, err := fmt.Sscanf(line, "%d size %d", &i, &v); err != nil {
				t.Fatalf("bad output line %q", line)
			}
			if uint64(l.Size) != v {
				t.Errorf("sizeof(%s): Go %d, C %d (<%s>)", l.C, l.Size, v, l.Header)
			}
		case "off":
			if _, err := fmt.Sscanf(line, "%d off %d %d", &i, &j, &v); err != nil || j < 0 || j >= len(l.Fields) {
				t.Fatalf("bad output line %q", line)
			}
			if f := l.Fields[j]; uint64(f.Offset) != v {
				t.Errorf("offsetof(%s, %s): Go %d, C %d (<%s>)", l.C, f.C, f.Offset, v, l.Header)
			}
		default:
			t.Fatalf("bad output line %q", line)
		}
	}
}

// checkConstants compares Go constants with the installed headers' values.
func checkConstants(t *testing.T, consts ...constant) {
	t.Helper()
	var src strings.Builder
	headers := make([]string, len(consts))
	for i, c := range consts {
		headers[i] = c.Header
		fmt.Fprintf(&src, "\tprintf(\"%d %%llu\\n\", (unsigned long long)(%s));\n", i, c.C)
	}
	for _, line := range runC(t, headers, src.String()) {
		var i int
		var v uint64
		if _, err := fmt.Sscanf(line, "%d %d", &i, &v); err != nil || i < 0 || i >= len(consts) {
			t.Fatalf("bad output line %q", line)
		}
		if c := consts[i]; c.Go != v {
			t.Errorf("%s: Go %#x, C %#x (<%s>)", c.C, c.Go, v, c.Header)
		}
	}
}

// runC compiles a main function whose body is body, with headers
// included, for the architecture under test, runs it and returns its
// output lines. It skips the test when there is no compiler for that
// architecture.
func runC(t *testing.T, headers []string, body string) []string {
	t.Helper()
	ccArgs := cCompiler(t)
	var src strings.Builder
	src.WriteString("#include <stddef.h>\n#include <stdio.h>\n#include <linux/ioctl.h>\n")
	seen := map[string]bool{}
	for _, h := range headers {
		if !seen[h] {
			seen[h] = true
			fmt.Fprintf(&src, "#include <%s>\n", h)
		}
	}
	fmt.Fprintf(&src, "\nint main(void) {\n%s\treturn 0;\n}\n", body)
	dir := t.TempDir()
	cfile, exe := filepath.Join(dir, "layout.c"), filepath.Join(dir, "layout")
	if err := os.WriteFile(cfile, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, ccArgs[1:]...), "-std=gnu11", "-Werror=implicit-function-declaration", "-o", exe, cfile)
	if out, err := exec.Command(ccArgs[0], args...).CombinedOutput(); err != nil {
		t.Fatalf("compiling:\n%s\n%v\n%s", src.String(), err, out)
	}
	out, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatalf("running the C program: %v", err)
	}
	var lines []string
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	if len(lines) == 0 {
		t.Fatal("the C program printed nothing")
	}
	return lines
}

// cCompiler returns gcc and the flags that make it compile for GOARCH, or
// skips the test.
func cCompiler(t *testing.T) []string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not found: C layout comparison skipped")
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
		// Multilib may be missing; try it before relying on it.
		probe := exec.Command(gcc, "-m32", "-x", "c", "-o", os.DevNull, "-")
		probe.Stdin = strings.NewReader("#include <stdio.h>\nint main(void){return 0;}\n")
		if probe.Run() == nil {
			return []string{gcc, "-m32"}
		}
	}
	t.Skipf("gcc targets %s, not GOARCH=%s: C layout comparison skipped", machine, runtime.GOARCH)
	return nil
}
