package procfs

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/lxgo/lx/internal/parse"
)

// Meminfo is /proc/meminfo: the kernel's memory accounting, system wide
// (proc(5), Documentation/filesystems/proc.rst "meminfo").
//
// Every size is in bytes (the file prints kB). The HugePages_* fields are
// counts of huge pages of the default size, as the kernel prints them;
// Hugepagesize is that size in bytes.
//
// The set of lines depends on the kernel version, its configuration and the
// architecture. A field the kernel did not print is 0; Has tells 0 from
// absent. Lines lx does not know (newer kernels, vendor patches) are ignored.
type Meminfo struct {
	MemTotal     uint64 // usable RAM: physical RAM minus reserved and kernel image
	MemFree      uint64 // completely unused RAM (LowFree+HighFree)
	MemAvailable uint64 // estimate of memory available for new work without swapping (3.14); see Available
	Buffers      uint64 // page cache of block devices (raw disk blocks)
	Cached       uint64 // page cache of files, excluding SwapCached; includes Shmem
	SwapCached   uint64 // memory swapped out and back in that is still in the swap file

	Active            uint64 // memory used recently, not reclaimed unless needed
	Inactive          uint64 // memory used less recently, the first to be reclaimed
	ActiveAnon        uint64 // Active(anon)
	InactiveAnon      uint64 // Inactive(anon)
	ActiveFile        uint64 // Active(file)
	InactiveFile      uint64 // Inactive(file)
	Unevictable       uint64 // memory that cannot be paged out (mlock, ramfs, SHM_LOCK)
	Mlocked           uint64 // memory locked with mlock
	HighTotal         uint64 // highmem (32-bit kernels with CONFIG_HIGHMEM)
	HighFree          uint64
	LowTotal          uint64
	LowFree           uint64
	MmapCopy          uint64 // memory copied for private mappings (no-MMU kernels)
	SwapTotal         uint64 // total swap space
	SwapFree          uint64 // unused swap space
	Zswap             uint64 // memory used by the zswap backend (5.19)
	Zswapped          uint64 // anonymous memory stored in zswap (5.19)
	Dirty             uint64 // waiting to be written back to disk
	Writeback         uint64 // being written back to disk now
	AnonPages         uint64 // anonymous pages mapped into user page tables
	Mapped            uint64 // files mapped with mmap, such as libraries
	Shmem             uint64 // shared memory and tmpfs
	KReclaimable      uint64 // kernel allocations the kernel will reclaim under pressure (4.20)
	Slab              uint64 // in-kernel data structure cache
	SReclaimable      uint64 // the reclaimable part of Slab
	SUnreclaim        uint64 // the unreclaimable part of Slab
	KernelStack       uint64 // kernel stacks
	ShadowCallStack   uint64 // shadow call stacks (arm64, CONFIG_SHADOW_CALL_STACK)
	PageTables        uint64 // user page tables
	SecPageTables     uint64 // secondary page tables: KVM, IOMMU (6.2)
	NFSUnstable       uint64 // NFS_Unstable: always 0 since 5.8
	Bounce            uint64 // bounce buffers for block devices
	WritebackTmp      uint64 // temporary writeback buffers of FUSE
	CommitLimit       uint64 // the overcommit limit (vm.overcommit_ratio, swap)
	CommittedAS       uint64 // Committed_AS: memory promised to all processes
	VmallocTotal      uint64 // size of the vmalloc address space
	VmallocUsed       uint64 // vmalloc memory in use
	VmallocChunk      uint64 // always 0 since 4.4
	Percpu            uint64 // per-CPU allocator chunks (4.16)
	HardwareCorrupted uint64 // memory the kernel poisoned after hardware errors

	AnonHugePages  uint64 // anonymous transparent huge pages
	ShmemHugePages uint64 // shmem/tmpfs transparent huge pages (4.8)
	ShmemPmdMapped uint64 // shmem huge pages mapped into user space with PMDs (4.8)
	FileHugePages  uint64 // file-backed transparent huge pages (5.4)
	FilePmdMapped  uint64 // file huge pages mapped into user space with PMDs (5.4)
	CmaTotal       uint64 // contiguous memory allocator pages
	CmaFree        uint64
	Unaccepted     uint64 // memory not yet accepted by a confidential-computing guest (6.5)
	Balloon        uint64 // memory taken by a balloon driver (6.12)

	HugePagesTotal uint64 // HugePages_Total: size of the default huge page pool (a count)
	HugePagesFree  uint64 // HugePages_Free: pages in the pool not yet allocated (a count)
	HugePagesRsvd  uint64 // HugePages_Rsvd: pages committed but not yet faulted in (a count)
	HugePagesSurp  uint64 // HugePages_Surp: surplus pages above the pool size (a count)
	Hugepagesize   uint64 // size of a default huge page in bytes
	Hugetlb        uint64 // memory used by huge pages of all sizes (4.16)

	// Size of the kernel's direct map per page size (x86: 4k, 2M or 4M, 1G;
	// s390: 4k, 1M, 2G; powerpc: 4k, 64k, 2M, 1G).
	DirectMap4k  uint64
	DirectMap64k uint64
	DirectMap1M  uint64
	DirectMap2M  uint64
	DirectMap4M  uint64
	DirectMap1G  uint64
	DirectMap2G  uint64

	present [2]uint64 // bit i set: the line meminfoKeys[i] was in the file
}

