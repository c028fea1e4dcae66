package procfs

import (
	"bytes"
	"encoding/binary"

	"github.com/lxgo/lx/internal/parse"
)

// The runs of fixed-width lines of /proc/PID/status, read as blocks by
// statusFast.

// statusBlock is a run of lines of fixed width, as the kernel prints the
// kB lines ("VmPeak:\t%8lu kB\n", VmPeak to HugetlbPages), the signal
// and capability sets ("SigPnd:\t%016llx\n", SigPnd to CapAmb) and the
// one-digit flags around them (Kthread, CoreDumping, THP_enabled,
// NoNewPrivs, Seccomp, and Seccomp_filters when below 10) of every
// process: its text with a hole for each value. Such a run is checked
// with one masked comparison per eight bytes, and the values read from
// their holes, instead of a step per line. A file whose run differs (an
// older kernel without some of the keys, a value wider than its field)
// is read by a shorter block or line by line.
type statusBlock struct {
	groups []blockGroup // the text, 32 bytes a group
	holes  []statusHole // the values, in the order of their lines
	digits []statusHole // the holeDigit values
	kb     []int        // the offsets of the holeKB values, VmPeak to HugetlbPages
	hex    []int        // the offsets of the holeHex values, SigPnd to CapAmb
	n      int          // the length of the run
}

// blockGroup is 32 bytes of a statusBlock's text: four words of it
// (little-endian, holes zero) and four masks (0xff for each byte of
// text, 0 for each byte of a hole), side by side for match.
type blockGroup struct {
	w, m [4]uint64
}

// statusHole is a value in a statusBlock: its offset, its key and its
// form.
type statusHole struct {
	off, k int
	kind   uint8
}

// The forms of a statusHole, and the text after each.
const (
	holeKB    = iota // "%8lu", then " kB\n"
	holeHex          // "%016llx", then "\n"
	holeDigit        // one decimal digit, then "\n"
)

var (
	// Linux 6.9 and later: Kthread, the kB lines, CoreDumping and
	// THP_enabled; earlier kernels, the kB lines alone.
	statusMemBlock = newStatusBlock(append(append(blockLines(holeDigit, skKthread, skKthread),
		blockLines(holeKB, skVmPeak, skHugetlbPages)...), blockLines(holeDigit, skCoreDumping, skTHPEnabled)...))
	statusKBBlock = newStatusBlock(blockLines(holeKB, skVmPeak, skHugetlbPages))
	// The sets with NoNewPrivs, Seccomp and Seccomp_filters after them
	// (Linux 5.9 and later, CONFIG_SECCOMP), or alone.
	statusSetBlock = newStatusBlock(append(blockLines(holeHex, skSigPnd, skCapAmb), blockLines(holeDigit, skNoNewPrivs, skSeccompFilters)...))
	statusHexBlock = newStatusBlock(blockLines(holeHex, skSigPnd, skCapAmb))
)

// blockLines returns the lines of keys first to last, with values of
// the form kind.
func blockLines(kind uint8, first, last int) []statusHole {
	var lines []statusHole
	for k := first; k <= last; k++ {
		lines = append(lines, statusHole{k: k, kind: kind})
	}
	return lines
}

// newStatusBlock returns the block of lines: "key:\t", the hole, the
// text after it.
func newStatusBlock(lines []statusHole) *statusBlock {
	var text, mask []byte
	blk := &statusBlock{}
	for _, l := range lines {
		width, after := 8, " kB\n"
		switch l.kind {
		case holeHex:
			width, after = 16, "\n"
		case holeDigit:
			width, after = 1, "\n"
		}
		fixed := statusKeys[l.k] + ":\t"
		text = append(text, fixed...)
		mask = append(mask, bytes.Repeat([]byte{0xff}, len(fixed))...)
		l.off = len(text)
		blk.holes = append(blk.holes, l)
		// read stores the kB and hex values by their order: they
		// must be the keys from VmPeak and from SigPnd on.
		if l.kind == holeKB && l.k != skVmPeak+len(blk.kb) || l.kind == holeHex && l.k != skSigPnd+len(blk.hex) {
			panic("procfs: status block out of the kernel's order at " + statusKeys[l.k])
		}
		switch l.kind {
		case holeKB:
			blk.kb = append(blk.kb, l.off)
		case holeHex:
			blk.hex = append(blk.hex, l.off)
		default:
			blk.digits = append(blk.digits, l)
		}
		text = append(text, make([]byte, width)...)
		mask = append(mask, make([]byte, width)...)
		text = append(text, after...)
		mask = append(mask, bytes.Repeat([]byte{0xff}, len(after))...)
	}
	blk.n = len(text)
	for len(text)%32 != 0 {
		text, mask = append(text, 0), append(mask, 0)
	}
	for j := 0; j < len(text); j += 32 {
		var g blockGroup
		for h := range 4 {
			g.w[h] = binary.LittleEndian.Uint64(text[j+8*h:])
			g.m[h] = binary.LittleEndian.Uint64(mask[j+8*h:])
		}
		blk.groups = append(blk.groups, g)
	}
	return blk
}

