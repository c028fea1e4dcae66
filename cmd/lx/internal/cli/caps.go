package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/procfs"
)

func init() {
	register(func() Command { return &capsCommand{fs: procfs.Default()} })
	register(func() Command { return &capsDecodeCommand{} })
}

// capsCommand is `lx caps [PID]`.
type capsCommand struct {
	fs procfs.FS
}

func (*capsCommand) Name() string { return "caps" }
func (*capsCommand) Synopsis() string {
	return "a process's capability sets: effective, permitted, inheritable, bounding, ambient"
}
func (*capsCommand) Usage() string { return "[flags] [pid]" }
func (*capsCommand) Help() string {
	return `Shows the five capability sets of a process (capabilities(7)): effective
(in force), permitted (what may be made effective), inheritable (kept
across execve for programs that allow it), bounding (the limit of what
execve may grant) and ambient (kept across execve of ordinary programs).
Without a process id it shows lx's own, read with capget(2) and prctl(2),
and also lx's securebits (prctl PR_GET_SECUREBITS), which /proc does not
show for other processes; with one it reads the CapEff, CapPrm, CapInh,
CapBnd and CapAmb lines of /proc/PID/status, which any user may read.

Each set is listed by libcap's names ("cap_net_raw"), "all" when it holds
every capability of the running kernel (cap_chown to the one
/proc/sys/kernel/cap_last_cap names), "all except" and the names of
those it lacks when they are fewer than those it has, "none" when
empty. A capability lx has no name for is its number. The "state" line is the effective,
permitted and inheritable sets in libcap's text form, as getpcaps(8) and
capsh --print show them ("=ep", "cap_net_raw=ep"). 'lx caps decode HEX'
names the capabilities of a mask, as capsh --decode does.

With --json the output is {"pid", "sets", "securebits"}: "sets" is the
lx library's value capability.Sets (go doc
github.com/lxgo/lx/capability.Sets) under its Go field names, each set
as its text, the names joined by commas ("" for none); "securebits" is
capability.Securebits as its text ("0", "SECBIT_KEEP_CAPS|..."), null
for another process.`
}

// capsReport is the output of `lx caps --json`.
type capsReport struct {
	PID        int                    `json:"pid"`
	Sets       capability.Sets        `json:"sets"`
	Securebits *capability.Securebits `json:"securebits"`
}

func (c *capsCommand) Run(ctx context.Context, env *Env, args []string) error {
	var r capsReport
	switch len(args) {
	case 0:
		sets, err := capability.Current()
		if err != nil {
			return err
		}
		bits, err := capability.CurrentSecurebits()
		if err != nil {
			return err
		}
		r = capsReport{PID: c.fs.Self().PID(), Sets: sets, Securebits: &bits}
	case 1:
		pid, err := parsePID(args[0])
		if err != nil {
			return err
		}
		p, err := c.fs.Proc(pid)
		if err != nil {
			return openError(pid, err)
		}
		st, err := p.Status()
		if err != nil {
			return openError(pid, err)
		}
		r = capsReport{PID: pid, Sets: capability.Sets{
			Effective: st.CapEff, Permitted: st.CapPrm, Inheritable: st.CapInh, Bounding: st.CapBnd, Ambient: st.CapAmb,
		}}
	default:
		return Usagef("want at most one process id, got %d arguments", len(args))
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	full, err := capability.Full()
	if err != nil {
		return err
	}
	set := func(s capability.Set) string {
		switch missing := full.Difference(s); {
		case s == 0:
			return "none"
		case s == full:
			return "all"
		case s&^full == 0 && missing.Len() < s.Len():
			return "all except " + missing.String()
		}
		return s.String()
	}
	t := newTable(env.Stdout)
	t.Row("pid", formatCount(r.PID))
	t.Row("effective", set(r.Sets.Effective))
	t.Row("permitted", set(r.Sets.Permitted))
	t.Row("inheritable", set(r.Sets.Inheritable))
	t.Row("bounding", set(r.Sets.Bounding))
	t.Row("ambient", set(r.Sets.Ambient))
	t.Row("state", r.Sets.State().String())
	if r.Securebits != nil {
		t.Row("securebits", r.Securebits.String())
	}
	return t.Flush()
}

// capsDecodeCommand is `lx caps decode HEX`.
type capsDecodeCommand struct{}

func (*capsDecodeCommand) Name() string { return "caps decode" }
func (*capsDecodeCommand) Synopsis() string {
	return "name the capabilities of a hexadecimal mask, as capsh --decode does"
}
func (*capsDecodeCommand) Usage() string { return "[flags] HEX" }
func (*capsDecodeCommand) Help() string {
	return `Prints the capabilities of a mask in hexadecimal, as /proc/PID/status
shows capability sets (CapEff: 000001ffffffffff) and as libcap's
capsh --decode=HEX prints them: the mask with 16 digits, "=", and the
capabilities' names in increasing order separated by commas,
"0x0000000000003000=cap_net_admin,cap_net_raw". A capability lx has no
name for is its number. HEX has 1 to 16 hexadecimal digits, with or
without "0x".

With --json the output is {"mask", "caps"}: the mask as printed, and
the capabilities as an array of their names.`
}

// capsDecodeReport is the output of `lx caps decode --json`.
type capsDecodeReport struct {
	Mask string           `json:"mask"`
	Caps []capability.Cap `json:"caps"`
}

func (*capsDecodeCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return Usagef("want one hexadecimal mask, got %d arguments", len(args))
	}
	text := args[0]
	if rest, ok := strings.CutPrefix(text, "0x"); ok {
		text = rest
	} else if rest, ok := strings.CutPrefix(text, "0X"); ok {
		text = rest
	}
	s, err := capability.ParseHex(text)
	if err != nil {
		return Usagef("invalid mask %q: want 1 to 16 hexadecimal digits", args[0])
	}
	r := capsDecodeReport{Mask: "0x" + s.Hex(), Caps: []capability.Cap{}}
	for c := range s.All() {
		r.Caps = append(r.Caps, c)
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	_, err = fmt.Fprintf(env.Stdout, "%s=%s\n", r.Mask, s)
	return err
}