// Has reports whether the kernel printed the /proc/meminfo line named key,
// using the kernel's spelling ("MemAvailable", "Active(anon)",
// "HugePages_Total"). Use it to tell a zero value from a line this kernel
// does not have, such as MemAvailable before 3.14.
func (m *Meminfo) Has(key string) bool {
	i, ok := meminfoByName[key]
	return ok && m.present[i/64]&(1<<(i%64)) != 0
}

// Available returns MemAvailable when the kernel reports it. On kernels
// older than 3.14, which lack it, it returns MemFree+Buffers+Cached, a
// rough estimate that counts all page cache as reclaimable.
func (m *Meminfo) Available() uint64 {
	if m.Has("MemAvailable") {
		return m.MemAvailable
	}
	return m.MemFree + m.Buffers + m.Cached
}

// Meminfo reads /proc/meminfo (proc_meminfo(5)) with one open+read+close
// and a single pass over the bytes; it allocates nothing in steady state.
// Any user can read it. It is system wide: inside a container it shows
// the host's memory unless the runtime mounts an emulation (lxcfs) over
// it; a cgroup's own accounting is in memory.stat.
func (fs FS) Meminfo() (Meminfo, error) {
	// About 1.5 KiB: read into a buffer on the stack, which spares the
	// buffer pool (see Proc.readSmall).
	var small [2048]byte
	b, bp, err := fs.readSmall("meminfo", small[:])
	if err != nil {
		return Meminfo{}, err
	}
	// Parsed in place: a Meminfo is 560 bytes, and each copy of it
	// showed in the paired benchmark.
	var m Meminfo
	err = parseMeminfoInto(b, &m)
	if bp != nil {
		putBuf(bp)
	}
	if err != nil {
		return Meminfo{}, withPath(fs.conf().proc+"/meminfo", err)
	}
	return m, nil
}

