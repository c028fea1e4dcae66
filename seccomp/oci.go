package seccomp

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/lxgo/lx/capability"

	"github.com/lxgo/lx/kernel"
)

// dockerDefault is profiles/seccomp/default.json of moby/moby (vendored
// there from github.com/moby/profiles at commit b985e2313a86), Apache-2.0:
// see testdata/README.md.
//
//go:embed testdata/docker-default.json
var dockerDefault []byte

// DockerDefaultProfile returns Docker's default seccomp profile, the JSON
// that ParseOCIProfile reads: a copy the caller may change.
func DockerDefaultProfile() []byte { return bytes.Clone(dockerDefault) }

// UnknownSyscalls says what ParseOCIProfile does with a system call name
// the target Arch's table (Arch.Lookup) lacks.
type UnknownSyscalls uint8

const (
	// SkipUnknown leaves the name out and reports it in
	// OCIProfile.Skipped, as runc does: Docker's profiles list system
	// calls of every architecture.
	SkipUnknown UnknownSyscalls = iota
	// RejectUnknown fails on the name.
	RejectUnknown
)

// String returns "skip" or "reject", or "unknown-syscalls(N)".
func (u UnknownSyscalls) String() string {
	switch u {
	case SkipUnknown:
		return "skip"
	case RejectUnknown:
		return "reject"
	}
	return "unknown-syscalls(" + strconv.Itoa(int(u)) + ")"
}

// OCIOptions are ParseOCIProfile's choices. nil means the zero value.
type OCIOptions struct {
	// Arch is the architecture the Policy filters; zero: NativeArch.
	Arch Arch
	// Caps is the container's bounding set: a rule whose includes.caps
	// (names as Docker's profiles spell them, "CAP_SYS_ADMIN") are not
	// all in it, or whose excludes.caps has one in it, is left out. A
	// name capability.Parse does not know (one newer than lx) is in no
	// set. Zero: none.
	Caps capability.Set
	// Kernel is the kernel version a rule's includes/excludes minKernel
	// is compared with (major and minor only, as Docker does); zero: the
	// running kernel (kernel.Running), read only if the profile has a
	// minKernel.
	Kernel kernel.Version
	// Unknown is what happens to a system call name Arch lacks.
	Unknown UnknownSyscalls
}

// OCIProfile is what ParseOCIProfile makes of a profile.
type OCIProfile struct {
	// Policy filters the calls of OCIOptions.Arch. Its BadArch is nil
	// (kill-process): the calls of the other architectures the profile
	// names (OtherArches) are not allowed, unlike under runc, which
	// filters each of them too.
	Policy Policy
	// Skipped are the system call names of the rules kept that Arch's
	// table lacks, each once, in the order the profile has them
	// (SkipUnknown).
	Skipped []string
	// OtherArches are the architectures the profile lists
	// ("SCMP_ARCH_X86"; for Docker's archMap, the sub-architectures of
	// the target's entry) other than Arch.
	OtherArches []string
}

// The runtime-spec's names of the five architectures, and the libseccomp
// names Docker's includes/excludes "arches" use.
var ociArches = map[Arch][2]string{
	Arch386:     {"SCMP_ARCH_X86", "x86"},
	ArchAMD64:   {"SCMP_ARCH_X86_64", "amd64"},
	ArchARM:     {"SCMP_ARCH_ARM", "arm"},
	ArchARM64:   {"SCMP_ARCH_AARCH64", "arm64"},
	ArchRISCV64: {"SCMP_ARCH_RISCV64", "riscv64"},
}

// ociOps maps the runtime-spec's operators to Op.
var ociOps = map[string]Op{
	"SCMP_CMP_NE":        OpNotEqual,
	"SCMP_CMP_LT":        OpLess,
	"SCMP_CMP_LE":        OpLessEqual,
	"SCMP_CMP_EQ":        OpEqual,
	"SCMP_CMP_GE":        OpGreaterEqual,
	"SCMP_CMP_GT":        OpGreater,
	"SCMP_CMP_MASKED_EQ": OpMaskedEqual,
}

// The JSON of a profile: the runtime-spec's config-linux.md "seccomp"
// object with Docker's additions. Lists stay raw so that an error can
// name the element.
type ociJSON struct {
	DefaultAction   *string           `json:"defaultAction"`
	DefaultErrnoRet *uint64           `json:"defaultErrnoRet"`
	Architectures   []string          `json:"architectures"`
	ArchMap         []json.RawMessage `json:"archMap"`
	Syscalls        []json.RawMessage `json:"syscalls"`
}

type ociArchMap struct {
	Architecture     string   `json:"architecture"`
	SubArchitectures []string `json:"subArchitectures"`
}

