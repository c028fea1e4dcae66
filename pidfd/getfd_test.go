package pidfd

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestGetfd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("/bin/sleep", "1000")
	cmd.Stdout = w // the child's fd 1 is the pipe's write end
	_, c := startCmd(t, cmd)
	w.Close()

	dup, err := c.Getfd(1)
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 6))
		t.Fatal(err)
	}
	defer dup.Close()
	// Close-on-exec, and the same pipe.
	rc, err := dup.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var info []byte
	rc.Control(func(fd uintptr) { info, err = os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(int(fd))) })
	if err != nil {
		t.Fatal(err)
	}
	flags := ""
	for l := range strings.Lines(string(info)) {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			flags = strings.TrimSpace(v)
		}
	}
	if !flagsHave(t, flags, syscall.O_CLOEXEC) {
		t.Errorf("duplicate flags %s lack O_CLOEXEC", flags)
	}
	if _, err := dup.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	dup.Close()
	c.Kill()
	wait(t, c)
	// Both writers are gone now: read to EOF.
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "hello" {
		t.Errorf("read %q, %v; want hello", got, err)
	}

	if _, err := c.Getfd(-1); err == nil {
		t.Error("Getfd(-1) succeeded")
	}
}

func TestGetfdBadFD(t *testing.T) {
	_, c := sleeper(t)
	if _, err := c.Getfd(1000); !errors.Is(err, syscall.EBADF) {
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 6))
		t.Errorf("Getfd(1000) = %v, want EBADF", err)
	}
}
