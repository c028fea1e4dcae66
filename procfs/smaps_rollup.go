package procfs

import (
	"errors"
	"fmt"

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
// (PTRACE_MODE_READ); a process without memory (a kernel thread or a
// zombie) gives an error matching syscall.ESRCH on open or read.
func (p Proc) SmapsRollup() (SmapsRollup, error) {
	var r SmapsRollup
	var perr error
	err := p.readFile("smaps_rollup", func(b []byte) error {
		r, perr = parseSmapsRollup(b)
		return nil
	})
	if err != nil {
		return SmapsRollup{}, fmt.Errorf("smaps_rollup read: %w", err)
	}
	return r, perr
}

var errRollupEmpty = errors.New("empty file")

// parseSmapsRollup parses smaps_rollup: a maps-style header ending in
// "[rollup]" and the counters.
func parseSmapsRollup(b []byte) (SmapsRollup, error) {
	var r SmapsRollup
	line, b := parse.Line(b)
	if len(line) == 0 {
		return r, fmt.Errorf("smaps_rollup parse: %w", errRollupEmpty)
	}
	m, _, err := parseMapsLine(line)
	if err != nil {
		return r, fmt.Errorf("smaps_rollup parse: header: %w", err)
	}
	r.Start, r.End = m.Start, m.End
	for n := 2; len(b) > 0; n++ {
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		key, val, ok := parse.KeyValue(line, ':')
		if !ok {
			return SmapsRollup{}, fmt.Errorf("smaps_rollup parse: line %d: line without ':'", n)
		}
		p := r.SmapsUsage.field(key)
		if p == nil {
			continue // a counter this version of lx does not know
		}
		if *p, err = parse.KB(val); err != nil {
			return SmapsRollup{}, fmt.Errorf("smaps_rollup parse: %s: %w", key, err)
		}
	}
	return r, nil
}