type ociSyscall struct {
	Name     string            `json:"name"`
	Names    []string          `json:"names"`
	Action   *string           `json:"action"`
	ErrnoRet *uint64           `json:"errnoRet"`
	Args     []json.RawMessage `json:"args"`
	Includes *ociFilter        `json:"includes"`
	Excludes *ociFilter        `json:"excludes"`
}

type ociFilter struct {
	Caps      []string `json:"caps"`
	Arches    []string `json:"arches"`
	MinKernel *string  `json:"minKernel"`
}

type ociArg struct {
	Index    *uint64 `json:"index"`
	Value    uint64  `json:"value"`
	ValueTwo uint64  `json:"valueTwo"`
	Op       *string `json:"op"`
}

// ociParser holds what ParseOCIProfile's steps share.
type ociParser struct {
	arch    Arch
	opts    OCIOptions
	kernel  kernel.Version // the version minKernel compares with, once read
	skipped map[string]bool
	out     OCIProfile
}

// ParseOCIProfile reads a seccomp profile in the JSON of the OCI
// runtime-spec (config-linux.md, the "seccomp" object: defaultAction,
// defaultErrnoRet, architectures, syscalls with names, action, errnoRet
// and args) or of Docker (additionally archMap, a rule's includes and
// excludes on caps, arches and minKernel, and "name"), as runc and
// Docker apply them, into a Policy for opts.Arch:
//
//   - Actions: SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD are RetKillThread,
//     SCMP_ACT_KILL_PROCESS RetKillProcess, SCMP_ACT_TRAP, SCMP_ACT_LOG,
//     SCMP_ACT_ALLOW and SCMP_ACT_NOTIFY the like; SCMP_ACT_ERRNO and
//     SCMP_ACT_TRACE take errnoRet (defaultErrnoRet for the default),
//     EPERM without one. errnoRet on another action is an error.
//   - Args: the index (0..5), SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT
//     comparing with value (valueTwo unused), and SCMP_CMP_MASKED_EQ, as
//     libseccomp: (arg & value) == valueTwo. The args of a rule must all
//     hold; a rule naming one index twice is, as in runc, one rule per
//     arg instead, any of which may hold.
//   - Like runc, a rule with the default action is left out, a name
//     listed again with no args keeps the action first given to it, and
//     as libseccomp, a call with a rule without args takes that rule's
//     action whatever rules with args say. Rules with args on one call
//     are tried in the profile's order, the first that holds deciding.
//     libseccomp has no such order: where two rules with args on one
//     call hold together and differ in action, runc's filter follows
//     libseccomp's rule tree (in the cases tried, SCMP_ACT_ALLOW won
//     over SCMP_ACT_LOG in either order), so such a profile can decide
//     differently under lx. Docker's default profile has none.
//
// The Policy filters one architecture; see OCIProfile for the others a
// profile names. Unknown JSON fields (Docker's "comment", the spec's
// "flags" and "listenerPath", which are Install's and a supervisor's
// business) are ignored.
//
// The error, for malformed JSON, a missing or unknown action, an unknown
// operator or architecture name, an argument index above 5, a value
// wider than a 32-bit Arch's arguments, a bad minKernel, or an unknown
// name under RejectUnknown, wraps fs.ErrInvalid and names the field as
// a JSON path ("syscalls[12].args[0].op"); nothing is returned with it.
// Reading the running kernel (OCIOptions.Kernel) may fail with uname(2)'s
// error.
func ParseOCIProfile(data []byte, opts *OCIOptions) (OCIProfile, error) {
	p := ociParser{skipped: map[string]bool{}}
	if opts != nil {
		p.opts = *opts
	}
	p.arch = p.opts.Arch
	if p.arch == 0 {
		a, err := NativeArch()
		if err != nil {
			return OCIProfile{}, err
		}
		p.arch = a
	}
	if err := p.parse(data); err != nil {
		return OCIProfile{}, fmt.Errorf("seccomp: OCI profile: %w", err)
	}
	if err := p.out.Policy.Validate(); err != nil {
		return OCIProfile{}, fmt.Errorf("seccomp: OCI profile: %w", err)
	}
	return p.out, nil
}

func invalid(path, format string, a ...any) error {
	return fmt.Errorf("%s: %s: %w", path, fmt.Sprintf(format, a...), fs.ErrInvalid)
}

// jsonError names path in a decoding error, which wraps fs.ErrInvalid.
func jsonError(path string, err error) error {
	if path == "" {
		return fmt.Errorf("%w: %w", err, fs.ErrInvalid)
	}
	return fmt.Errorf("%s: %w: %w", path, err, fs.ErrInvalid)
}

