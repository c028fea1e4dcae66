// Package cpuset is a set of CPU (or NUMA node) numbers, as the kernel reads
// and writes them in two text forms:
//
//   - the list form "0-3,8,10-11" of /sys/devices/system/cpu/online,
//     /proc/PID/status Cpus_allowed_list, cgroup cpuset.cpus and the
//     isolcpus= boot parameter (the kernel's bitmap_parselist and "%*pbl");
//   - the mask form "ff,00000001" of /sys/devices/system/cpu/cpuN/topology/
//     core_cpus, /sys/devices/system/node/nodeN/cpumap, /proc/PID/status
//     Cpus_allowed and /proc/irq/N/smp_affinity: comma-separated 32-bit
//     hexadecimal words, most significant first (bitmap_parse and "%*pb").
//
// A Set has no fixed size: it grows to its highest member, which may be at
// most MaxCPU. The zero Set is empty and ready to use. Sets are values
// holding a slice: copying a Set shares its storage, so Clone a Set before
// calling Add or Remove on a copy that must stay independent. The algebra
// (Union, Intersect, Difference) always returns new sets.
//
// The package is pure (no system calls) and never panics on input text;
// Add, Of and Range panic only on CPU numbers outside 0..MaxCPU, which is a
// programming error.
package cpuset

import (
	"iter"
	"math/bits"
	"strconv"
)

// MaxCPU is the highest CPU number a Set holds. The kernel's NR_CPUS is at
// most 8192 and MAX_NUMNODES at most 1024; the much larger cap keeps hostile
// input ("0-4000000000") from allocating gigabytes. A Set at MaxCPU uses
// 128 KiB.
const MaxCPU = 1<<20 - 1

// Set is a set of CPU numbers. Bit i%64 of w[i/64] is CPU i; w never has
// trailing zero words, so len(w) == 0 means empty.
type Set struct {
	w []uint64
}

// Of returns the set of the given CPUs. It panics if a CPU is negative or
// above MaxCPU.
func Of(cpus ...int) Set {
	var s Set
	for _, c := range cpus {
		s.Add(c)
	}
	return s
}

// Range returns the set of CPUs lo through hi inclusive; it is empty if
// hi < lo. It panics if lo or hi is negative or above MaxCPU.
func Range(lo, hi int) Set {
	check(lo)
	check(hi)
	var s Set
	if hi < lo {
		return s
	}
	s.w = make([]uint64, hi/64+1)
	setRange(s.w, uint(lo), uint(hi))
	return s
}

// FromWords returns the set whose CPU i is bit i%64 of w[i/64], the layout
// of the kernel's cpumask on 64-bit machines. w is copied. It fails if a bit
// above MaxCPU is set.
func FromWords(w []uint64) (Set, error) {
	n := trimLen(w)
	if n > (MaxCPU+1)/64 {
		return Set{}, &ParseError{Func: "FromWords", Msg: "CPU " + strconv.Itoa((n-1)*64+bits.Len64(w[n-1])-1) + " above maximum " + strconv.Itoa(MaxCPU), Err: strconv.ErrRange}
	}
	if n == 0 {
		return Set{}, nil
	}
	return Set{w: append([]uint64(nil), w[:n]...)}, nil
}

// Words returns a copy of the set's bits: CPU i is bit i%64 of word i/64. It
// has Len()/64 rounded up words (none for the empty set).
func (s Set) Words() []uint64 {
	if len(s.w) == 0 {
		return nil
	}
	return append([]uint64(nil), s.w...)
}

func check(cpu int) {
	if cpu < 0 || cpu > MaxCPU {
		panic("cpuset: CPU " + strconv.Itoa(cpu) + " out of range 0-" + strconv.Itoa(MaxCPU))
	}
}

// Has reports whether cpu is in the set.
func (s Set) Has(cpu int) bool {
	if cpu < 0 || cpu/64 >= len(s.w) {
		return false
	}
	return s.w[cpu/64]&(1<<(uint(cpu)%64)) != 0
}

