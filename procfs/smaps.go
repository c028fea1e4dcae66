package procfs

import (
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// SmapsUsage is the memory accounting that /proc/PID/smaps prints for each
// mapping and /proc/PID/smaps_rollup for the whole process
// (Documentation/filesystems/proc.rst "smaps"). Every value is in bytes
// (the files print kB). A line the kernel did not print is 0.
type SmapsUsage struct {
	Rss            uint64 // resident in RAM
	Pss            uint64 // proportional set size: each page divided by the number of processes mapping it
	PssDirty       uint64 // Pss_Dirty: the dirty part of Pss (6.0)
	PssAnon        uint64 // Pss_Anon: the anonymous part of Pss (smaps_rollup only, 5.1)
	PssFile        uint64 // Pss_File: the file-backed part of Pss (smaps_rollup only, 5.1)
	PssShmem       uint64 // Pss_Shmem: the shmem part of Pss (smaps_rollup only, 5.1)
	SharedClean    uint64 // Shared_Clean: clean pages also mapped by other processes
	SharedDirty    uint64 // Shared_Dirty
	PrivateClean   uint64 // Private_Clean: clean pages mapped only here
	PrivateDirty   uint64 // Private_Dirty
	Referenced     uint64 // pages marked referenced or accessed
	Anonymous      uint64 // pages not backed by a file (including private copies of file pages)
	KSM            uint64 // pages merged by KSM (6.5)
	LazyFree       uint64 // pages freed with MADV_FREE and not yet reclaimed (4.12)
	AnonHugePages  uint64 // anonymous memory in transparent huge pages
	ShmemPmdMapped uint64 // shmem in huge pages mapped with a PMD
	FilePmdMapped  uint64 // file pages in huge pages mapped with a PMD (5.4)
	SharedHugetlb  uint64 // Shared_Hugetlb: hugetlbfs pages also mapped elsewhere
	PrivateHugetlb uint64 // Private_Hugetlb
	Swap           uint64 // anonymous memory swapped out
	SwapPss        uint64 // proportional share of Swap (4.3)
	Locked         uint64 // the Pss of pages locked in memory (mlock)
}

// field returns the counter that the line key sets, or nil.
func (u *SmapsUsage) field(key []byte) *uint64 {
	switch string(key) {
	case "Rss":
		return &u.Rss
	case "Pss":
		return &u.Pss
	case "Pss_Dirty":
		return &u.PssDirty
	case "Pss_Anon":
		return &u.PssAnon
	case "Pss_File":
		return &u.PssFile
	case "Pss_Shmem":
		return &u.PssShmem
	case "Shared_Clean":
		return &u.SharedClean
	case "Shared_Dirty":
		return &u.SharedDirty
	case "Private_Clean":
		return &u.PrivateClean
	case "Private_Dirty":
		return &u.PrivateDirty
	case "Referenced":
		return &u.Referenced
	case "Anonymous":
		return &u.Anonymous
	case "KSM":
		return &u.KSM
	case "LazyFree":
		return &u.LazyFree
	case "AnonHugePages":
		return &u.AnonHugePages
	case "ShmemPmdMapped":
		return &u.ShmemPmdMapped
	case "FilePmdMapped":
		return &u.FilePmdMapped
	case "Shared_Hugetlb":
		return &u.SharedHugetlb
	case "Private_Hugetlb":
		return &u.PrivateHugetlb
	case "Swap":
		return &u.Swap
	case "SwapPss":
		return &u.SwapPss
	case "Locked":
		return &u.Locked
	}
	return nil
}

// Smap is one entry of /proc/PID/smaps: a mapping and its memory use.
type Smap struct {
	Mapping
	SmapsUsage
	Size           uint64 // length of the mapping (End-Start)
	KernelPageSize uint64 // page size the kernel uses for the mapping
	MMUPageSize    uint64 // page size the MMU uses (differs from KernelPageSize on some configurations)
	THPEligible    bool   // THPeligible: the mapping may use transparent huge pages (5.0)
	ProtectionKey  int    // memory protection key; 0 also when the CPU has none (no ProtectionKey line)
	VmFlags        VmFlags
}

// Smaps reads /proc/PID/smaps: every mapping with its memory use. It is
// expensive for the kernel (it walks the page tables of every mapping);
// SmapsRollup gives the totals for less. Access rules are those of Maps.
func (p Proc) Smaps() ([]Smap, error) {
	var ss []Smap
	for s, err := range p.SmapsSeq() {
		if err != nil {
			return nil, err
		}
		ss = append(ss, s)
	}
	return ss, nil
}

// SmapsSeq is Smaps as an iterator. As with MapsSeq, only Path strings are
// allocated.
func (p Proc) SmapsSeq() iter.Seq2[Smap, error] {
	return func(yield func(Smap, error) bool) {
		stopped := false
		err := p.withFile("smaps", false, func(b []byte) error {
			return scanSmaps(b, func(s Smap) bool {
				if !yield(s, nil) {
					stopped = true
					return false
				}
				return true
			})
		})
		if err != nil && !stopped && !noMemory(err) {
			yield(Smap{}, err)
		}
	}
}

// parseSmaps parses a whole /proc/PID/smaps file.
func parseSmaps(b []byte) ([]Smap, error) {
	var ss []Smap
	err := scanSmaps(b, func(s Smap) bool { ss = append(ss, s); return true })
	if err != nil {
		return nil, err
	}
	return ss, nil
}

var errSmapsOrphan = errors.New("counter before the first mapping")

// scanSmaps calls fn for each entry of an smaps file until fn returns
// false.
func scanSmaps(b []byte, fn func(Smap) bool) error {
	var cur Smap
	have := false
	var prev string
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		key, val, ok := parse.KeyValue(line, ':')
		if !ok || !isSmapsKey(key) {
			// A header line: "start-end perms offset dev inode path".
			m, path, err := parseMapsLine(line)
			if err != nil {
				return atLine(n, err)
			}
			if have && !fn(cur) {
				return nil
			}
			m.Path = pathString(prev, path)
			prev = m.Path
			cur, have = Smap{Mapping: m}, true
			continue
		}
		if !have {
			return parseErr(n, string(key), errSmapsOrphan)
		}
		if err := cur.set(key, val); err != nil {
			return parseErr(n, string(key), err)
		}
	}
	if have {
		fn(cur)
	}
	return nil
}