func (p *ociParser) parse(data []byte) error {
	names, ok := ociArches[p.arch]
	if !ok {
		return fmt.Errorf("architecture %v: %w", p.arch, fs.ErrInvalid)
	}
	var doc ociJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return jsonError("", err)
	}
	if doc.DefaultAction == nil {
		return invalid("defaultAction", "missing")
	}
	def, err := ociAction(*doc.DefaultAction, doc.DefaultErrnoRet)
	if err != nil {
		return invalid("defaultAction", "%v", err)
	}
	p.out.Policy = Policy{Arch: p.arch, Default: def}
	if err := p.arches(&doc, names[0]); err != nil {
		return err
	}
	type ruleAt struct {
		Rule
		uncond bool
	}
	var rules []ruleAt
	uncond := map[Syscall]bool{} // calls with a rule without args
	for i, raw := range doc.Syscalls {
		path := "syscalls[" + strconv.Itoa(i) + "]"
		rs, err := p.syscall(path, raw, names[1])
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Action == def {
				continue
			}
			if len(r.Conds) == 0 {
				if uncond[r.Syscall] {
					continue
				}
				uncond[r.Syscall] = true
			}
			rules = append(rules, ruleAt{r, len(r.Conds) == 0})
		}
	}
	for _, r := range rules {
		if r.uncond || !uncond[r.Syscall] {
			p.out.Policy.Rules = append(p.out.Policy.Rules, r.Rule)
		}
	}
	return nil
}

// arches fills OtherArches from architectures or archMap.
func (p *ociParser) arches(doc *ociJSON, target string) error {
	if len(doc.Architectures) != 0 && len(doc.ArchMap) != 0 {
		return invalid("archMap", "both architectures and archMap are given")
	}
	check := func(path, a string) error {
		if rest, ok := strings.CutPrefix(a, "SCMP_ARCH_"); !ok || rest == "" {
			return invalid(path, "unknown architecture %q", a)
		}
		return nil
	}
	add := func(a string) {
		if a != target && !slices.Contains(p.out.OtherArches, a) {
			p.out.OtherArches = append(p.out.OtherArches, a)
		}
	}
	for i, a := range doc.Architectures {
		if err := check("architectures["+strconv.Itoa(i)+"]", a); err != nil {
			return err
		}
		add(a)
	}
	for i, raw := range doc.ArchMap {
		path := "archMap[" + strconv.Itoa(i) + "]"
		var m ociArchMap
		if err := json.Unmarshal(raw, &m); err != nil {
			return jsonError(path, err)
		}
		if err := check(path+".architecture", m.Architecture); err != nil {
			return err
		}
		for j, s := range m.SubArchitectures {
			if err := check(path+".subArchitectures["+strconv.Itoa(j)+"]", s); err != nil {
				return err
			}
			if m.Architecture == target {
				add(s)
			}
		}
	}
	return nil
}

// syscall returns the rules of one element of syscalls, none if its
// includes/excludes leave it out.
func (p *ociParser) syscall(path string, raw json.RawMessage, archName string) ([]Rule, error) {
	var s ociSyscall
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, jsonError(path, err)
	}
	names := s.Names
	if s.Name != "" {
		if len(s.Names) != 0 {
			return nil, invalid(path, "both name and names are given")
		}
		names = []string{s.Name}
	}
	if s.Action == nil {
		return nil, invalid(path+".action", "missing")
	}
	action, err := ociAction(*s.Action, s.ErrnoRet)
	if err != nil {
		return nil, invalid(path+".action", "%v", err)
	}
	var conds []Cond
	count := [MaxArgs]int{}
	for j, rawArg := range s.Args {
		c, err := p.arg(path+".args["+strconv.Itoa(j)+"]", rawArg)
		if err != nil {
			return nil, err
		}
		count[c.Arg]++
		conds = append(conds, c)
	}
	keep, err := p.filter(path, s.Includes, s.Excludes, archName)
	if err != nil || !keep {
		return nil, err
	}
	// runc's rule: an index named twice makes one rule per arg.
	groups := [][]Cond{conds}
	if slices.ContainsFunc(count[:], func(n int) bool { return n > 1 }) {
		groups = groups[:0]
		for _, c := range conds {
			groups = append(groups, []Cond{c})
		}
	}
	var rules []Rule
	for j, name := range names {
		nr, err := p.arch.Lookup(name)
		if err != nil {
			if p.opts.Unknown != SkipUnknown {
				return nil, invalid(path+".names["+strconv.Itoa(j)+"]", "unknown system call %q on %v", name, p.arch)
			}
			if !p.skipped[name] {
				p.skipped[name] = true
				p.out.Skipped = append(p.out.Skipped, name)
			}
			continue
		}
		for _, g := range groups {
			rules = append(rules, Rule{Syscall: nr, Action: action, Conds: g})
		}
	}
	return rules, nil
}

