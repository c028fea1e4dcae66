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

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/seccomp"
)

// renderProc writes r for people: a table of facts, then the namespaces,
// limits, open files and environment. Lists of capabilities and threads
// are wrapped to width characters (0: defaultWrap). Each section that
// could not be read is one row with its reason.
func renderProc(w io.Writer, r procReport, width int) error {
	// why returns the reason key is unavailable.
	why := func(key string) string {
		if err := r.Unavailable[key]; err != nil {
			return "unavailable: " + err.Error()
		}
		return "unavailable"
	}
	st := &r.Stat

	t := newTable(w)
	t.Wrap = width
	t.Row("pid", formatCount(r.PID))
	if r.PidfsID != nil {
		t.Row("pidfs id", r.PidfsID.String())
	} else {
		t.Row("pidfs id", why("pidfs_id"))
	}
	if !r.Anchored {
		t.Row("anchored", "no: read /proc by path (no pidfd)")
	}
	t.Row("comm", escape(st.Comm.String()))
	state := escape(string([]byte{byte(st.State)})) + " (" + st.State.String() + ")"
	if r.KernelThread {
		state += ", kernel thread"
	}
	t.Row("state", state)
	t.Row("parent", formatCount(st.PPID))
	t.Row("pgid, sid", formatCount(st.PGRP)+", "+formatCount(st.Session))
	switch {
	case r.TTY == nil:
		t.Row("tty", why("tty"))
	case *r.TTY == "":
		t.Row("tty", "none")
	default:
		t.Row("tty", escape(*r.TTY))
	}
	if r.StartTime != nil {
		t.Row("started", formatTime(*r.StartTime))
	} else {
		t.Row("started", why("start_time"))
	}
	t.Row("cpu time", formatCPUTimes(st.UTime, st.STime))
	t.Row("scheduling", fmt.Sprintf("%v, nice %d, last on CPU %d", st.Policy, st.Nice, st.Processor))
	switch {
	case r.Cmdline == nil:
		t.Row("command", why("cmdline"))
	case len(r.Cmdline) == 0:
		t.Row("command", "none ["+escape(st.Comm.String())+"]")
	default:
		t.Row("command", quoteArgs(r.Cmdline))
	}
	for _, l := range []struct {
		key  string
		link *procfs.Link
	}{{"exe", r.Exe}, {"cwd", r.Cwd}, {"root", r.Root}} {
		if l.link != nil {
			t.Row(l.key, formatLink(*l.link))
		} else {
			t.Row(l.key, why(l.key))
		}
	}

	if s := r.Status; s != nil {
		u, g := s.UID, s.GID
		t.Row("uid", formatIDs(r.UserNames, u.Real, u.Effective, u.Saved, u.FS))
		t.Row("gid", formatIDs(r.GroupNames, g.Real, g.Effective, g.Saved, g.FS))
		groups := make([]string, len(s.Groups))
		for i, g := range s.Groups {
			groups[i] = formatID(r.GroupNames, g)
		}
		t.WrapRow(groupsOr(groups), "groups")
		capRows(t, r.allCaps, s.CapEff, s.CapPrm, s.CapInh, s.CapBnd, s.CapAmb)
		line := s.Seccomp.String()
		if s.Seccomp == seccomp.ModeFilter {
			line += fmt.Sprintf(" (%d filters)", s.SeccompFilters)
		}
		if s.NoNewPrivs {
			line += ", no_new_privs"
		}
		t.Row("seccomp", line)
		t.Row("cpus allowed", s.CPUsAllowed.String())
		t.Row("mems allowed", s.MemsAllowed.String())
		t.Row("ctx switches", formatCount(s.VoluntaryCtxtSwitches)+" voluntary, "+
			formatCount(s.NonvoluntaryCtxtSwitches)+" involuntary")
	} else {
		// uid, gid, groups, capabilities, seccomp, CPUs and context
		// switches all come from status: one row says why they are
		// missing.
		t.Row("status", why("status"))
	}
	switch {
	case r.WChan == nil:
		t.Row("wchan", why("wchan"))
	case *r.WChan == "":
		t.Row("wchan", "none")
	default:
		t.Row("wchan", escape(*r.WChan))
	}
	oom := why("oom_score")
	if r.OOMScore != nil {
		oom = formatCount(*r.OOMScore)
	}
	if r.OOMScoreAdj != nil {
		oom += ", adj " + strconv.Itoa(*r.OOMScoreAdj)
	} else {
		oom += ", adj " + why("oom_score_adj")
	}
	t.Row("oom score", oom)

	if r.Cgroups == nil {
		t.Row("cgroups", why("cgroups"))
	}
	for i, cg := range r.Cgroups {
		label := ""
		if i == 0 {
			label = "cgroups"
		}
		name := "(v2)"
		if len(cg.Controllers) > 0 {
			name = strings.Join(cg.Controllers, ",")
		}
		line := fmt.Sprintf("%d:%s %s", cg.HierarchyID, escape(name), escape(cg.Path))
		if cg.Deleted {
			line += " (deleted)"
		}
		t.Row(label, line)
	}
	writeProcCgroupLimits(t, r.CgroupLimits, why)
	if r.Threads != nil {
		words := []string{formatCount(len(r.Threads)) + ":"}
		for _, tid := range r.Threads {
			words = append(words, formatCount(tid))
		}
		t.WrapRow(words, "threads")
	} else {
		t.Row("threads", why("threads"))
	}
	if r.FDCount != nil {
		t.Row("open fds", formatCount(*r.FDCount))
	} else {
		t.Row("open fds", why("fd_count"))
	}
	memoryRows(t, &r, why)
	if io := r.IO; io != nil {
		t.Row("io", fmt.Sprintf("rchar %s, wchar %s, syscr %s, syscw %s", formatBytes(io.RChar),
			formatBytes(io.WChar), formatCount(io.SyscR), formatCount(io.SyscW)))
		t.Row("", fmt.Sprintf("read_bytes %s, write_bytes %s, cancelled_write_bytes %s",
			formatBytes(io.ReadBytes), formatBytes(io.WriteBytes), formatBytes(io.CancelledWriteBytes)))
	} else {
		t.Row("io", why("io"))
	}
	if r.Namespaces == nil {
		t.Row("namespaces", why("namespaces"))
	}
	if r.Limits == nil {
		t.Row("limits", why("limits"))
	}
	if r.FDs == nil {
		t.Row("fd list", why("fds"))
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

	if len(r.Namespaces)+len(r.released) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("NAMESPACE", "INODE")
		types := slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(r.Namespaces)), r.released...)))
		for _, typ := range types { // ns.Type order is alphabetical
			if ino, ok := r.Namespaces[typ]; ok {
				t.Row(typ.String(), formatCount(ino))
			} else {
				t.Row(typ.String(), why("namespaces."+typ.String()))
			}
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if r.Limits != nil {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("RESOURCE", "SOFT", "HARD")
		for res, l := range r.Limits.All() {
			t.Row(res.String(), formatLimit(res, l.Soft), formatLimit(res, l.Hard))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.FDs) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("FD", "KIND", "TARGET")
		for _, f := range r.FDs {
			t.Row(formatCount(f.Num), f.Kind.String(), formatLink(procfs.Link{Target: f.Target, Deleted: f.Deleted}))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if len(r.Environ) > 0 {
		fmt.Fprintf(w, "\nENVIRONMENT\n")
		for _, e := range r.Environ {
			fmt.Fprintln(w, escape(e.String()))
		}
	}
	return nil
}

// memoryRows adds the memory of r: the figures of status that anyone may
// read (or statm's, when status could not be read), then the breakdown of
// smaps_rollup, which needs ptrace access, without the figures status
// already gave.
func memoryRows(t *table, r *procReport, why func(string) string) {
	if errors.Is(r.Unavailable["smaps_rollup"], errKthreadMM) || errors.Is(r.Unavailable["smaps_rollup"], errZombieMM) {
		t.Row("memory", why("smaps_rollup")) // the process has none
		return
	}
	switch s, m := r.Status, r.Statm; {
	case s != nil:
		t.Row("memory", fmt.Sprintf("rss %s (anon %s, file %s, shmem %s), peak %s",
			formatBytes(s.VmRSS), formatBytes(s.RssAnon), formatBytes(s.RssFile), formatBytes(s.RssShmem),
			formatBytes(s.VmHWM)))
		t.Row("", fmt.Sprintf("virtual %s, swap %s, locked %s",
			formatBytes(s.VmSize), formatBytes(s.VmSwap), formatBytes(s.VmLck)))
	case m != nil:
		t.Row("memory", fmt.Sprintf("rss %s (file and shmem %s), virtual %s",
			formatBytes(m.Resident), formatBytes(m.Shared), formatBytes(m.Size)))
	default:
		t.Row("memory", why("statm"))
	}
	if m := r.SmapsRollup; m != nil {
		t.Row("", fmt.Sprintf("pss %s (anon %s, file %s, shmem %s), swap pss %s",
			formatBytes(m.Pss), formatBytes(m.PssAnon), formatBytes(m.PssFile), formatBytes(m.PssShmem),
			formatBytes(m.SwapPss)))
		t.Row("", fmt.Sprintf("private %s clean, %s dirty; shared %s clean, %s dirty",
			formatBytes(m.PrivateClean), formatBytes(m.PrivateDirty), formatBytes(m.SharedClean),
			formatBytes(m.SharedDirty)))
	} else {
		t.Row("", "smaps_rollup "+why("smaps_rollup"))
	}
}

// capRows adds the five capability sets. A set is a wrapped list of
// libcap names, except: "none" for the empty set; "all (N)" for a set
// that holds every capability of full (the running kernel's, from
// capability.Full; 0 when lx could not learn them), and "all but
// NAME... (N)" for one that lacks fewer than it holds; and "same as
// NAME" for a set equal to one listed above it.
func capRows(t *table, full, eff, prm, inh, bnd, amb capability.Set) {
	type set struct {
		name string
		caps capability.Set
	}
	sets := []set{{"effective", eff}, {"permitted", prm}, {"inheritable", inh}, {"bounding", bnd}, {"ambient", amb}}
	for i, s := range sets {
		label := "caps " + s.name
		n := formatCount(s.caps.Len())
		missing := full.Difference(s.caps)
		switch j := slices.IndexFunc(sets[:i], func(o set) bool { return o.caps == s.caps }); {
		case s.caps == 0:
			t.Row(label, "none")
		case full != 0 && missing == 0:
			t.Row(label, "all ("+n+")")
		case j >= 0:
			t.Row(label, "same as "+sets[j].name)
		case full != 0 && missing.Len() < s.caps.Len():
			t.WrapRow(append(append([]string{"all but"}, capNames(missing)...), "("+n+")"), label)
		default:
			t.WrapRow(capNames(s.caps), label)
		}
	}
}

// capNames returns libcap's names of the capabilities in s.
func capNames(s capability.Set) []string {
	var names []string
	for c := range s.All() {
		names = append(names, c.String())
	}
	return names
}

// formatLink formats a magic link's target (exe, cwd, root, a
// descriptor) for the table: the path escaped, followed by " (deleted)"
// when the file was deleted. A name that itself ends in " (deleted)"
// shows that space as \x20, so a plain " (deleted)" at the end always
// means the file is gone.
func formatLink(l procfs.Link) string {
	if l.Deleted {
		return escape(l.Path()) + " (deleted)"
	}
	s := escape(l.Target)
	if rest, ok := strings.CutSuffix(s, " (deleted)"); ok {
		return rest + `\x20(deleted)`
	}
	return s
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

// formatID formats a user or group id as id(1) does: "0(root)", or the
// number alone when it has no name.
func formatID[ID cred.UID | cred.GID](names map[ID]string, id ID) string {
	if name, ok := names[id]; ok {
		return formatCount(id) + "(" + escape(name) + ")"
	}
	return formatCount(id)
}

// formatIDs formats the real, effective, saved and filesystem ids:
// "0(root) (real, effective, saved, fs)" when the four agree.
func formatIDs[ID cred.UID | cred.GID](names map[ID]string, realID, effID, savedID, fsID ID) string {
	if realID == effID && realID == savedID && realID == fsID {
		return formatID(names, realID) + " (real, effective, saved, fs)"
	}
	return fmt.Sprintf("%s real, %s effective, %s saved, %s fs", formatID(names, realID),
		formatID(names, effID), formatID(names, savedID), formatID(names, fsID))
}

// groupsOr returns the groups, or "none".
func groupsOr(groups []string) []string {
	if len(groups) == 0 {
		return []string{"none"}
	}
	return groups
}
