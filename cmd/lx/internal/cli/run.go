package cli

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/spawn"
)

func init() {
	register(func() Command { return &sandboxCommand{limits: cgroupRunCommand{cgroups: cgroup.Default()}} })
}

// sandboxCommand is `lx run`: a sandbox in one command.
//
// How it is built. lx run starts lx itself (its executable, through an fd
// it opened) as the sandbox's first process, "the init" (run_init.go),
// with spawn: in new namespaces (a new user namespace owning the others),
// with no_new_privs, only fds 0-2 and the init's own, a fresh cgroup and
// the rlimits. The init, root of the new user namespace, mounts a fresh
// /proc for the new PID namespace, restricts itself with the Landlock
// ruleset, drops every capability for good, installs the seccomp filter
// and execve(2)s the command.
//
// Why the seccomp filter is installed by the init and not on spawn's
// forking thread (as spawn's Landlock is): a filter on that thread would
// also filter the thread's own calls after the fork (spawn's waitid,
// ptrace and prlimit for the rlimits, the runtime's exit of the thread)
// and the fork itself: Docker's default profile answers clone3 with
// ENOSYS, from which Go's fork does not fall back to clone, and a policy
// whose default kills would kill lx. Landlock moves to the init too: a
// Landlock-restricted process may not mount, and the init mounts /proc.
type sandboxCommand struct {
	limits cgroupRunCommand // the cgroup flags, shared with lx cgroup run

	newNS    nsTypeList // --ns
	hostname string     // --hostname
	landlock []string   // --landlock, each a comma-separated list
	rlimits  []string   // --rlimit
	seccomp  string     // --seccomp
	net      string     // --net
	uid, gid string     // --uid, --gid: the command's ids inside
	caps     string     // --caps: the capabilities the command keeps
}

// runSeccompProgram compiles a --seccomp PROFILE other than "none":
// runCompileProfile; the tests put a policy of their own here.
var runSeccompProgram = runCompileProfile

// runCompileProfile compiles Docker's default profile for "default",
// else the OCI profile in the file spec, for the native architecture and
// a process with the capabilities caps (--caps), on the running kernel.
// Syscalls the architecture lacks are skipped, as runc does.
func runCompileProfile(spec string, caps capability.Set) (seccomp.Program, error) {
	data := seccomp.DockerDefaultProfile()
	if spec != "default" {
		var err error
		if data, err = os.ReadFile(spec); err != nil {
			return nil, err
		}
	}
	prof, err := seccomp.ParseOCIProfile(data, &seccomp.OCIOptions{Caps: caps})
	if err != nil {
		return nil, err
	}
	return prof.Policy.Compile()
}

// runDefaultNS are the namespaces lx run gives the command by default.
var runDefaultNS = nsTypeList{ns.User, ns.Mnt, ns.PID, ns.IPC, ns.UTS, ns.Net}

// runFlagList is a repeatable string flag.
type runFlagList struct{ p *[]string }

func (l runFlagList) String() string {
	if l.p == nil {
		return ""
	}
	return strings.Join(*l.p, " ")
}
func (l runFlagList) Set(s string) error { *l.p = append(*l.p, s); return nil }

func (c *sandboxCommand) SetFlags(fs *flag.FlagSet) {
	fs.Var(&c.newNS, "ns", "the namespace `types` the sandbox gets new (comma-separated; repeatable; default user,mnt,pid,ipc,uts,net; user is always added)")
	fs.StringVar(&c.hostname, "hostname", "", "the host `name` inside the sandbox's UTS namespace")
	fs.Var(runFlagList{&c.landlock}, "landlock", "Landlock rules `ro:PATH,rw:PATH` (comma-separated; repeatable), or none (default: ro:/,rw:/tmp,rw:/dev/null)")
	fs.Var(runFlagList{&c.rlimits}, "rlimit", "a resource limit `NAME=SOFT[:HARD]` (nofile=1024, as=1G:2G; repeatable)")
	fs.StringVar(&c.seccomp, "seccomp", "default", "the seccomp `profile`: default (Docker's), none, or an OCI profile file")
	fs.StringVar(&c.caps, "caps", "", "the capabilities the command keeps inside the sandbox, `names` joined by commas (cap_net_bind_service,cap_net_raw; default none)")
	fs.StringVar(&c.uid, "uid", "0", "the user `id` the command runs as inside the sandbox (other than 0: lx must run as root)")
	fs.StringVar(&c.gid, "gid", "0", "the group `id` the command runs as inside the sandbox (other than 0: lx must run as root)")
	fs.StringVar(&c.net, "net", "", "only the default, a new network namespace, is supported: --net host is refused")
	fs.StringVar(&c.limits.parent, "cgroup-parent", "", "create the sandbox's cgroup below this cgroup v2 `path` (default: lx's own v2 cgroup)")
	fs.StringVar(&c.limits.memoryMax, "memory-max", "", "memory.max of the sandbox's cgroup, `bytes` (512M, 1G, max)")
	fs.StringVar(&c.limits.cpuMax, "cpu-max", "", "cpu.max of the sandbox's cgroup, `quota[/period]` (50ms/100ms)")
	fs.StringVar(&c.limits.pidsMax, "pids-max", "", "pids.max of the sandbox's cgroup, a `count` or max")
}

