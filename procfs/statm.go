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
	var small [128]byte // seven numbers: at most 7*21 bytes, usually 30
	b, bp, err := p.readSmall("statm", small[:])
	if err != nil {
		return Statm{}, err
	}
	var s Statm
	err = parseStatm(b, &s)
	if bp != nil {
		putBuf(bp)
	}
	if err != nil {
		return Statm{}, withPath(p.path("statm"), err)
	}
	return s, nil
}

// statmFieldNames are proc(5)'s names of the statm columns.
var statmFieldNames = [7]string{"size", "resident", "shared", "text", "lib", "data", "dt"}

func parseStatm(b []byte, s *Statm) error {
	if parseStatmFast(b, s) {
		return nil
	}
	return parseStatmFields(b, s)
}

// parseStatmFast parses statm in the kernel's exact form, "1 2 3 4 5 6
// 7\n" (single spaces, numbers below 2^52 so that no page count can
// overflow in bytes), or returns false having written nothing; FuzzParseStatm
// checks that it agrees with parseStatmFields.
func parseStatmFast(b []byte, s *Statm) bool {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	var v [7]uint64
	x, n, ok := leadNumber(b)
	if !ok {
		return false
	}
	v[0] = x
	neg, k, ok := statNumbers(b[n:], v[1:])
	if !ok || k != len(v)-1 || neg != 0 || (v[0]|v[1]|v[2]|v[3]|v[4]|v[5]|v[6])>>52 != 0 {
		return false
	}
	*s = Statm{Size: v[0] * pageSize, Resident: v[1] * pageSize, Shared: v[2] * pageSize,
		Text: v[3] * pageSize, Lib: v[4] * pageSize, Data: v[5] * pageSize, Dirty: v[6] * pageSize}
	return true
}

// parseStatmFields is the general path of parseStatm, which takes any
// form and reports errors.
func parseStatmFields(b []byte, s *Statm) error {
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
