package procfs

import (
	"errors"

	"github.com/lxgo/lx/internal/parse"
)

// SmapsRollup is /proc/PID/smaps_rollup (Linux 4.14): the smaps counters
// summed over all mappings of the process, computed by the kernel in one
// pass. It is much cheaper than reading smaps and adding up.
type SmapsRollup struct {
	// Start and End span the mappings that were summed: from the start of
	// the first to the end of the last.
	Start, End uint64
	SmapsUsage
}

// SmapsRollup reads /proc/PID/smaps_rollup. Access rules are those of Maps
// (PTRACE_MODE_READ). A process without user memory (a kernel thread, or a
// zombie that has released it) has nothing to sum: the result is the zero
// SmapsRollup and no error (recent kernels, 6.18 for one, say ESRCH for such
// a process; older ones give an empty file). It allocates nothing in steady
// state.
func (p Proc) SmapsRollup() (SmapsRollup, error) {
	r, err := read(p, "smaps_rollup", parseSmapsRollup)
	if noMemory(err) {
		return SmapsRollup{}, nil
	}
	return r, err
}

var errRollupEmpty = errors.New("empty header line")

// parseSmapsRollup parses smaps_rollup: a maps-style header ending in
// "[rollup]" and the counters.
func parseSmapsRollup(b []byte) (SmapsRollup, error) {
	var r SmapsRollup
	if len(b) == 0 {
		return r, nil // no mappings: a process without user memory
	}
	line, b := parse.Line(b)
	if len(line) == 0 {
		return r, parseErr(1, "", errRollupEmpty)
	}
	m, _, err := parseMapsLine(line)
	if err != nil {
		return r, atLine(1, err)
	}
	r.Start, r.End = m.Start, m.End
	for n := 2; len(b) > 0; n++ {
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		key, val, ok := parse.KeyValue(line, ':')
		if !ok {
			return SmapsRollup{}, parseErr(n, "", errNoColon)
		}
		p := r.SmapsUsage.field(key)
		if p == nil {
			continue // a counter this version of lx does not know
		}
		if *p, err = parse.KB(val); err != nil {
			return SmapsRollup{}, parseErr(n, string(key), err)
		}
	}
	return r, nil
}