func (*sandboxCommand) Name() string { return "run" }
func (*sandboxCommand) Synopsis() string {
	return "run a command in a sandbox: new namespaces, no capabilities, Landlock, seccomp, a fresh cgroup"
}
func (*sandboxCommand) Usage() string { return "[flags] [--] <command> [arguments]" }
func (*sandboxCommand) runsCommand()  {}
func (*sandboxCommand) Help() string {
	return `Runs a command in a sandbox and exits with its status, as lx exec does.
Flags end at the command.

What the sandbox isolates, by default:

  - namespaces: new user, mount, PID, IPC, UTS and network namespaces
    (--ns changes the list; a user namespace is always among them). The
    command sees only the sandbox's processes (a fresh /proc is mounted
    in the new mount namespace when both the mount and the PID namespace
    are new), cannot signal or ptrace any other, and has only a loopback
    interface, down: no network at all (--net host is not supported).
    --hostname names the new UTS namespace; lx sets the name from
    outside the sandbox, which needs root.
  - ids and capabilities: the command runs as uid 0 and gid 0 of the new
    user namespace, which are lx's own uid and gid outside (nobody, 65534,
    when lx runs as root, so that the sandbox cannot write root's files),
    or, with --uid N and --gid N, as uid N and gid N inside, which are
    nobody outside; the sandbox's init is then uid 0 inside and 4294967294,
    an id no account has, outside. Only root may map two ids (a user may
    map only its own), so ids other than 0 need lx to run as root. The
    command has no capability at all: an empty bounding set, no effective,
    permitted, inheritable or ambient capability, and the securebits
    noroot and no_setuid_fixup locked, so that no execve(2) gives it any.
    --caps keeps the capabilities it names, in the sandbox's user
    namespace only (cap_net_bind_service binds port 80 of the sandbox's
    own network): they are its bounding set and its ambient, inheritable,
    permitted and effective sets, which it keeps over execve(2), and
    Docker's profile allows the system calls they stand for.
    no_new_privs is set: set-user-ID programs and file capabilities give
    nothing. It therefore cannot mount, load a module, change the host
    name, or raise a limit. A user other than root keeps its
    supplementary groups (it may not drop them in a user namespace); root's
    are dropped.
  - files: the Landlock rules of --landlock (Linux 5.13; best effort: on
    an older kernel, or for rights the kernel lacks, lx says on stderr
    what it could not restrict and goes on). ro:PATH allows reading and
    executing beneath PATH, rw:PATH every file right beneath it; all
    else is denied. The default is ro:/,rw:/tmp,rw:/dev/null; '--landlock
    none' turns Landlock off. Paths must exist, and cannot hold a comma.
  - fds: the command gets lx's standard input, output and error and no
    other fd, close-on-exec or not.
  - system calls: the seccomp profile of --seccomp, installed right
    before the command's execve(2): "default" is Docker's default
    profile, "none" no filter, or the path of an OCI/Docker profile.
  - resources: a fresh cgroup v2 (as 'lx cgroup run' makes, killed and
    removed afterwards) with --memory-max, --cpu-max and --pids-max, and
    the rlimits of --rlimit (NAME=SOFT[:HARD], names as prlimit(1) has
    them: nofile, nproc, as, cpu, fsize, ...). When the cgroup cannot be
    created (no write access to lx's v2 cgroup, as for most users) lx
    says so and runs the command without it, unless a limit was asked.
    The sandbox's init (below) is lx, a Go program, whose threads count
    against --pids-max until it execs the command: give 10 or more.

What it does not isolate: the file system is the host's, mounts and all
(only Landlock limits access to it, and only for files opened inside);
the command runs with lx's environment and working directory; the time
and cgroup namespaces are the host's unless --ns names them; the kernel
is shared, with every bug it has; a named unix socket on the host's file
system can be connected to (Landlock rules on files do not cover
connect(2) to it); and /sys is the host's.

The sandbox's first process is lx itself (as "lx-run-init"), which sets
up what needs doing inside and then execs the command, so the command is
PID 1 of the new PID namespace: it gets only the signals it has a handler
for, SIGKILL aside (pid_namespaces(7)), and when it ends every other
process of the sandbox is killed. Signals reach it as with lx exec: lx
passes SIGTERM and SIGHUP on; Ctrl-C goes from the terminal to the
command, which may not stop for it (PID 1). If lx is killed, the sandbox
is killed with it (PR_SET_PDEATHSIG).

Exit status: the command's, 128+N for signal N; 127 when the command is
not found, 126 when it cannot be executed, 125 for any other failure of
lx or a wrong command line (an unknown namespace type, a Landlock path
that does not exist, a bad rlimit), in which case nothing was started.`
}

