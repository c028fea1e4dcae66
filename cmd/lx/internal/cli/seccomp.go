package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/seccomp"
)

func init() {
	register(func() Command { return &seccompCommand{fs: procfs.Default()} })
	register(func() Command { return &seccompCompileCommand{} })
}

// seccompCommand is `lx seccomp [PID]`.
type seccompCommand struct {
	fs procfs.FS
}

func (*seccompCommand) Name() string { return "seccomp" }
func (*seccompCommand) Synopsis() string {
	return "a process's seccomp mode, number of filters and no_new_privs"
}
func (*seccompCommand) Usage() string { return "[flags] [pid]" }
func (*seccompCommand) Help() string {
	return `Shows the seccomp state of a process (lx's own without a process id),
from the Seccomp, Seccomp_filters and NoNewPrivs lines of
/proc/PID/status, which any user may read: the mode ("disabled",
"strict" or "filter", seccomp(2)), the number of filters attached
(Linux 5.9; 0 before), and whether no_new_privs is set (prctl(2)
PR_SET_NO_NEW_PRIVS, which an unprivileged filter needs; Linux 4.10).
'lx seccomp compile' compiles a profile.

With --json the output is {"pid", "mode", "filters", "no_new_privs"},
"mode" as its text.`
}

// seccompReport is the output of `lx seccomp --json`.
type seccompReport struct {
	PID        int          `json:"pid"`
	Mode       seccomp.Mode `json:"mode"`
	Filters    int          `json:"filters"`
	NoNewPrivs bool         `json:"no_new_privs"`
}

func (c *seccompCommand) Run(ctx context.Context, env *Env, args []string) error {
	pid := c.fs.Self().PID()
	switch len(args) {
	case 0:
	case 1:
		var err error
		if pid, err = parsePID(args[0]); err != nil {
			return err
		}
	default:
		return Usagef("want at most one process id, got %d arguments", len(args))
	}
	p, err := c.fs.Proc(pid)
	if err != nil {
		return openError(pid, err)
	}
	st, err := p.Status()
	if err != nil {
		return openError(pid, err)
	}
	r := seccompReport{PID: pid, Mode: st.Seccomp, Filters: st.SeccompFilters, NoNewPrivs: st.NoNewPrivs}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	t := newTable(env.Stdout)
	t.Row("pid", formatCount(r.PID))
	t.Row("mode", r.Mode.String())
	t.Row("filters", formatCount(r.Filters))
	t.Row("no_new_privs", strconv.FormatBool(r.NoNewPrivs))
	return t.Flush()
}

// seccompCompileCommand is `lx seccomp compile`.
type seccompCompileCommand struct {
	docker bool   // --default
	arch   string // --arch
	caps   string // --caps
	kernel string // --kernel
	disasm bool   // --disasm
}

func (c *seccompCompileCommand) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.docker, "default", false, "compile Docker's default profile (built into lx) instead of a file")
	fs.StringVar(&c.arch, "arch", "", "the `architecture` to filter: 386, amd64, arm, arm64, riscv64 (default: lx's own)")
	fs.StringVar(&c.caps, "caps", "", "the container's capabilities for the profile's includes/excludes, `names` joined by commas (CAP_SYS_ADMIN,CAP_NET_RAW)")
	fs.StringVar(&c.kernel, "kernel", "", "the kernel `version` for the profile's minKernel (5.10; default: the running kernel)")
	fs.BoolVar(&c.disasm, "disasm", false, "also print the program, one instruction a line")
}