func (p *ociParser) arg(path string, raw json.RawMessage) (Cond, error) {
	var a ociArg
	if err := json.Unmarshal(raw, &a); err != nil {
		return Cond{}, jsonError(path, err)
	}
	if a.Index == nil {
		return Cond{}, invalid(path+".index", "missing")
	}
	if *a.Index >= MaxArgs {
		return Cond{}, invalid(path+".index", "%d is not 0..%d", *a.Index, MaxArgs-1)
	}
	if a.Op == nil {
		return Cond{}, invalid(path+".op", "missing")
	}
	op, ok := ociOps[*a.Op]
	if !ok {
		return Cond{}, invalid(path+".op", "unknown operator %q", *a.Op)
	}
	c := Cond{Arg: uint8(*a.Index), Op: op, Value: a.Value}
	if op == OpMaskedEqual {
		c.Mask, c.Value = a.Value, a.ValueTwo
	}
	if !p.arch.Is64Bit() && (c.Value>>32 != 0 || c.Mask>>32 != 0) {
		return Cond{}, invalid(path, "%v is wider than %v's 32-bit arguments", c, p.arch)
	}
	return c, nil
}

// hasCap reports whether the capability a profile names is in set; a
// name lx does not know is in none.
func hasCap(set capability.Set, name string) bool {
	c, err := capability.Parse(name)
	return err == nil && set.Has(c)
}

// filter applies Docker's includes and excludes, as moby's
// profiles/seccomp setupSeccomp does.
func (p *ociParser) filter(path string, inc, exc *ociFilter, archName string) (bool, error) {
	if exc != nil {
		if slices.Contains(exc.Arches, archName) {
			return false, nil
		}
		for _, c := range exc.Caps {
			if hasCap(p.opts.Caps, c) {
				return false, nil
			}
		}
		if exc.MinKernel != nil {
			at, err := p.atLeast(path+".excludes.minKernel", *exc.MinKernel)
			if err != nil || at {
				return false, err
			}
		}
	}
	if inc != nil {
		if len(inc.Arches) > 0 && !slices.Contains(inc.Arches, archName) {
			return false, nil
		}
		for _, c := range inc.Caps {
			if !hasCap(p.opts.Caps, c) {
				return false, nil
			}
		}
		if inc.MinKernel != nil {
			at, err := p.atLeast(path+".includes.minKernel", *inc.MinKernel)
			if err != nil || !at {
				return false, err
			}
		}
	}
	return true, nil
}

// atLeast reports whether the kernel is at least minKernel, Docker's
// "<kernel>.<major>" (each 0..255, not both 0; "" is no condition),
// comparing major and minor only.
func (p *ociParser) atLeast(path, min string) (bool, error) {
	if min == "" {
		return true, nil
	}
	a, b, ok := strings.Cut(min, ".")
	major, err1 := strconv.ParseUint(a, 10, 8)
	minor, err2 := strconv.ParseUint(b, 10, 8)
	if !ok || err1 != nil || err2 != nil || major == 0 && minor == 0 {
		return false, invalid(path, "kernel version %q is not <kernel>.<major>", min)
	}
	if p.kernel.IsZero() {
		p.kernel = p.opts.Kernel
		if p.kernel.IsZero() {
			v, err := kernel.Running()
			if err != nil {
				return false, fmt.Errorf("%s: %w", path, err)
			}
			p.kernel = v
		}
	}
	return kernel.V(p.kernel.Major, p.kernel.Minor).AtLeast(kernel.V(int(major), int(minor))), nil
}

// ociAction returns the Action of a runtime-spec action name and its
// errnoRet.
func ociAction(name string, errnoRet *uint64) (Action, error) {
	var a Action
	switch name {
	case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD":
		a = RetKillThread
	case "SCMP_ACT_KILL_PROCESS":
		a = RetKillProcess
	case "SCMP_ACT_TRAP":
		a = RetTrap
	case "SCMP_ACT_ALLOW":
		a = RetAllow
	case "SCMP_ACT_LOG":
		a = RetLog
	case "SCMP_ACT_NOTIFY":
		a = RetUserNotif
	case "SCMP_ACT_ERRNO":
		e := uint64(syscall.EPERM)
		if errnoRet != nil {
			e = *errnoRet
		}
		if e > maxErrno {
			return 0, fmt.Errorf("errno %d of %s is above %d", e, name, maxErrno)
		}
		return retErrno | Action(e), nil
	case "SCMP_ACT_TRACE":
		msg := uint64(syscall.EPERM)
		if errnoRet != nil {
			msg = *errnoRet
		}
		if msg > retData {
			return 0, fmt.Errorf("message %d of %s is above %d", msg, name, retData)
		}
		return RetTrace(uint16(msg)), nil
	default:
		return 0, fmt.Errorf("unknown action %q", name)
	}
	if errnoRet != nil {
		return 0, fmt.Errorf("errnoRet with %s, which takes none", name)
	}
	return a, nil
}