// meminfoKeys lists the keys lx knows, in the order the kernel prints them
// (fs/proc/meminfo.c, then arch_report_meminfo), with whether the value is
// a bare count rather than kB. The index of a key is its bit in
// Meminfo.present and its slot in the array parseMeminfo fills.
var meminfoKeys = [...]struct {
	name  string
	count bool
}{
	{"MemTotal", false}, {"MemFree", false}, {"MemAvailable", false}, {"Buffers", false},
	{"Cached", false}, {"SwapCached", false}, {"Active", false}, {"Inactive", false},
	{"Active(anon)", false}, {"Inactive(anon)", false}, {"Active(file)", false}, {"Inactive(file)", false},
	{"Unevictable", false}, {"Mlocked", false}, {"HighTotal", false}, {"HighFree", false},
	{"LowTotal", false}, {"LowFree", false}, {"MmapCopy", false}, {"SwapTotal", false},
	{"SwapFree", false}, {"Zswap", false}, {"Zswapped", false}, {"Dirty", false},
	{"Writeback", false}, {"AnonPages", false}, {"Mapped", false}, {"Shmem", false},
	{"KReclaimable", false}, {"Slab", false}, {"SReclaimable", false}, {"SUnreclaim", false},
	{"KernelStack", false}, {"ShadowCallStack", false}, {"PageTables", false}, {"SecPageTables", false},
	{"NFS_Unstable", false}, {"Bounce", false}, {"WritebackTmp", false}, {"CommitLimit", false},
	{"Committed_AS", false}, {"VmallocTotal", false}, {"VmallocUsed", false}, {"VmallocChunk", false},
	{"Percpu", false}, {"HardwareCorrupted", false}, {"AnonHugePages", false}, {"ShmemHugePages", false},
	{"ShmemPmdMapped", false}, {"FileHugePages", false}, {"FilePmdMapped", false}, {"CmaTotal", false},
	{"CmaFree", false}, {"Unaccepted", false}, {"Balloon", false}, {"HugePages_Total", true},
	{"HugePages_Free", true}, {"HugePages_Rsvd", true}, {"HugePages_Surp", true}, {"Hugepagesize", false},
	{"Hugetlb", false}, {"DirectMap4k", false}, {"DirectMap64k", false}, {"DirectMap1M", false},
	{"DirectMap2M", false}, {"DirectMap4M", false}, {"DirectMap1G", false}, {"DirectMap2G", false},
}

const meminfoN = len(meminfoKeys)

// meminfoLookahead is how many keys parseMeminfo tries in order before it
// looks a key up by name.
const meminfoLookahead = 4

// maxKB is the largest kB value whose byte count fits a uint64.
const maxKB = (1<<64 - 1) >> 10

// meminfoIndex returns the index of key in meminfoKeys, or -1. It first
// tries guess, the index after the previous line's, which is right for
// nearly every line because the kernel prints them in a fixed order.
func meminfoIndex(key []byte, guess int) int {
	if guess < meminfoN && meminfoKeys[guess].name == string(key) {
		return guess
	}
	// A miss: this kernel lacks the guessed line, or has one lx does not
	// know. The map lookup does not convert key, so it allocates nothing.
	if i, ok := meminfoByName[string(key)]; ok {
		return i
	}
	return -1
}

var meminfoByName = func() map[string]int {
	m := make(map[string]int, meminfoN)
	for i, k := range meminfoKeys {
		m[k.name] = i
	}
	return m
}()

// parseMeminfo parses the contents of /proc/meminfo. It is a single pass
// over the bytes: /proc/meminfo is read far more often than any other
// system file, and parsing must stay small next to the kernel's cost of
// producing it.
func parseMeminfo(b []byte) (Meminfo, error) {
	var m Meminfo
	err := parseMeminfoInto(b, &m)
	return m, err
}