// runLandlockRO are the rights of ro:; rw: gives every right.
const runLandlockRO = landlock.ReadFile | landlock.ReadDir | landlock.Execute

// runParseLandlock turns the --landlock lists into path rules; nil for
// none.
func runParseLandlock(specs []string) ([]landlock.PathRule, error) {
	if len(specs) == 0 {
		specs = []string{"ro:/,rw:/tmp,rw:/dev/null"}
	}
	if len(specs) == 1 && specs[0] == "none" {
		return nil, nil
	}
	var rules []landlock.PathRule
	for _, spec := range specs {
		for item := range strings.SplitSeq(spec, ",") {
			mode, path, ok := strings.Cut(item, ":")
			var access landlock.AccessFS
			switch {
			case ok && mode == "ro":
				access = runLandlockRO
			case ok && mode == "rw":
				access = landlock.MaxABI.AccessFS()
			default:
				return nil, Usagef("--landlock %s: want ro:PATH or rw:PATH (or none)", quoteArg(item))
			}
			if !strings.HasPrefix(path, "/") {
				return nil, Usagef("--landlock %s: want an absolute path", quoteArg(item))
			}
			st, err := os.Stat(path)
			if err != nil {
				return nil, Usagef("--landlock %s: %v", quoteArg(item), err)
			}
			if !st.IsDir() {
				access &= landlock.FileAccess
			}
			rules = append(rules, landlock.PathRule{Path: path, Access: access})
		}
	}
	return rules, nil
}

// runLandlockOptions is the ruleset of the rules, best effort.
func runLandlockOptions(rules []landlock.PathRule) *landlock.Options {
	return &landlock.Options{HandledFS: landlock.MaxABI.AccessFS(), Paths: rules, Mode: landlock.BestEffort}
}

// runParseRlimits reads the --rlimit flags.
func runParseRlimits(specs []string) (map[rlimit.Resource]rlimit.Limit, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	m := map[rlimit.Resource]rlimit.Limit{}
	for _, spec := range specs {
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, Usagef("--rlimit %s: want NAME=SOFT[:HARD]", quoteArg(spec))
		}
		r, err := rlimit.ParseResource(name)
		if err != nil {
			return nil, Usagef("--rlimit %s: %v", quoteArg(spec), err)
		}
		softText, hardText, hasHard := strings.Cut(value, ":")
		soft, err := rlimit.ParseValue(softText)
		if err != nil {
			return nil, Usagef("--rlimit %s: %v", quoteArg(spec), err)
		}
		hard := soft
		if hasHard {
			if hard, err = rlimit.ParseValue(hardText); err != nil {
				return nil, Usagef("--rlimit %s: %v", quoteArg(spec), err)
			}
		}
		if soft > hard {
			return nil, Usagef("--rlimit %s: the soft limit is above the hard limit", quoteArg(spec))
		}
		m[r] = rlimit.Limit{Soft: soft, Hard: hard}
	}
	return m, nil
}

// runParseCaps reads --caps: capabilities the running kernel has.
func runParseCaps(text string) (capability.Set, error) {
	set, err := capability.ParseSet(text)
	if err != nil {
		return 0, Usagef("--caps %s: %v", quoteArg(text), err)
	}
	full, err := capability.Full()
	if err != nil {
		return 0, err
	}
	for c := range (set &^ full).All() {
		last, _ := capability.Last()
		return 0, Usagef("--caps %s: %v: the running kernel's last capability is %v", quoteArg(text), c, last)
	}
	return set, nil
}

