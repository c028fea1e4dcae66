package procfs

import (
	"math/bits"
	"runtime"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
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
	// A space, the seven numbers (at most 7*21 bytes, usually 30), and
	// the margin statNumbersArch may read past them.
	var small [1 + 160 + 64]byte
	var b []byte
	var bp *[]byte
	var err error
	if p.dir == nil && p.pid > 0 {
		// readSmall's common case, made here: a call level less is 1% of
		// the read (BenchmarkPaired statm).
		var path [64]byte
		var fd, n int
		fd, n, err = sys.ReadOnceZ(p.fs.conf().at, p.appendPathZ(path[:0], "statm"), 0, small[1:1+160])
		runtime.KeepAlive(p.fs.c) // see keepAlive; p.dir is nil
		if err != nil {
			return Statm{}, p.ioError("statm", err)
		}
		if fd < 0 {
			small[0] = ' '
			var s Statm
			if err := parseStatmSpaced(small[:1+n], &s); err != nil {
				return Statm{}, withPath(p.path("statm"), err)
			}
			return s, nil
		}
		b, bp, err = p.readRest("statm", small[1:1+n], fd)
	} else {
		b, bp, err = p.readSmall("statm", small[:160])
	}
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

// parseStatmSpaced is parseStatm of b[1:], where b[0] is a space that
// Statm read the file after: the line is then " 1 2 3 ...", the form
// statNumbersArch reads without a branch on the numbers' digits (on
// amd64, when b has the margin it reads past its end). After the read(2)
// that branch costs more than the numbers: statm's lx/raw went from
// 1.049-1.051 to 1.040-1.044 (BenchmarkPaired statm, alternated pairs).
// It gives parseStatm's results (FuzzParseStatm checks it).
func parseStatmSpaced(b []byte, s *Statm) error {
	line := b
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	var v [7]uint64
	if neg, k, _, ok := statNumbersArch(line, v[:]); ok && neg == 0 && k == len(v) {
		var hi, h uint64
		hi, s.Size = bits.Mul64(v[0], pageSize)
		h, s.Resident = bits.Mul64(v[1], pageSize)
		hi |= h
		h, s.Shared = bits.Mul64(v[2], pageSize)
		hi |= h
		h, s.Text = bits.Mul64(v[3], pageSize)
		hi |= h
		h, s.Lib = bits.Mul64(v[4], pageSize)
		hi |= h
		h, s.Data = bits.Mul64(v[5], pageSize)
		hi |= h
		h, s.Dirty = bits.Mul64(v[6], pageSize)
		if hi|h == 0 {
			return nil
		}
		// A count whose bytes overflow: parseStatm's error.
	}
	return parseStatm(b[1:], s)
}

func parseStatm(b []byte, s *Statm) error {
	if parseStatmFast(b, s) {
		return nil
	}
	return parseStatmFields(b, s)
}

// parseStatmFast parses statm in the kernel's exact form, "1 2 3 4 5 6
// 7\n" (single spaces, page counts whose bytes fit a uint64 for this
// page size: the check is exact, bits.Mul64, so that 64 KiB pages are
// bounded as 4 KiB ones are), or returns false having written nothing;
// FuzzParseStatm checks that it agrees with parseStatmFields. Each number
// is one 8-byte load (statLong for the rare ones of eight digits or
// more).
func parseStatmFast(b []byte, s *Statm) bool {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	var v [7]uint64
	i := 0
	for k := range v {
		if k > 0 {
			if i >= len(b) || b[i] != ' ' {
				return false
			}
			i++
		}
		t := parse.Load8(b, i) - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		x := parse.Swar8(t << ((64 - 8*n) & 63))
		if n == 0 {
			return false
		}
		if n == 8 {
			var ok bool
			if x, n, ok = statLong(b, i); !ok {
				return false
			}
		}
		hi, lo := bits.Mul64(x, pageSize)
		if hi != 0 {
			return false // the general path reports it
		}
		v[k] = lo
		i += n
	}
	if i < len(b) && b[i] != ' ' {
		return false
	}
	*s = Statm{Size: v[0], Resident: v[1], Shared: v[2], Text: v[3], Lib: v[4], Data: v[5], Dirty: v[6]}
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
