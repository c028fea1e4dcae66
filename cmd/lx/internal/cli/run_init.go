package cli

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"syscall"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/seccomp"
)

// runInitName is the argv[0] with which lx run starts lx as the
// sandbox's init. It is recognised in an init function, before main, so
// that any program built with this package (lx, and the CLI's test
// binary) becomes the init, and the init is no command of lx's: a
// user cannot start it by name.
const runInitName = "lx-run-init"

// The init's fds besides 0-2, given by lx run (spawn's ExtraFiles).
const (
	runProgFD = 3 // the seccomp program, struct sock_filter[]; empty for none
	runExeFD  = 4 // lx's executable, which the init was started from
)

func init() {
	if len(os.Args) > 0 && os.Args[0] == runInitName && isRunInitFD() {
		os.Exit(runInit(os.Args[1:]))
	}
}

// isRunInitFD reports whether fd 4 is this program's executable, as lx
// run leaves it to the init.
func isRunInitFD() bool {
	var a, b syscall.Stat_t
	if syscall.Fstat(runExeFD, &a) != nil || syscall.Stat("/proc/self/exe", &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

// runInit sets the sandbox up from inside and execs the command: it
// returns only on failure, with lx run's exit code. It runs as uid 0 of
// the sandbox's new user namespace, with every capability there.
func runInit(args []string) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(os.Stderr, "lx run: "+format+"\n", a...)
		return code
	}
	flags := flag.NewFlagSet(runInitName, flag.ContinueOnError)
	mountProc := flags.Bool("proc", false, "")
	var rules []string
	flags.Var(runFlagList{&rules}, "landlock", "")
	capsHex := flags.String("caps", "0", "")
	uid := flags.Uint("uid", 0, "")
	gid := flags.Uint("gid", 0, "")
	if err := flags.Parse(args); err != nil || flags.NArg() < 2 {
		return fail(ExitCannotRun, "init: bad arguments %q", args)
	}
	path, argv := flags.Arg(0), flags.Args()[1:]
	syscall.CloseOnExec(runExeFD)

	// Everything from here on, up to the exec, is on this thread: the
	// capability state and the Landlock domain are the thread's, and the
	// exec keeps the calling thread's.
	runtime.LockOSThread()

	prog, err := runReadProgram(os.NewFile(runProgFD, "seccomp program"))
	if err != nil {
		return fail(ExitCannotRun, "init: seccomp program: %v", err)
	}
	if *mountProc {
		// The mounts are the new mount namespace's; keep what follows
		// from propagating out, then show the new PID namespace's
		// processes in /proc.
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			return fail(ExitCannotRun, "init: make the mounts private: %v", err)
		}
		if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
			return fail(ExitCannotRun, "init: mount /proc: %v", err)
		}
	}
	if len(rules) > 0 {
		pathRules, err := runParseLandlock(rules)
		if err != nil {
			return fail(ExitCannotRun, "init: %v", err)
		}
		rs, err := landlock.New(runLandlockOptions(pathRules))
		if err != nil {
			return fail(ExitCannotRun, "init: landlock: %v", err)
		}
		err = rs.RestrictThread()
		rs.Close()
		if err != nil {
			return fail(ExitCannotRun, "init: landlock: %v", err)
		}
	}
	keep, err := capability.ParseHex(*capsHex)
	if err != nil {
		return fail(ExitCannotRun, "init: -caps: %v", err)
	}
	if err := runLockCapabilities(keep); err != nil {
		return fail(ExitCannotRun, "init: drop capabilities: %v", err)
	}
	// The ids change with the capabilities still effective, which
	// SECBIT_NO_SETUID_FIXUP (set above) keeps over the change; the
	// standard library's setters act on every thread.
	if *gid != 0 {
		if err := syscall.Setresgid(int(*gid), int(*gid), int(*gid)); err != nil {
			return fail(ExitCannotRun, "init: gid %d: %v", *gid, err)
		}
	}
	if *uid != 0 {
		if err := syscall.Setresuid(int(*uid), int(*uid), int(*uid)); err != nil {
			return fail(ExitCannotRun, "init: uid %d: %v", *uid, err)
		}
	}
	if err := capability.SetState(capability.ThreadScope, capability.State{Effective: keep, Permitted: keep, Inheritable: keep}); err != nil {
		return fail(ExitCannotRun, "init: drop capabilities: %v", err)
	}
	if keep != 0 {
		// Ambient: what the command keeps over its execve(2), as uid 0
		// with SECBIT_NOROOT or as another uid.
		if err := capability.RaiseAmbient(capability.ThreadScope, keep); err != nil {
			return fail(ExitCannotRun, "init: ambient capabilities: %v", err)
		}
	}
	if len(prog) > 0 {
		if err := seccomp.Install(prog, &seccomp.InstallOptions{AllThreads: true}); err != nil {
			return fail(ExitCannotRun, "init: seccomp: %v", err)
		}
	}
	err = syscall.Exec(path, argv, os.Environ())
	code := ExitCannotExec
	if errors.Is(err, fs.ErrNotExist) {
		code = ExitNotFound
	}
	return fail(code, "exec %s: %v", quoteArg(path), err)
}

// runLockCapabilities keeps the calling thread from getting any capability
// but keep after an execve(2): securebits that stop uid 0 from getting
// capabilities at exec (locked), no ambient set, keep as the bounding
// set, and, with nothing to keep, no raising of ambient capabilities.
// What it has stays effective until the caller sets its sets.
func runLockCapabilities(keep capability.Set) error {
	bits := capability.SecbitNoRoot | capability.SecbitNoRootLocked |
		capability.SecbitNoSetuidFixup | capability.SecbitNoSetuidFixupLocked |
		capability.SecbitKeepCapsLocked
	if keep == 0 {
		bits |= capability.SecbitNoCapAmbientRaise | capability.SecbitNoCapAmbientRaiseLocked
	}
	if err := capability.SetSecurebits(capability.ThreadScope, bits); err != nil {
		return err
	}
	full, err := capability.Full()
	if err != nil {
		return err
	}
	if err := capability.ClearAmbient(capability.ThreadScope); err != nil {
		return err
	}
	return capability.DropBound(capability.ThreadScope, full&^keep)
}

// runReadProgram reads the program lx run wrote to f and closes f.
func runReadProgram(f *os.File) (seccomp.Program, error) {
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 8*seccomp.MaxInstructions+1))
	if err != nil {
		return nil, err
	}
	if len(b)%8 != 0 || len(b) > 8*seccomp.MaxInstructions {
		return nil, fmt.Errorf("%d bytes: not a program", len(b))
	}
	prog := make(seccomp.Program, len(b)/8)
	for i := range prog {
		ins := b[8*i:]
		prog[i] = seccomp.Instruction{Op: binary.NativeEndian.Uint16(ins), Jt: ins[2], Jf: ins[3], K: binary.NativeEndian.Uint32(ins[4:])}
	}
	return prog, nil
}
