package spawn

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/seccomp"
)

// A seccomp filter cannot be loaded on the forking thread the way
// capabilities and a Landlock ruleset are: it would filter the rest of
// the fork path (clone3(2), which Docker's profile answers with ENOSYS,
// the standard library's child code) and, worse, whatever the Go runtime
// does on that thread until it is thrown away (futex(2), mmap(2)), where
// a refusal kills or wedges the caller. So a Command with Seccomp starts
// the calling program itself again (/proc/self/exe) as a helper: this
// package's init function recognises it by its argv[0] and its
// environment entry, loads the filter on its own locked thread and
// execve(2)s Path, which inherits the filter. The helper is a new
// program, not Go code in a forked child; it runs no main and no other
// package's work beyond their init functions.
const (
	// seccompHelperName is the helper's argv[0]; argv[1] is Path,
	// argv[2:] the Command's Args.
	seccompHelperName = "lx-spawn-seccomp"
	// seccompEnv is the helper's environment entry: "FD,PROGRAM", the
	// helper's status fd and the filter in base64 (struct sock_filter
	// in native byte order). The helper removes it before the exec.
	seccompEnv = "LX_SPAWN_SECCOMP"
)

// The helper's stages, the first byte of a failure it reports on its
// status pipe; the next four are the errno (native order), then text.
const (
	seccompStageInstall = 'i'
	seccompStageExec    = 'x'
)

// prepareSeccomp checks the filter, and has the child start as the
// helper that loads it and runs Path. It comes after every other
// preparation: it rewrites the program, the arguments and the
// environment the fork path sees.
func (p *plan) prepareSeccomp(c *Command) error {
	prog := c.Seccomp
	if prog == nil {
		return nil
	}
	if len(prog) == 0 || len(prog) > seccomp.MaxInstructions {
		return fmt.Errorf("seccomp filter: %d instructions, not 1..%d: %w", len(prog), seccomp.MaxInstructions, fs.ErrInvalid)
	}
	// The filter must let the helper exec Path; a filter that does not
	// would kill or fail every start, after the fork.
	arch, err := seccomp.NativeArch()
	if err != nil {
		return fmt.Errorf("seccomp filter: %w", err)
	}
	nr, err := arch.Lookup("execve")
	if err != nil {
		return fmt.Errorf("seccomp filter: %w", err)
	}
	act, err := prog.Run(seccomp.Data{Nr: nr, Arch: arch})
	if err != nil {
		return fmt.Errorf("seccomp filter: %w", err)
	}
	if k := act.Kind(); k != seccomp.RetAllow && k != seccomp.RetLog {
		return fmt.Errorf("seccomp filter: execve(2) gets %v, so the program could never start: %w", act, fs.ErrInvalid)
	}
	b := make([]byte, 8*len(prog))
	for i, in := range prog {
		binary.NativeEndian.PutUint16(b[8*i:], in.Op)
		b[8*i+2], b[8*i+3] = in.Jt, in.Jf
		binary.NativeEndian.PutUint32(b[8*i+4:], in.K)
	}
	// The status fd is the first after the child's files.
	status := len(p.files)
	p.env = append(withoutSeccompEnv(p.env), seccompEnv+"="+strconv.Itoa(status)+","+base64.StdEncoding.EncodeToString(b))
	p.argv = append([]string{seccompHelperName, p.path}, p.argv...)
	p.seccomp = true
	return nil
}

// seccompHelperPath is what the fork executes for a Command with
// Seccomp: the running program, which becomes the helper.
const seccompHelperPath = "/proc/self/exe"

// seccompPipe returns the pipe on which the helper reports a failure,
// close-on-exec on both ends; the fork hands the write end to the
// helper after the child's files.
func seccompPipe() (r, w int, err error) {
	var fds [2]int
	for {
		err = syscall.Pipe2(fds[:], syscall.O_CLOEXEC)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return -1, -1, os.NewSyscallError("pipe2", err)
	}
	return fds[0], fds[1], nil
}

// seccompResult reads the helper's report from r until end of file (the
// helper has exec'd Path, or died) and closes r. It returns the failure
// the helper reported, if any.
func (p *plan) seccompResult(r int) *Error {
	defer sys.CloseRaw(r)
	var buf [1024]byte
	n := 0
	for n < len(buf) {
		m, err := sys.Read(r, buf[n:])
		if err != nil || m == 0 {
			break
		}
		n += m
	}
	if n < 5 {
		return nil
	}
	errno := syscall.Errno(binary.NativeEndian.Uint32(buf[1:5]))
	text := string(buf[5:n])
	var err error = errors.New(text)
	if errno != 0 {
		err = fmt.Errorf("%s: %w", text, errno)
	}
	step := StepSeccomp
	if buf[0] == seccompStageExec {
		step = StepExec
	}
	return &Error{Path: p.path, Step: step, Err: err}
}

func init() {
	if len(os.Args) < 3 || os.Args[0] != seccompHelperName {
		return
	}
	v, ok := syscall.Getenv(seccompEnv)
	if !ok {
		return
	}
	os.Exit(seccompHelper(v, os.Args[1], os.Args[2:]))
}

// seccompHelper is the helper's work: it loads the filter on its own
// thread, which alone matters (execve(2) keeps only the calling thread,
// with its filters and no_new_privs), and execs path. It returns only
// after a failure, which it reports on the status fd.
func seccompHelper(v, path string, argv []string) int {
	status := -1
	report := func(stage byte, err error) int {
		var errno syscall.Errno
		errors.As(err, &errno)
		if status >= 0 {
			msg := make([]byte, 5, 5+len(err.Error()))
			msg[0] = stage
			binary.NativeEndian.PutUint32(msg[1:], uint32(errno))
			msg = append(msg, err.Error()...)
			sys.Write(status, msg)
		}
		return 127
	}
	fdText, progText, ok := strings.Cut(v, ",")
	fd, err := strconv.Atoi(fdText)
	if !ok || err != nil || fd < 3 {
		return report(seccompStageInstall, fmt.Errorf("bad %s entry", seccompEnv))
	}
	status = fd
	syscall.CloseOnExec(status)
	b, err := base64.StdEncoding.DecodeString(progText)
	if err != nil || len(b) == 0 || len(b)%8 != 0 {
		return report(seccompStageInstall, fmt.Errorf("bad %s program", seccompEnv))
	}
	prog := make(seccomp.Program, len(b)/8)
	for i := range prog {
		in := b[8*i:]
		prog[i] = seccomp.Instruction{Op: binary.NativeEndian.Uint16(in), Jt: in[2], Jf: in[3], K: binary.NativeEndian.Uint32(in[4:])}
	}
	env := withoutSeccompEnv(os.Environ())
	// From the filter to execve(2), nothing but the exec runs on this
	// thread: the filter need not allow what the Go runtime does.
	runtime.LockOSThread()
	if err := seccomp.Install(prog, nil); err != nil {
		return report(seccompStageInstall, err)
	}
	err = syscall.Exec(path, argv, env)
	return report(seccompStageExec, &os.PathError{Op: "exec", Path: path, Err: err})
}

// withoutSeccompEnv returns a copy of env without the helper's entry.
func withoutSeccompEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, e := range env {
		if !strings.HasPrefix(e, seccompEnv+"=") {
			out = append(out, e)
		}
	}
	return out
}
