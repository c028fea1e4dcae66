package spawn

import (
	"errors"
	"strconv"
	"strings"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
)

// Step is a stage of starting a process, in the order Start takes them.
type Step uint8

const (
	// Preparations of the forking thread.
	StepJoin          Step = iota + 1 // joining namespaces (unshare(CLONE_FS), setns(2))
	StepTimeNamespace                 // creating a time namespace and writing its offsets
	StepHostname                      // creating a UTS namespace and setting its host name
	StepCapabilities                  // the bounding and inheritable sets and the securebits
	StepNoNewPrivs                    // prctl(PR_SET_NO_NEW_PRIVS)
	StepLandlock                      // landlock_restrict_self(2)
	// The standard library's fork path, in its order.
	StepFiles       // handing over the child's files
	StepClone       // clone(2)/clone3(2): the process and its new namespaces
	StepCgroup      // CLONE_INTO_CGROUP: entering the cgroup
	StepUIDMap      // writing the new user namespace's uid_map
	StepGIDMap      // writing its setgroups and gid_map
	StepSession     // setsid(2)
	StepCredentials // setgroups(2), setgid(2), setuid(2)
	StepAmbient     // raising the ambient capabilities (PR_SET_KEEPCAPS before the credentials)
	StepDir         // chdir(2) to Dir
	StepTerminal    // TIOCSCTTY: the controlling terminal
	StepTrace       // ptrace(PTRACE_TRACEME), which Rlimits need
	StepExec        // execve(2)
	// The stopped child.
	StepRlimit // prlimit(2) on the child
	StepPidFD  // opening the child's pidfd
	// The helper that loads a seccomp filter (Command.Seccomp), after
	// the steps above and before execve(2) of Path (StepExec).
	StepSeccomp
	// StepStart is a failure of the fork path that replaying the steps
	// did not reproduce (a transient one, such as EAGAIN from fork).
	StepStart
)

var stepNames = [...]string{
	StepJoin:          "join namespaces",
	StepTimeNamespace: "create time namespace",
	StepHostname:      "set host name",
	StepCapabilities:  "set capabilities",
	StepNoNewPrivs:    "set no_new_privs",
	StepLandlock:      "restrict with landlock",
	StepFiles:         "pass files",
	StepClone:         "clone",
	StepCgroup:        "enter cgroup",
	StepUIDMap:        "write uid map",
	StepGIDMap:        "write gid map",
	StepSession:       "create session",
	StepCredentials:   "set credentials",
	StepAmbient:       "raise ambient capabilities",
	StepDir:           "change directory",
	StepTerminal:      "set controlling terminal",
	StepTrace:         "ptrace",
	StepExec:          "exec",
	StepRlimit:        "set rlimits",
	StepPidFD:         "open pidfd",
	StepSeccomp:       "load seccomp filter",
	StepStart:         "fork/exec",
}

// String names the step, "join namespaces" or "exec"; "Step(N)" for
// another value.
func (s Step) String() string {
	if int(s) < len(stepNames) && stepNames[s] != "" {
		return stepNames[s]
	}
	return "Step(" + strconv.Itoa(int(s)) + ")"
}

// Error is a failure of Start after its checks: the program, the step
// that failed and why. Err is the cause, often a syscall.Errno (as
// *os.SyscallError or bare, which errors.Is matches either way) or an
// error of package ns.
type Error struct {
	Path string
	Step Step
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("spawn ")
	b.WriteString(e.Path)
	b.WriteString(": ")
	b.WriteString(e.Step.String())
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Step == StepTrace {
		b.WriteString(" (Rlimits are set while the child is stopped by ptrace, which a seccomp filter, " +
			"a Yama ptrace_scope of 3, or of 2 without CAP_SYS_PTRACE, refuses)")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// diagnosePath is the program diagnose's trials execute: a path longer
// than PATH_MAX, which execve(2) refuses with ENAMETOOLONG before looking
// at anything, in any mount namespace. No earlier step of the fork path
// can fail with that errno (prepareProgram keeps Dir within the limits).
var diagnosePath = "/" + strings.Repeat("x", pathMax)

// diagnose finds the step of the standard library's fork path that
// failed with err, which carries no more than an errno. It replays the
// path in throwaway children, from this same thread, adding one step at
// a time in the path's order; each child ends at the failing execve of
// diagnosePath. The first step whose child fails with err's errno is the
// culprit; if every child gets as far as execve, execve itself failed.
func (p *plan) diagnose(err error) Step {
	errno := sys.Errno(err)
	full := p.attr
	files := p.files
	// Each stage is the attributes up to and including one step; a
	// step the Command does not use is skipped.
	a := syscall.SysProcAttr{Cloneflags: full.Cloneflags, Pdeathsig: syscall.SIGKILL}
	type stage struct {
		step Step
		used bool
		add  func()
	}
	stages := []stage{
		{StepClone, true, func() {}},
		{StepCgroup, full.UseCgroupFD, func() { a.UseCgroupFD = true }},
		{StepUIDMap, full.UidMappings != nil, func() { a.UidMappings = full.UidMappings }},
		{StepGIDMap, full.GidMappings != nil, func() {
			a.GidMappings, a.GidMappingsEnableSetgroups = full.GidMappings, full.GidMappingsEnableSetgroups
		}},
		{StepSession, full.Setsid, func() { a.Setsid = true }},
		{StepCredentials, full.Credential != nil, func() { a.Credential = full.Credential }},
		{StepAmbient, full.AmbientCaps != nil, func() { a.AmbientCaps = full.AmbientCaps }},
		{StepDir, p.dir != "", func() {}},
		{StepTerminal, full.Setctty, func() { a.Setctty, a.Ctty = true, full.Ctty }},
		{StepTrace, full.Ptrace, func() { a.Ptrace = true }},
	}
	dir := p.dir
	p.dir = ""
	defer func() { p.dir = dir }()
	for _, s := range stages {
		if !s.used {
			continue
		}
		s.add()
		if s.step == StepDir {
			p.dir = dir
		}
		pid, clone, terr := p.fork(diagnosePath, &a, files)
		switch e := sys.Errno(terr); {
		case terr == nil:
			// Unreachable: the trial's execve cannot succeed.
			abandon(pid, clone)
			sys.CloseRaw(clone)
			return StepStart
		case e == syscall.ENAMETOOLONG:
			continue // got as far as execve
		case e == errno:
			return s.step
		default:
			var se *Error
			if errors.As(terr, &se) {
				return se.Step
			}
			return StepStart
		}
	}
	return StepExec
}