// parseMeminfoInto is parseMeminfo writing into *m, every field of it.
func parseMeminfoInto(b []byte, m *Meminfo) error {
	var v [meminfoN]uint64
	var present [2]uint64
	next := 0
	for n := 1; len(b) > 0; n++ {
		// The lines in the kernel's form, as many as there are.
		if i, g, lines := meminfoFast(b, next, &v, &present); i > 0 {
			b, next, n = b[i:], g, n+lines
			if len(b) == 0 {
				break
			}
		}
		// The key, up to ':'. Nearly always it is the key after the
		// previous line's, or one of the next few when this kernel
		// lacks some lines: a comparison or two confirms it.
		c, i := 0, -1
		for g := next; g < min(next+meminfoLookahead, meminfoN); g++ {
			if k := meminfoKeys[g].name; len(b) > len(k) && b[len(k)] == ':' && string(b[:len(k)]) == k {
				c, i = len(k), g
				break
			}
		}
		if i < 0 {
			for c < len(b) && b[c] != ':' && b[c] != '\n' {
				c++
			}
			if c == len(b) || b[c] == '\n' {
				if len(parse.Trim(b[:c])) != 0 {
					return parseErr(n, "", errNoColon)
				}
				b = b[min(c+1, len(b)):] // a blank line
				continue
			}
			i = meminfoIndex(b[:c], next)
		}
		key := b[:c]
		// The value: spaces, up to 19 digits (no overflow), then " kB"
		// unless it is a count, then '\n' or the end.
		j := c + 1 + meminfoSpaces(b[c+1:])
		d := j
		x, nd := parse.Digits(b[j:])
		j += nd
		e := j // the end of the digits
		count := i >= 0 && meminfoKeys[i].count
		if !count && len(b)-j >= 3 && b[j] == ' ' && b[j+1] == 'k' && b[j+2] == 'B' {
			j += 3
		}
		plain := i >= 0 && e > d && e-d < 19 && (j == len(b) || b[j] == '\n') &&
			(count && j == e || !count && j == e+3 && x <= maxKB)
		if plain {
			if !count {
				x <<= 10
			}
			b = b[min(j+1, len(b)):]
		} else {
			// An unknown key, or not the kernel's plain format: find
			// the end of the line and let the general parsers decide.
			line := b[c+1:]
			if e := bytes.IndexByte(line, '\n'); e >= 0 {
				line, b = line[:e], line[e+1:]
			} else {
				b = nil
			}
			if i < 0 {
				continue // a line this version of lx does not know
			}
			var err error
			if count {
				x, err = parse.Uint(parse.Trim(line))
			} else {
				x, err = parse.KB(line)
			}
			if err != nil {
				return parseErr(n, string(key), err)
			}
		}
		next = i + 1
		v[i] = x
		present[i/64] |= 1 << (i % 64)
	}
	m.present = present
	m.fill(&v)
	return nil
}

// meminfoFastLookahead is how many keys parseMeminfo compares a line's
// 16-byte header with: this kernel may lack a few lines in a row
// (HighTotal to MmapCopy on 64-bit kernels).
const meminfoFastLookahead = 8

// meminfoHeaders holds, for each key, its line's first 16 bytes as the
// kernel prints them ("MemTotal:" and spaces) as two little-endian words,
// and whether the value is in kB or a count. kind is 0 for the keys whose
// name and ':' take more than 16 bytes (HardwareCorrupted), which are read
// by the general code.
var meminfoHeaders = func() (t [meminfoN]meminfoHeader) {
	for i, k := range meminfoKeys {
		h := []byte(k.name + ":")
		if len(h) > 16 {
			continue
		}
		for len(h) < 16 {
			h = append(h, ' ')
		}
		t[i].w0, t[i].w1, t[i].kind = binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:]), hdrKB
		if k.count {
			t[i].kind = hdrCount
		}
	}
	return t
}()

type meminfoHeader struct {
	w0, w1 uint64
	kind   uint8
}

// Kinds of meminfoHeaders.
const (
	hdrKB    = 1 + iota // a value in kB
	hdrCount            // a bare count (HugePages_*)
)

// meminfoFast reads the lines at the start of b that are in the kernel's
// form, "MemTotal:       24731408 kB\n": the key padded to 16 bytes,
// which it compares as two words with the headers of the next few keys
// from next, and the value right-aligned in a field of eight (a longer
// number, such as VmallocTotal's 11 digits, pushes " kB" right), then
// " kB\n", or '\n' for a count. It stores each value (in bytes for kB)
// into v, and returns the index after the last line it read, the key to
// expect next and the number of lines; the general code of parseMeminfo
// reads the line after, if any.
func meminfoFast(b []byte, next int, v *[meminfoN]uint64, present *[2]uint64) (i, g, lines int) {
	g = next
	for i >= 0 && len(b)-i >= 28 {
		s := b[i : i+28 : i+28]
		w0, w1 := binary.LittleEndian.Uint64(s[:8]), binary.LittleEndian.Uint64(s[8:16])
		k, end := uint(g), uint(min(g+meminfoFastLookahead, meminfoN))
		var h *meminfoHeader
		for ; k < end; k++ {
			if h = &meminfoHeaders[k]; w0 == h.w0 && w1 == h.w1 && h.kind != 0 {
				break
			}
		}
		if k == end {
			return i, g, lines
		}
		x, ok := parse.Width8Word(binary.LittleEndian.Uint64(s[16:24]))
		if !ok {
			return i, g, lines
		}
		j := i + 24
		switch {
		case s[24]-'0' > 9 && h.kind == hdrCount:
			// The usual forms, from the window.
			if s[24] != '\n' {
				return i, g, lines
			}
			j++
		case s[24]-'0' > 9:
			if binary.LittleEndian.Uint32(s[24:28]) != 0x0a426b20 { // " kB\n"
				return i, g, lines
			}
			x <<= 10
			j += 4
		default:
			// More digits: at most 16 in all, which no kB value can
			// overflow.
			y, n := parse.Digits(b[j:])
			if n > 8 {
				return i, g, lines
			}
			x = x*pow10[n] + y
			j += n
			if h.kind == hdrCount {
				if j >= len(b) || b[j] != '\n' {
					return i, g, lines
				}
				j++
			} else {
				if j < 0 || len(b)-j < 4 || binary.LittleEndian.Uint32(b[j:j+4:j+4]) != 0x0a426b20 { // " kB\n"
					return i, g, lines
				}
				x <<= 10
				j += 4
			}
		}
		v[k] = x
		present[k/64] |= 1 << (k % 64)
		i, g, lines = j, int(k)+1, lines+1
	}
	return i, g, lines
}

