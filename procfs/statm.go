package procfs

import (
	"math/bits"

	"github.com/lxgo/lx/internal/parse"
)

// Statm is /proc/PID/statm: memory use in bytes (the file counts pages).
// Resident, Shared and Text agree with Status's VmRSS, RssFile+RssShmem and
// VmExe, but come from a cheaper, smaller file.
type Statm struct {
	Size     uint64 // total program size (VmSize)
	Resident uint64 // resident set size (VmRSS)
	Shared   uint64 // resident file-backed and shared pages (RssFile + RssShmem)
	Text     uint64 // text (code)
	Lib      uint64 // always 0 since Linux 2.6
	Data     uint64 // data + stack
	Dirty    uint64 // always 0 since Linux 2.6
}

// Statm reads /proc/PID/statm. Any user may read it; kernel threads and
// zombies read as all zeros. A page count whose bytes exceed a uint64 is
// a *ParseError naming the field. It allocates nothing in steady state.
func (p Proc) Statm() (Statm, error) {
	var s Statm
	err := readInto(p, "statm", &s, parseStatm)
	return s, err
}

// statmFieldNames are proc(5)'s names of the statm columns.
var statmFieldNames = [7]string{"size", "resident", "shared", "text", "lib", "data", "dt"}

func parseStatm(b []byte, s *Statm) error {
	var v [7]uint64
	for i := range v {
		var f []byte
		f, b = parse.Field(b)
		if i == len(v)-1 {
			f = parse.Trim(f)
		}
		n, err := parse.Uint(f)
		if err != nil {
			if len(f) == 0 {
				err = errStatShort
			}
			return parseErr(0, statmFieldNames[i], err)
		}
		hi, lo := bits.Mul64(n, pageSize)
		if hi != 0 {
			return parseErr(0, statmFieldNames[i], errRange("pages to bytes", f))
		}
		v[i] = lo
	}
	*s = Statm{Size: v[0], Resident: v[1], Shared: v[2], Text: v[3], Lib: v[4], Data: v[5], Dirty: v[6]}
	return nil
}