// Add adds cpu to the set. It panics if cpu is negative or above MaxCPU.
func (s *Set) Add(cpu int) {
	check(cpu)
	i := cpu / 64
	if i >= len(s.w) {
		s.w = grow(s.w, i+1)
	}
	s.w[i] |= 1 << (uint(cpu) % 64)
}

// Remove removes cpu from the set; a CPU not in the set (including a
// negative one) is ignored.
func (s *Set) Remove(cpu int) {
	if !s.Has(cpu) {
		return
	}
	s.w[cpu/64] &^= 1 << (uint(cpu) % 64)
	s.w = s.w[:trimLen(s.w)]
}

// Count returns the number of CPUs in the set.
func (s Set) Count() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// Len returns the highest CPU in the set plus one, or 0 for the empty set:
// the number of bits a kernel bitmap needs to hold the set.
func (s Set) Len() int {
	if len(s.w) == 0 {
		return 0
	}
	return (len(s.w)-1)*64 + bits.Len64(s.w[len(s.w)-1])
}

// IsEmpty reports whether the set has no CPUs.
func (s Set) IsEmpty() bool { return len(s.w) == 0 }

// Equal reports whether s and t hold the same CPUs.
func (s Set) Equal(t Set) bool {
	if len(s.w) != len(t.w) {
		return false
	}
	for i, w := range s.w {
		if t.w[i] != w {
			return false
		}
	}
	return true
}

// Clone returns a copy of s that shares no storage with it.
func (s Set) Clone() Set {
	if len(s.w) == 0 {
		return Set{}
	}
	return Set{w: append([]uint64(nil), s.w...)}
}

// Union returns the CPUs in s or t.
func (s Set) Union(t Set) Set {
	a, b := s.w, t.w
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return Set{}
	}
	w := append([]uint64(nil), a...)
	for i, x := range b {
		w[i] |= x
	}
	return Set{w: w}
}

// Intersect returns the CPUs in both s and t.
func (s Set) Intersect(t Set) Set {
	n := min(len(s.w), len(t.w))
	for n > 0 && s.w[n-1]&t.w[n-1] == 0 {
		n--
	}
	if n == 0 {
		return Set{}
	}
	w := make([]uint64, n)
	for i := range w {
		w[i] = s.w[i] & t.w[i]
	}
	return Set{w: w}
}

// Difference returns the CPUs in s but not in t.
func (s Set) Difference(t Set) Set {
	n := len(s.w)
	for n > 0 && n <= len(t.w) && s.w[n-1]&^t.w[n-1] == 0 {
		n--
	}
	if n == 0 {
		return Set{}
	}
	w := make([]uint64, n)
	for i := range w {
		w[i] = s.w[i]
		if i < len(t.w) {
			w[i] &^= t.w[i]
		}
	}
	return Set{w: w}
}

// All returns the CPUs of the set in ascending order.
func (s Set) All() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i, w := range s.w {
			for w != 0 {
				b := bits.TrailingZeros64(w)
				if !yield(i*64 + b) {
					return
				}
				w &= w - 1
			}
		}
	}
}

// grow returns w extended with zero words to length n.
func grow(w []uint64, n int) []uint64 {
	if n <= cap(w) {
		old := len(w)
		w = w[:n]
		clear(w[old:])
		return w
	}
	nw := make([]uint64, n, max(n, 2*cap(w)))
	copy(nw, w)
	return nw
}

// trimLen returns the length of w without its trailing zero words.
func trimLen(w []uint64) int {
	n := len(w)
	for n > 0 && w[n-1] == 0 {
		n--
	}
	return n
}

// setRange sets bits lo through hi (inclusive) of w, which must be long
// enough.
func setRange(w []uint64, lo, hi uint) {
	first, last := lo/64, hi/64
	loMask := ^uint64(0) << (lo % 64)
	hiMask := ^uint64(0) >> (63 - hi%64)
	if first == last {
		w[first] |= loMask & hiMask
		return
	}
	w[first] |= loMask
	for i := first + 1; i < last; i++ {
		w[i] = ^uint64(0)
	}
	w[last] |= hiMask
}