// meminfoSpaces returns the number of leading spaces of b. It tests eight
// bytes at a time: the padding between key and value is the bulk of the
// file.
func meminfoSpaces(b []byte) int {
	n := 0
	for len(b)-n >= 8 {
		if x := binary.LittleEndian.Uint64(b[n:]) ^ 0x2020202020202020; x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

// fill copies the values parseMeminfo collected, indexed like
// meminfoKeys, into m's fields.
func (m *Meminfo) fill(v *[meminfoN]uint64) {
	m.MemTotal = v[0]
	m.MemFree = v[1]
	m.MemAvailable = v[2]
	m.Buffers = v[3]
	m.Cached = v[4]
	m.SwapCached = v[5]
	m.Active = v[6]
	m.Inactive = v[7]
	m.ActiveAnon = v[8]
	m.InactiveAnon = v[9]
	m.ActiveFile = v[10]
	m.InactiveFile = v[11]
	m.Unevictable = v[12]
	m.Mlocked = v[13]
	m.HighTotal = v[14]
	m.HighFree = v[15]
	m.LowTotal = v[16]
	m.LowFree = v[17]
	m.MmapCopy = v[18]
	m.SwapTotal = v[19]
	m.SwapFree = v[20]
	m.Zswap = v[21]
	m.Zswapped = v[22]
	m.Dirty = v[23]
	m.Writeback = v[24]
	m.AnonPages = v[25]
	m.Mapped = v[26]
	m.Shmem = v[27]
	m.KReclaimable = v[28]
	m.Slab = v[29]
	m.SReclaimable = v[30]
	m.SUnreclaim = v[31]
	m.KernelStack = v[32]
	m.ShadowCallStack = v[33]
	m.PageTables = v[34]
	m.SecPageTables = v[35]
	m.NFSUnstable = v[36]
	m.Bounce = v[37]
	m.WritebackTmp = v[38]
	m.CommitLimit = v[39]
	m.CommittedAS = v[40]
	m.VmallocTotal = v[41]
	m.VmallocUsed = v[42]
	m.VmallocChunk = v[43]
	m.Percpu = v[44]
	m.HardwareCorrupted = v[45]
	m.AnonHugePages = v[46]
	m.ShmemHugePages = v[47]
	m.ShmemPmdMapped = v[48]
	m.FileHugePages = v[49]
	m.FilePmdMapped = v[50]
	m.CmaTotal = v[51]
	m.CmaFree = v[52]
	m.Unaccepted = v[53]
	m.Balloon = v[54]
	m.HugePagesTotal = v[55]
	m.HugePagesFree = v[56]
	m.HugePagesRsvd = v[57]
	m.HugePagesSurp = v[58]
	m.Hugepagesize = v[59]
	m.Hugetlb = v[60]
	m.DirectMap4k = v[61]
	m.DirectMap64k = v[62]
	m.DirectMap1M = v[63]
	m.DirectMap2M = v[64]
	m.DirectMap4M = v[65]
	m.DirectMap1G = v[66]
	m.DirectMap2G = v[67]
}
