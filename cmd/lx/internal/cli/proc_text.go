package cli

// The human form of `lx proc`.

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/seccomp"
)

// renderProc writes r for people: a table of facts, then the namespaces,
// limits, open files and environment. Lists of capabilities are wrapped to
// width characters (0: defaultWrap).
func renderProc(w io.Writer, r procReport, width int) error {
	// why returns the reason key is unavailable.
	why := func(key string) string {
		if err := r.Unavailable[key]; err != nil {
			return "unavailable: " + err.Error()
		}
		return "unavailable"
	}
	id := r.Identity

	t := newTable(w)
	t.Wrap = width
	t.Row("pid", strconv.Itoa(id.PID))
	if id.PidfsID != nil {
		t.Row("pidfs id", strconv.FormatUint(*id.PidfsID, 10))
	} else {
		t.Row("pidfs id", why("identity.pidfs_id"))
	}
	if !id.Anchored {
		t.Row("anchored", "no: read /proc by path (no pidfd)")
	}
	t.Row("comm", escape(id.Comm))
	state := id.State + " (" + id.StateName + ")"
	if id.KernelThread {
		state += ", kernel thread"
	}
	t.Row("state", state)
	t.Row("parent", strconv.Itoa(id.PPID))
	t.Row("pgid, sid", strconv.Itoa(id.PGID)+", "+strconv.Itoa(id.SID))
	if id.Start != nil {
		t.Row("started", formatTime(*id.Start))
	} else {
		t.Row("started", why("identity.start_time"))
	}
	t.Row("cpu time", formatCPUTimes(id.UserTime, id.SystemTime))
	t.Row("scheduling", fmt.Sprintf("%v, nice %d, last on CPU %d", id.Policy, id.Nice, id.LastCPU))
	switch {
	case r.Cmdline == nil:
		t.Row("command", why("cmdline"))
	case len(r.Cmdline) == 0:
		t.Row("command", "none ["+escape(id.Comm)+"]")
	default:
		t.Row("command", quoteArgs(r.Cmdline))
	}

	if c := r.Credentials; c != nil {
		t.Row("uid", fmtIDs(c.UID))
		t.Row("gid", fmtIDs(c.GID))
		groups := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			groups[i] = strconv.FormatUint(uint64(g), 10)
		}
		t.Row("groups", joinOr(groups, " ", "none"))
	} else {
		t.Row("credentials", why("credentials"))
	}
	if c := r.Capabilities; c != nil {
		for _, s := range []struct {
			name string
			caps []string
		}{{"effective", c.Effective}, {"permitted", c.Permitted}, {"inheritable", c.Inheritable},
			{"bounding", c.Bounding}, {"ambient", c.Ambient}} {
			caps := s.caps
			if len(caps) == 0 {
				caps = []string{"none"}
			}
			t.WrapRow(caps, "caps "+s.name)
		}
	} else {
		t.Row("capabilities", why("capabilities"))
	}
	if s := r.Seccomp; s != nil {
		line := s.Mode.String()
		if s.Mode == seccomp.ModeFilter {
			line += fmt.Sprintf(" (%d filters)", s.Filters)
		}
		if s.NoNewPrivs {
			line += ", no_new_privs"
		}
		t.Row("seccomp", line)
	} else {
		t.Row("seccomp", why("seccomp"))
	}
	if r.Cgroups == nil {
		t.Row("cgroups", why("cgroups"))
	} else {
		for i, cg := range r.Cgroups {
			label := ""
			if i == 0 {
				label = "cgroups"
			}
			name := joinOr(cg.Controllers, ",", "(v2)")
			line := fmt.Sprintf("%d:%s %s", cg.HierarchyID, name, escape(cg.Path))
			if cg.Deleted {
				line += " (deleted)"
			}
			t.Row(label, line)
		}
	}
	if th := r.Threads; th != nil {
		tids := make([]string, len(th.TIDs))
		for i, tid := range th.TIDs {
			tids[i] = strconv.Itoa(tid)
		}
		t.Row("threads", formatCount(th.Count)+": "+strings.Join(tids, " "))
	} else {
		t.Row("threads", why("threads"))
	}
	if r.FDs.Count != nil {
		t.Row("open fds", formatCount(*r.FDs.Count))
	} else {
		t.Row("open fds", why("fds.count"))
	}
	if m := r.Memory; m != nil {
		t.Row("memory", fmt.Sprintf("rss %s, pss %s (anon %s, file %s, shmem %s), swap %s",
			formatBytes(m.RSS), formatBytes(m.PSS), formatBytes(m.PSSAnon), formatBytes(m.PSSFile),
			formatBytes(m.PSSShmem), formatBytes(m.Swap)))
		t.Row("", fmt.Sprintf("private %s clean, %s dirty; shared %s clean, %s dirty; locked %s",
			formatBytes(m.PrivateClean), formatBytes(m.PrivateDirty), formatBytes(m.SharedClean),
			formatBytes(m.SharedDirty), formatBytes(m.Locked)))
	} else {
		t.Row("memory", why("memory"))
	}
	if r.Namespaces == nil {
		t.Row("namespaces", why("namespaces"))
	}
	if r.Limits == nil {
		t.Row("limits", why("limits"))
	}
	if r.FDs.Open == nil {
		t.Row("fd list", why("fds.open"))
	}
	switch {
	case errors.Is(r.Unavailable["environ"], errEnvNotShown):
		t.Row("environment", "not shown (lx proc --env shows it)")
	case r.Environ == nil:
		t.Row("environment", why("environ"))
	}
	if err := t.Flush(); err != nil {
		return err
	}

	if len(r.Namespaces) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("NAMESPACE", "INODE")
		for _, typ := range slices.Sorted(maps.Keys(r.Namespaces)) { // ns.Type order is alphabetical
			if ino := r.Namespaces[typ]; ino != nil {
				t.Row(typ.String(), formatCount(*ino))
			} else {
				t.Row(typ.String(), why("namespaces."+typ.String()))
			}
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.Limits) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("RESOURCE", "SOFT", "HARD")
		for _, l := range r.Limits {
			t.Row(l.Resource.String(), formatLimit(l.Resource, rlimit.Value(l.Soft)), formatLimit(l.Resource, rlimit.Value(l.Hard)))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.FDs.Open) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("FD", "KIND", "TARGET")
		for _, f := range r.FDs.Open {
			t.Row(formatCount(f.FD), f.Kind, escape(f.Target))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.Environ) > 0 {
		fmt.Fprintf(w, "\nENVIRONMENT\n")
		for _, e := range r.Environ {
			fmt.Fprintln(w, escape(e))
		}
	}
	return nil
}

// formatLimit formats a limit value of resource res with its unit:
// "unlimited", "8 MiB", "1024", "1h 0m 0s".
func formatLimit(res rlimit.Resource, v rlimit.Value) string {
	if v.IsUnlimited() {
		return "unlimited"
	}
	switch res.Unit() {
	case rlimit.UnitBytes:
		return formatBytes(uint64(v))
	case rlimit.UnitSeconds, rlimit.UnitMicroseconds:
		if d, ok := res.Duration(v); ok { // not ok: beyond a Duration
			return formatDuration(d)
		}
		return formatCount(uint64(v)) + " " + res.Unit().String()
	}
	return formatCount(uint64(v))
}

// fmtIDs formats the four ids.
func fmtIDs(v procIDs) string {
	if v.Real == v.Effective && v.Real == v.Saved && v.Real == v.FS {
		return fmt.Sprintf("%d (real, effective, saved, fs)", v.Real)
	}
	return fmt.Sprintf("%d real, %d effective, %d saved, %d fs", v.Real, v.Effective, v.Saved, v.FS)
}

// joinOr joins ss with sep, or returns empty when there are none.
func joinOr(ss []string, sep, empty string) string {
	if len(ss) == 0 {
		return empty
	}
	return strings.Join(ss, sep)
}