// isSmapsKey tells a "Key: value" line from an entry's header line, whose
// first field is the address range and never ends in ':'.
func isSmapsKey(key []byte) bool {
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return len(key) > 0
}

// set stores one "Key: value" line of an entry. Unknown keys (newer
// kernels) are ignored.
func (s *Smap) set(key, val []byte) error {
	var p *uint64
	switch string(key) {
	case "VmFlags":
		s.VmFlags = parseVmFlags(val)
		return nil
	case "THPeligible":
		v, err := parse.Uint(val)
		s.THPEligible = v != 0
		return err
	case "ProtectionKey":
		v, err := parse.Int(val)
		s.ProtectionKey = int(v)
		return err
	case "Size":
		p = &s.Size
	case "KernelPageSize":
		p = &s.KernelPageSize
	case "MMUPageSize":
		p = &s.MMUPageSize
	default:
		if p = s.SmapsUsage.field(key); p == nil {
			return nil
		}
	}
	v, err := parse.KB(val)
	*p = v
	return err
}

// VmFlags is the set of VMA flags that smaps prints as two-letter
// mnemonics on its VmFlags line (Documentation/filesystems/proc.rst). The
// bit values are lx's own, not the kernel's, whose bit positions differ
// between architectures.
type VmFlags uint64

const (
	VmRead        VmFlags = 1 << iota // rd: readable
	VmWrite                           // wr: writable
	VmExec                            // ex: executable
	VmShared                          // sh: shared
	VmMayRead                         // mr: may become readable
	VmMayWrite                        // mw: may become writable
	VmMayExec                         // me: may become executable
	VmMayShare                        // ms: may share
	VmGrowsDown                       // gd: stack segment that grows down
	VmPFNMap                          // pf: pure PFN range
	VmDenyWrite                       // dw: writes to the mapped file are refused (before 5.15)
	VmLocked                          // lo: pages are locked in memory
	VmIO                              // io: memory-mapped I/O
	VmSeqRead                         // sr: sequential read advised (MADV_SEQUENTIAL)
	VmRandRead                        // rr: random read advised (MADV_RANDOM)
	VmDontCopy                        // dc: not copied on fork (MADV_DONTFORK)
	VmDontExpand                      // de: cannot be expanded by mremap
	VmLockOnFault                     // lf: locked when faulted in (mlock2 MLOCK_ONFAULT)
	VmAccount                         // ac: accounted against the overcommit limit
	VmNoReserve                       // nr: no swap space reserved (MAP_NORESERVE)
	VmHugeTLB                         // ht: hugetlbfs mapping
	VmSync                            // sf: synchronous page faults (MAP_SYNC)
	VmArch1                           // ar: architecture-specific flag
	VmWipeOnFork                      // wf: zeroed in the child on fork (MADV_WIPEONFORK)
	VmDontDump                        // dd: left out of core dumps (MADV_DONTDUMP)
	VmBTI                             // bt: arm64 branch target identification guarded
	VmSoftDirty                       // sd: soft-dirty
	VmMixedMap                        // mm: mixed map
	VmHugePage                        // hg: huge pages advised (MADV_HUGEPAGE)
	VmNoHugePage                      // nh: no huge pages advised (MADV_NOHUGEPAGE)
	VmMergeable                       // mg: KSM may merge it (MADV_MERGEABLE)
	VmUffdMissing                     // um: userfaultfd missing-page tracking
	VmUffdWP                          // uw: userfaultfd write-protect tracking
	VmMTE                             // mt: arm64 memory tagging enabled
	VmUffdMinor                       // ui: userfaultfd minor-fault tracking
	VmShadowStack                     // ss: shadow stack
	VmDroppable                       // dp: droppable under memory pressure (MAP_DROPPABLE, 6.11)
	VmSealed                          // sl: sealed with mseal (6.10)
	VmMPX                             // mp: x86 MPX bounds tables (before 5.6)
	VmNonlinear                       // nl: nonlinear mapping (before 4.0)
	VmUnknown                         // ??: a flag the kernel has no mnemonic for
)

