package seccomp

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/internal/thread"
	"github.com/lxgo/lx/kernel"
)

// mkdirPolicy fails mkdirat with EACCES for mode 0700, allows it for
// 0755, and fails it with EPERM otherwise; everything else is allowed.
func mkdirPolicy(t *testing.T) Program {
	t.Helper()
	arch, err := NativeArch()
	if err != nil {
		t.Skip(err)
	}
	mkdirat, err := arch.Lookup("mkdirat")
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{Arch: arch, Default: RetAllow, Rules: []Rule{
		{Syscall: mkdirat, Action: mustErrno(t, syscall.EACCES), Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: 0o777, Value: 0o700}}},
		{Syscall: mkdirat, Action: RetAllow, Conds: []Cond{{Arg: 2, Op: OpEqual, Value: 0o755}}},
		{Syscall: mkdirat, Action: mustErrno(t, syscall.EPERM)},
	}}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func mkdirErrno(t *testing.T, dir string, mode os.FileMode) error {
	t.Helper()
	return syscall.Mkdir(filepath.Join(dir, mode.String()), uint32(mode))
}

// TestInstall installs a filter on one thread of a child and checks the
// kernel's decisions there, and that another thread is not filtered.
func TestInstall(t *testing.T) {
	prog := mkdirPolicy(t)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		dir := t.TempDir()
		err := thread.Run(func(th *thread.Thread) error {
			th.Taint()
			if err := Install(prog, nil); err != nil {
				return err
			}
			for mode, want := range map[os.FileMode]error{0o700: syscall.EACCES, 0o755: nil, 0o750: syscall.EPERM} {
				if got := mkdirErrno(t, dir, mode); got != want {
					t.Errorf("filtered thread: mkdir mode %v = %v, want %v", mode, got, want)
				}
			}
			return nil
		})
		testutil.SkipIfUnsupported(t, err, kernel.V(3, 17))
		if err != nil {
			t.Fatal(err)
		}
		if err := mkdirErrno(t, dir, 0o711); err != nil {
			t.Errorf("another thread: mkdir = %v, want success", err)
		}
	})
}

// TestInstallAllThreads installs with TSYNC from one thread and checks
// that another thread is filtered.
func TestInstallAllThreads(t *testing.T) {
	prog := mkdirPolicy(t)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		dir := t.TempDir()
		err := thread.Run(func(th *thread.Thread) error {
			th.Taint()
			return Install(prog, &InstallOptions{AllThreads: true})
		})
		testutil.SkipIfUnsupported(t, err, kernel.V(3, 17))
		if err != nil {
			t.Fatal(err)
		}
		if got := mkdirErrno(t, dir, 0o750); got != syscall.EPERM {
			t.Errorf("another thread: mkdir = %v, want EPERM", got)
		}
		if got := mkdirErrno(t, dir, 0o755); got != nil {
			t.Errorf("another thread: mkdir 0755 = %v, want success", got)
		}
	})
}

// TestInstallSyncError gives one thread a filter of its own, then asks
// another for TSYNC: the kernel names the first thread.
func TestInstallSyncError(t *testing.T) {
	prog := mkdirPolicy(t)
	testutil.RunInChild(t, nil, func(t *testing.T) {
		ready, done, ended := make(chan int), make(chan struct{}), make(chan error)
		go func() {
			ended <- thread.Run(func(th *thread.Thread) error {
				th.Taint()
				if err := Install(prog, nil); err != nil {
					ready <- -1
					return err
				}
				ready <- th.TID()
				<-done
				return nil
			})
		}()
		tid := <-ready
		if tid < 0 {
			err := <-ended
			testutil.SkipIfUnsupported(t, err, kernel.V(3, 17))
			t.Fatal(err)
		}
		defer func() {
			close(done)
			if err := <-ended; err != nil {
				t.Error(err)
			}
		}()
		err := thread.Run(func(th *thread.Thread) error {
			th.Taint()
			return Install(prog, &InstallOptions{AllThreads: true})
		})
		var se *SyncError
		if !errors.As(err, &se) || se.TID != tid {
			t.Fatalf("Install with AllThreads = %v; want a SyncError naming thread %d", err, tid)
		}
	})
}

func TestInstallInvalid(t *testing.T) {
	// Checked before any system call: this process is not changed.
	for _, prog := range []Program{nil, make(Program, MaxInstructions+1)} {
		if err := Install(prog, nil); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Install(%d instructions) = %v", len(prog), err)
		}
	}
}

func TestActionAvailable(t *testing.T) {
	for _, a := range []Action{RetKillThread, RetTrap, retErrno | 5, RetTrace(1), RetAllow, RetKillProcess, RetLog, RetUserNotif} {
		ok, err := ActionAvailable(a)
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		running, verr := kernel.Running()
		if !ok && (a != RetUserNotif || verr == nil && running.AtLeast(kernel.V(5, 0))) {
			t.Errorf("ActionAvailable(%v) = false on %v", a, running)
		}
	}
	if ok, err := ActionAvailable(0x7ff80000); ok || err != nil {
		t.Errorf("ActionAvailable(unknown) = %v, %v", ok, err)
	}
}

// TestInstallActions checks more actions and 64-bit argument comparisons
// against the kernel, on lseek's 64-bit offset: log allows the call,
// trace without a tracer fails it with ENOSYS, errno fails it, and a
// value differing only in the high word is told apart.
func TestInstallActions(t *testing.T) {
	arch, err := NativeArch()
	if err != nil || !arch.Is64Bit() {
		t.Skip("lseek's offset is 64 bits only on a 64-bit architecture")
	}
	lseek, err := arch.Lookup("lseek")
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{Arch: arch, Default: RetAllow, Rules: []Rule{
		{Syscall: lseek, Action: RetLog, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 7}}},
		{Syscall: lseek, Action: mustErrno(t, syscall.EDOM), Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 1<<32 | 7}}},
		{Syscall: lseek, Action: RetTrace(1), Conds: []Cond{{Arg: 1, Op: OpGreater, Value: 1 << 40}}},
	}}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	testutil.RunInChild(t, nil, func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "seek")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fd := int(f.Fd())
		err = thread.Run(func(th *thread.Thread) error {
			th.Taint()
			if err := Install(prog, nil); err != nil {
				return err
			}
			for off, want := range map[int64]error{7: nil, 1<<32 | 7: syscall.EDOM, 1<<40 + 1: syscall.ENOSYS, 1 << 40: nil, 8: nil} {
				if _, got := syscall.Seek(fd, off, 0); got != want {
					t.Errorf("lseek to %#x = %v, want %v", off, got, want)
				}
			}
			return nil
		})
		testutil.SkipIfUnsupported(t, err, kernel.V(3, 17))
		if err != nil {
			t.Fatal(err)
		}
	})
}