func (*seccompCompileCommand) Name() string { return "seccomp compile" }
func (*seccompCompileCommand) Synopsis() string {
	return "compile an OCI or Docker seccomp profile to a BPF program and show its size"
}
func (*seccompCompileCommand) Usage() string { return "[flags] (PROFILE | --default)" }
func (*seccompCompileCommand) Help() string {
	return `Reads a seccomp profile in the JSON of the OCI runtime-spec (the
linux.seccomp object of config.json, as runc applies it) or of Docker
(docker run --security-opt seccomp=PROFILE), or with --default Docker's
default profile, and compiles it to the classic BPF program lx would
install (seccomp(2) SECCOMP_SET_MODE_FILTER) for one architecture. It
prints the default action, the number of rules and of instructions (the
kernel takes at most 4096), the system call names the profile lists
that the architecture lacks (left out, as runc does), and the other
architectures the profile names, whose calls lx's program does not
allow (runc filters each of them too). Nothing is installed.

Docker's rules with "includes" or "excludes" depend on the container's
capabilities (--caps; none by default), the architecture and the kernel
version (--kernel; the running kernel's by default).

With --disasm the program follows, in the syntax of the kernel's bpf_asm
with jump targets as instruction numbers and returns as lx's action
names.

With --json the output is {"profile", "arch", "default", "rules",
"instructions", "skipped", "other_arches", "program"}: "profile" is the
file name or "default", "default" the default action's text
(seccomp.Action: "errno(1)"), "skipped" and "other_arches" arrays of
names, "program" the disassembly's lines with --disasm and null
without.`
}

// seccompCompileReport is the output of `lx seccomp compile --json`.
type seccompCompileReport struct {
	Profile      string         `json:"profile"`
	Arch         seccomp.Arch   `json:"arch"`
	Default      seccomp.Action `json:"default"`
	Rules        int            `json:"rules"`
	Instructions int            `json:"instructions"`
	Skipped      []string       `json:"skipped"`
	OtherArches  []string       `json:"other_arches"`
	Program      []string       `json:"program"`
}

func (c *seccompCompileCommand) Run(ctx context.Context, env *Env, args []string) error {
	r := seccompCompileReport{Profile: "default"}
	var data []byte
	switch {
	case c.docker && len(args) == 0:
		data = seccomp.DockerDefaultProfile()
	case !c.docker && len(args) == 1:
		r.Profile = args[0]
		var err error
		if data, err = os.ReadFile(args[0]); err != nil {
			return err
		}
	case c.docker:
		return Usagef("--default takes no profile, got %d arguments", len(args))
	default:
		return Usagef("want one profile file or --default, got %d arguments", len(args))
	}
	opts := seccomp.OCIOptions{}
	if c.arch != "" {
		a, err := seccomp.ParseArch(c.arch)
		if err != nil {
			return Usagef("--arch: %v", err)
		}
		opts.Arch = a
	}
	if c.caps != "" {
		for _, name := range strings.Split(c.caps, ",") {
			cp, err := capability.Parse(name)
			if err != nil {
				return Usagef("--caps: %v", err)
			}
			opts.Caps.Add(cp)
		}
	}
	if c.kernel != "" {
		v, err := kernel.ParseVersion(c.kernel)
		if err != nil {
			return Usagef("--kernel: %v", err)
		}
		opts.Kernel = v
	}
	prof, err := seccomp.ParseOCIProfile(data, &opts)
	if err != nil {
		return fmt.Errorf("%q: %w", r.Profile, err)
	}
	prog, err := prof.Policy.Compile()
	if err != nil {
		return fmt.Errorf("%q: %w", r.Profile, err)
	}
	r.Arch, r.Default = prof.Policy.Arch, prof.Policy.Default
	r.Rules, r.Instructions = len(prof.Policy.Rules), len(prog)
	r.Skipped, r.OtherArches = prof.Skipped, prof.OtherArches
	if r.Skipped == nil {
		r.Skipped = []string{}
	}
	if r.OtherArches == nil {
		r.OtherArches = []string{}
	}
	if c.disasm {
		r.Program = strings.Split(strings.TrimSuffix(prog.String(), "\n"), "\n")
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	list := func(names []string) string {
		if len(names) == 0 {
			return "none"
		}
		return formatCount(len(names)) + ": " + strings.Join(names, " ")
	}
	t := newTable(env.Stdout)
	t.Row("profile", r.Profile)
	t.Row("arch", r.Arch.String())
	t.Row("default", r.Default.String())
	t.Row("rules", formatCount(r.Rules))
	t.Row("instructions", formatCount(r.Instructions))
	t.Row("skipped", list(r.Skipped))
	t.Row("other arches", list(r.OtherArches))
	if err := t.Flush(); err != nil {
		return err
	}
	if c.disasm {
		_, err := fmt.Fprint(env.Stdout, "\n"+prog.String())
		return err
	}
	return nil
}