// match returns the run at b[i:] if its text is the block's (it needs
// the bytes up to the end of the last word, which the lines after the
// run provide). It stops at the first 32 bytes that differ, so that a
// block the kernel does not print costs little.
func (blk *statusBlock) match(b []byte, i int) ([]byte, bool) {
	n := 32 * len(blk.groups)
	if i < 0 || len(b)-i < n {
		return nil, false
	}
	s := b[i : i+n : i+n]
	r := s
	for j := range blk.groups {
		g := &blk.groups[j]
		if len(r) < 32 {
			return nil, false
		}
		if (binary.LittleEndian.Uint64(r[0:])^g.w[0])&g.m[0]|(binary.LittleEndian.Uint64(r[8:])^g.w[1])&g.m[1]|
			(binary.LittleEndian.Uint64(r[16:])^g.w[2])&g.m[2]|(binary.LittleEndian.Uint64(r[24:])^g.w[3])&g.m[3] != 0 {
			return nil, false
		}
		r = r[32:]
	}
	return s, true
}

// read reads the run of the block's lines at b[i:] into v and returns
// the index after it; ok is false if the run is not the block's or a
// value is not of its hole's form (or above its key's decMax). It
// stores into v directly: after a failure, the caller reads the lines
// again, which overwrites what was stored. A loop for each form costs
// less than one that switches on the form of each hole.
func (blk *statusBlock) read(b []byte, i int, v *[len(statusKeys)]uint64) (int, bool) {
	s, ok := blk.match(b, i)
	if !ok {
		return i, false
	}
	for _, h := range blk.digits {
		if h.off < 0 || h.off >= len(s) || uint(h.k) >= uint(len(v)) {
			return i, false
		}
		x := uint64(s[h.off] - '0')
		if x > 9 || x > statusKeyWords[h.k].max {
			return i, false
		}
		v[h.k] = x
	}
	vs := v[skVmPeak : skHugetlbPages+1 : skHugetlbPages+1]
	for h, off := range blk.kb[:min(len(blk.kb), len(vs))] {
		if off < 0 || off > len(s)-8 {
			return i, false
		}
		w := binary.LittleEndian.Uint64(s[off:])
		if w == 0x3020202020202020 { // "       0", a third of the values
			vs[h] = 0
			continue
		}
		x, ok := parse.Width8Word(w)
		if !ok {
			return i, false
		}
		vs[h] = x << 10
	}
	// A set with the text of the set before it (CapPrm, CapEff and
	// CapBnd are often equal) takes its value without a conversion. The
	// text compared with is always one that was converted (or all
	// zeros), so that no unchecked text passes as a set.
	prevHi, prevLo, prev := uint64(0x30*ones), uint64(0x30*ones), uint64(0)
	vs = v[skSigPnd : skCapAmb+1 : skCapAmb+1]
	for h, off := range blk.hex[:min(len(blk.hex), len(vs))] {
		if off < 0 || off > len(s)-16 {
			return i, false
		}
		hi, lo := binary.LittleEndian.Uint64(s[off:]), binary.LittleEndian.Uint64(s[off+8:])
		if hi == 0x30*ones && lo == 0x30*ones {
			vs[h] = 0
			continue
		}
		if hi != prevHi || lo != prevLo {
			h8, ok1 := parse.Hex8(hi)
			l8, ok2 := parse.Hex8(lo)
			if !ok1 || !ok2 {
				return i, false
			}
			prevHi, prevLo, prev = hi, lo, h8<<32|l8
		}
		vs[h] = prev
	}
	return i + blk.n, true
}
