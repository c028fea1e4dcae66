package cli

// The process forest of lx ps --tree, drawn as procps's `ps f` draws it
// (show_tree and forest_helper in ps/display.c and ps/output.c).

import (
	"slices"
	"strings"
)

// psForest orders rows (in their sort order, the threads of a process
// under -L included) as a forest: each process after its parent, its
// children in the order their first rows had. It returns the rows in
// that order and, for each, the branches to draw before its command.
//
// Roots are the processes whose parent is not among the rows (or is the
// process itself), in their order; as in `ps f`, the children of pid 1
// are drawn at pid 1's level, not below it. A process left over (one on
// a cycle of parents, which a fake /proc can have) starts a tree of its
// own, so that every row is shown once.
func psForest(rows []psProcess) ([]psProcess, []string) {
	// The processes in order of their first row, with their rows.
	var pids []int
	rowsOf := map[int][]int{}
	for i := range rows {
		pid := rows[i].PID
		if _, seen := rowsOf[pid]; !seen {
			pids = append(pids, pid)
		}
		rowsOf[pid] = append(rowsOf[pid], i)
	}
	children := map[int][]int{}
	var roots []int
	for _, pid := range pids {
		ppid := rows[rowsOf[pid][0]].PPID
		if _, listed := rowsOf[ppid]; listed && ppid != pid {
			children[ppid] = append(children[ppid], pid)
		} else {
			roots = append(roots, pid)
		}
	}

	f := psForestWriter{rows: rows, rowsOf: rowsOf, children: children, done: map[int]bool{}}
	for _, pid := range roots {
		f.walk(pid, nil, false, false)
	}
	for _, pid := range pids {
		if !f.done[pid] {
			f.walk(pid, nil, false, false)
		}
	}
	return f.out, f.prefixes
}

// psForestWriter walks the forest.
type psForestWriter struct {
	rows     []psProcess
	rowsOf   map[int][]int
	children map[int][]int
	done     map[int]bool

	out      []psProcess
	prefixes []string
}

// walk appends the rows of pid, and then its children's. above holds a
// mark for each level above pid's branch, as procps's forest_prefix
// does: '|' where an ancestor's branch continues to a later sibling, ' '
// where it does not. branch says whether pid hangs from a branch (it is
// not at the left margin), sibling whether a later sibling follows it.
func (f *psForestWriter) walk(pid int, above []byte, branch, sibling bool) {
	f.done[pid] = true
	prefix := psBranches(above)
	if branch {
		prefix += ` \_ `
	}
	for _, i := range f.rowsOf[pid] {
		f.out = append(f.out, f.rows[i])
		f.prefixes = append(f.prefixes, prefix)
	}
	// The children's branches hang below pid's; as in ps f, init's
	// children are drawn at init's own level.
	kidsAbove, kidsBranch := above, branch
	if pid != 1 {
		kidsBranch = true
		if branch {
			mark := byte(' ')
			if sibling {
				mark = '|'
			}
			kidsAbove = append(slices.Clone(above), mark)
		}
	}
	kids := f.children[pid]
	for i, c := range kids {
		if !f.done[c] {
			f.walk(c, kidsAbove, kidsBranch, i < len(kids)-1)
		}
	}
}

// psBranches draws the marks as procps's forest_helper does, four
// characters a level.
func psBranches(marks []byte) string {
	var b strings.Builder
	for _, m := range marks {
		if m == '|' {
			b.WriteString(` |  `)
		} else {
			b.WriteString(`    `)
		}
	}
	return b.String()
}