// seccompProgram returns the program of --seccomp, or nil for none.
func (c *sandboxCommand) seccompProgram(env *Env, caps capability.Set) (seccomp.Program, error) {
	switch {
	case c.seccomp == "none":
		return nil, nil
	}
	p, err := runSeccompProgram(c.seccomp, caps)
	if err != nil {
		return nil, Usagef("--seccomp %s: %v", quoteArg(c.seccomp), err)
	}
	return p, nil
}

// runEncodeProgram is prog as the kernel's array of struct sock_filter, in
// the machine's byte order: what the init reads from its fd.
func runEncodeProgram(prog seccomp.Program) []byte {
	b := make([]byte, 0, 8*len(prog))
	for _, ins := range prog {
		b = binary.NativeEndian.AppendUint16(b, ins.Op)
		b = append(b, ins.Jt, ins.Jf)
		b = binary.NativeEndian.AppendUint32(b, ins.K)
	}
	return b
}

func (c *sandboxCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return Usagef("no command to run")
	}
	if c.net != "" {
		return Usagef("--net %s: not supported: the sandbox always has a network namespace of its own, with only a loopback interface", quoteArg(c.net))
	}
	newNS := runDefaultNS.cloneFlags()
	if len(c.newNS) > 0 {
		newNS = c.newNS.cloneFlags()
	}
	newNS |= ns.CloneNewUser
	if c.hostname != "" {
		if newNS&ns.CloneNewUTS == 0 {
			return Usagef("--hostname needs a new UTS namespace (--ns uts)")
		}
	}
	rules, err := runParseLandlock(c.landlock)
	if err != nil {
		return err
	}
	var initArgs []string
	if rules != nil {
		// Built here too, to report what the kernel lacks before
		// anything starts.
		rs, err := landlock.New(runLandlockOptions(rules))
		if err != nil {
			return fmt.Errorf("landlock: %w", err)
		}
		if d := rs.Dropped(); !d.IsZero() {
			what := d.FS.String()
			if len(d.Paths) > 0 {
				what += fmt.Sprintf("; rules left without a right: %s", quoteArgs(d.Paths))
			}
			fmt.Fprintf(env.Stderr, "lx run: note: landlock (best effort, %v): the kernel cannot restrict %s\n", rs.ABI(), what)
		}
		rs.Close()
		for _, r := range rules {
			mode := "rw"
			if r.Access&^runLandlockRO == 0 {
				mode = "ro"
			}
			initArgs = append(initArgs, "-landlock", mode+":"+r.Path)
		}
	}
	rlimits, err := runParseRlimits(c.rlimits)
	if err != nil {
		return err
	}
	limits, err := c.limits.parseLimits()
	if err != nil {
		return err
	}
	cmdUID, err := runParseID("--uid", c.uid)
	if err != nil {
		return err
	}
	cmdGID, err := runParseID("--gid", c.gid)
	if err != nil {
		return err
	}
	keep, err := runParseCaps(c.caps)
	if err != nil {
		return err
	}
	if keep != 0 {
		initArgs = append(initArgs, "-caps", keep.Hex())
	}
	prog, err := c.seccompProgram(env, keep)
	if err != nil {
		return err
	}
	path, err := lookPath(args[0], 0)
	if err != nil {
		return &exitError{code: ExitNotFound, err: err}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("lx's executable: %w", err)
	}
	exeFile, err := os.Open(exe)
	if err != nil {
		return fmt.Errorf("lx's executable: %w", err)
	}
	defer exeFile.Close()

	sigs := takeSignals()
	defer sigs.release()
	r := &childRun{env: env, sigs: sigs}
	defer r.finish()

	// The uid and gid 0 of the sandbox are lx's outside, or nobody's
	// when lx is root: then the child, still root outside after the
	// clone, becomes them (setuid(2) in the new namespace), and loses
	// root's supplementary groups (setgroups(2), which root may allow
	// in the new namespace). Another user cannot allow setgroups, and
	// keeps its groups.
	uid, gid := os.Geteuid(), os.Getegid()
	setgroups := ns.SetgroupsDeny
	creds := &spawn.Credentials{KeepGroups: true}
	if uid == 0 {
		uid, gid = runNobody, runNobody
		setgroups = ns.SetgroupsAllow
		creds.KeepGroups = false
	}
	uidMap := ns.IDMap{{Inside: 0, Outside: uint32(uid), Count: 1}}
	gidMap := ns.IDMap{{Inside: 0, Outside: uint32(gid), Count: 1}}
	if cmdUID != 0 {
		uidMap = ns.IDMap{{Inside: 0, Outside: runInitOutside, Count: 1}, {Inside: cmdUID, Outside: runNobody, Count: 1}}
		initArgs = append(initArgs, "-uid", strconv.FormatUint(uint64(cmdUID), 10))
	}
	if cmdGID != 0 {
		gidMap = ns.IDMap{{Inside: 0, Outside: runInitOutside, Count: 1}, {Inside: cmdGID, Outside: runNobody, Count: 1}}
		initArgs = append(initArgs, "-gid", strconv.FormatUint(uint64(cmdGID), 10))
	}
	cmd := &spawn.Command{
		// The init is lx's executable through the fd: a path could be
		// one that uid, as nobody, may not look up.
		Path:              "/proc/self/fd/" + fmt.Sprint(runExeFD),
		NewNamespaces:     newNS,
		UIDMap:            uidMap,
		GIDMap:            gidMap,
		Setgroups:         setgroups,
		Credentials:       creds,
		Hostname:          c.hostname,
		Rlimits:           rlimits,
		NoNewPrivs:        true,
		CloseOtherFDs:     true,
		ParentDeathSignal: signal.Kill,
	}
	progFile, err := runProgramFile(prog)
	if err != nil {
		return err
	}
	defer progFile.Close()
	cmd.ExtraFiles = []*os.File{progFile, exeFile}
	if newNS&ns.CloneNewPID != 0 && newNS&ns.CloneNewNS != 0 {
		initArgs = append(initArgs, "-proc")
	}
	cmd.Args = append(append(append([]string{runInitName}, initArgs...), "--", path), args...)

	parent, err := c.limits.openParent()
	var child *cgroup.Cgroup
	switch {
	case err == nil:
		defer parent.Close()
		enabled, err := c.limits.enableControllers(parent, limits.controllers())
		if err != nil {
			return err
		}
		defer c.limits.restoreControllers(env, c.Name(), parent, enabled)
		child, err = newRunCgroup(parent)
		if err == nil {
			defer child.Close()
			defer removeRunCgroup(env, c.Name(), child)
			if err := setLimits(child, limits); err != nil {
				return err
			}
			cmd.Cgroup = child
		}
		if err != nil && len(limits.controllers()) > 0 {
			return fmt.Errorf("the sandbox's cgroup: %w", err)
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "lx run: note: no cgroup of its own for the sandbox: %v\n", err)
		}
	case len(limits.controllers()) > 0:
		return err
	default:
		fmt.Fprintf(env.Stderr, "lx run: note: no cgroup of its own for the sandbox: %v\n", err)
	}

	st, err := r.runToEnd(cmd)
	if err != nil {
		return err
	}
	if child != nil {
		reportLimitsHit(env, c.Name(), child, st)
	}
	return &exitError{code: statusCode(st)}
}