var vmFlagNames = [...]string{
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "dw", "lo", "io",
	"sr", "rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "bt",
	"sd", "mm", "hg", "nh", "mg", "um", "uw", "mt", "ui", "ss", "dp", "sl", "mp",
	"nl", "??",
}

// String returns the flags as the kernel prints them: mnemonics separated
// by spaces, "rd wr mr mw me ac".
func (f VmFlags) String() string {
	var sb strings.Builder
	for i, name := range vmFlagNames {
		if f&(1<<i) != 0 {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(name)
		}
	}
	return sb.String()
}

// MarshalText returns String's text; bits beyond VmUnknown (which have
// no mnemonic) are an error.
func (f VmFlags) MarshalText() ([]byte, error) {
	if f>>len(vmFlagNames) != 0 {
		return nil, fmt.Errorf("procfs: invalid VMA flags %#x", uint64(f))
	}
	return []byte(f.String()), nil
}

// UnmarshalText sets *f from the mnemonics of a VmFlags line, "rd wr mr
// mw me ac" (the kernel's trailing space, tabs and runs of spaces are
// accepted; an empty text is no flags). Unlike the smaps parser, which
// skips mnemonics of kernels newer than lx, UnmarshalText rejects a word
// that is not one of VmFlags' mnemonics with an error wrapping
// strconv.ErrSyntax.
func (f *VmFlags) UnmarshalText(text []byte) error {
	return unmarshalWords(f, text, vmFlagNames[:], "VMA flags")
}

// parseVmFlags parses the value of a VmFlags line. Mnemonics lx does not
// know (newer kernels) are ignored.
func parseVmFlags(b []byte) VmFlags {
	var f VmFlags
	for {
		var tok []byte
		tok, b = parse.Field(b)
		if len(tok) == 0 {
			return f
		}
		if len(tok) != 2 {
			continue
		}
		for i, name := range vmFlagNames {
			if tok[0] == name[0] && tok[1] == name[1] {
				f |= 1 << i
				break
			}
		}
	}
}
