package landlock

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// ABI is a Landlock ABI version, the number landlock_create_ruleset(2)
// returns with LANDLOCK_CREATE_RULESET_VERSION. Each version adds rights
// or flags; 0 stands for a kernel without Landlock (or with Landlock not
// enabled at boot).
//
//	1  Linux 5.13  filesystem rights fs.execute ... fs.make_sym
//	2  Linux 5.19  fs.refer
//	3  Linux 6.2   fs.truncate
//	4  Linux 6.7   net.bind_tcp, net.connect_tcp (port rules)
//	5  Linux 6.10  fs.ioctl_dev
//	6  Linux 6.12  scope.abstract_unix_socket, scope.signal
//	7  Linux 6.15  the restrict flags (audit logging)
//
// ABI 8 (Linux 7.0) adds LANDLOCK_RESTRICT_SELF_TSYNC, which restricts
// every thread of the process at once; lx does not offer it yet (see
// Ruleset).
type ABI int

// abiKernel is the first mainline kernel of each ABI version.
var abiKernel = [...]kernel.Version{
	1: kernel.V(5, 13), 2: kernel.V(5, 19), 3: kernel.V(6, 2), 4: kernel.V(6, 7),
	5: kernel.V(6, 10), 6: kernel.V(6, 12), 7: kernel.V(6, 15),
}

// MaxABI is the newest ABI version whose rights and flags lx knows.
const MaxABI ABI = 7

// CurrentABI returns the running kernel's Landlock ABI version. Without
// Landlock, or with Landlock not enabled at boot (the lsm= kernel
// parameter), the error is a *kernel.FeatureError that says which. The
// answer comes from lx's one cached probe (internal/feature's Landlock).
func CurrentABI() (ABI, error) {
	detail, err := feature.Landlock.Detail()
	if err != nil {
		return 0, fmt.Errorf("landlock: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(detail, "ABI "))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("landlock: unexpected ABI probe answer %q", detail)
	}
	return ABI(n), nil
}

// String returns "ABI 7".
func (v ABI) String() string { return "ABI " + strconv.Itoa(int(v)) }

// MinKernel returns the first mainline kernel with ABI version v, or the
// zero Version for a version lx does not know.
func (v ABI) MinKernel() kernel.Version {
	if v < 1 || int(v) >= len(abiKernel) {
		return kernel.Version{}
	}
	return abiKernel[v]
}

// AccessFS returns the filesystem rights that ABI version v has.
func (v ABI) AccessFS() AccessFS {
	var a AccessFS
	for _, r := range fsText.Flags {
		if minABIFS(r.Bits) <= v {
			a |= r.Bits
		}
	}
	return a
}

// AccessNet returns the network rights that ABI version v has.
func (v ABI) AccessNet() AccessNet {
	if v >= 4 {
		return BindTCP | ConnectTCP
	}
	return 0
}

// Scopes returns the scopes that ABI version v has.
func (v ABI) Scopes() Scope {
	if v >= 6 {
		return AbstractUnixSocket | Signal
	}
	return 0
}

// RestrictFlags returns the restrict flags that ABI version v has.
func (v ABI) RestrictFlags() RestrictFlags {
	if v >= 7 {
		return LogSameExecOff | LogNewExecOn | LogSubdomainsOff
	}
	return 0
}

// minABIFS is the ABI that brought filesystem right r.
func minABIFS(r AccessFS) ABI {
	switch r {
	case Refer:
		return 2
	case Truncate:
		return 3
	case IoctlDev:
		return 5
	}
	return 1
}

// RestrictFlags are landlock_restrict_self(2)'s flags, the
// LANDLOCK_RESTRICT_SELF_* bits (Landlock ABI 7, Linux 6.15), which tune
// the audit records of denials. The kernel never prints them: the text
// form is lx's flag form with the macro names
// ("LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON|0x10", "0" for none).
type RestrictFlags uint32

// Restrict flags (ABI 7, 6.15).
const (
	// LogSameExecOff stops logging denials of the restricted program
	// itself (until it calls execve).
	LogSameExecOff RestrictFlags = sys.LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
	// LogNewExecOn logs denials of the programs it executes.
	LogNewExecOn RestrictFlags = sys.LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
	// LogSubdomainsOff stops logging denials of nested domains.
	LogSubdomainsOff RestrictFlags = sys.LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
)

var restrictText = flagtext.Format[RestrictFlags]{Sep: '|', None: "0", Flags: []flagtext.Flag[RestrictFlags]{
	{Bits: LogSameExecOff, Name: "LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF"},
	{Bits: LogNewExecOn, Name: "LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON"},
	{Bits: LogSubdomainsOff, Name: "LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF"},
}}

// String returns the text form.
func (f RestrictFlags) String() string { return restrictText.String(f) }

// MarshalText returns String's text.
func (f RestrictFlags) MarshalText() ([]byte, error) { return restrictText.Append(nil, f), nil }

// UnmarshalText sets *f from ParseRestrictFlags's form.
func (f *RestrictFlags) UnmarshalText(text []byte) error {
	return restrictText.Unmarshal(f, text, "landlock: invalid restrict flags")
}

// ParseRestrictFlags reads String's form: "0", or names and "0x" numbers
// separated by "|".
func ParseRestrictFlags(s string) (RestrictFlags, error) {
	var f RestrictFlags
	err := f.UnmarshalText([]byte(s))
	return f, err
}