// runParseID reads the --uid or --gid value: an id 0..4294967293 (-1 is
// no id, and 4294967294 is the init's outside), other than 0 only for a
// root lx.
func runParseID(flag, text string) (uint32, error) {
	id, err := strconv.ParseUint(text, 10, 32)
	if err != nil || id >= uint64(runInitOutside) {
		return 0, Usagef("%s %s: want an id from 0 to %d", flag, quoteArg(text), runInitOutside-1)
	}
	if id != 0 && os.Geteuid() != 0 {
		return 0, Usagef("%s %d: needs lx to run as root: the sandbox's init keeps uid and gid 0 inside, and only root may map a second id", flag, id)
	}
	return uint32(id), nil
}

// runInitOutside is the uid and gid outside of the sandbox's init when
// the command has other ids (--uid, --gid): (uid_t)-2, which no account
// has, so that the init, which owns no file and runs only lx, cannot
// reach anybody's files.
const runInitOutside uint32 = 1<<32 - 2

// runNobody is the uid and gid outside of the sandbox's root when lx
// runs as root.
const runNobody = 65534

// runProgramFile returns a file holding prog's bytes, for the init's fd
// 3: /dev/null for no filter, else a deleted temporary file. Not a pipe:
// spawn's forking thread keeps a copy of lx's fd table, write end
// included, until the command ends, so the init would never read the
// end of the pipe, and a pipe may hold less than the 32 KiB a program
// can have.
func runProgramFile(prog seccomp.Program) (*os.File, error) {
	if len(prog) == 0 {
		return os.Open(os.DevNull)
	}
	f, err := os.CreateTemp("", "lx-run-seccomp-")
	if err != nil {
		return nil, fmt.Errorf("seccomp program: %w", err)
	}
	os.Remove(f.Name())
	if _, err := f.Write(runEncodeProgram(prog)); err != nil {
		f.Close()
		return nil, fmt.Errorf("seccomp program: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seccomp program: %w", err)
	}
	return f, nil
}
