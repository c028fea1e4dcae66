package vm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/sys"
)

// Advice is an madvise(2) advice value, MADV_*: what the program will do
// with a range of memory, or an action on it (free it, populate it, make
// it a huge page).
type Advice uint8

const (
	AdviceNormal     Advice = sys.MADV_NORMAL     // no special treatment
	AdviceRandom     Advice = sys.MADV_RANDOM     // no read-ahead
	AdviceSequential Advice = sys.MADV_SEQUENTIAL // aggressive read-ahead
	AdviceWillNeed   Advice = sys.MADV_WILLNEED   // read ahead now
	// AdviceDontNeed drops the pages now: private anonymous memory reads
	// back as zeros, file mappings from the file.
	AdviceDontNeed Advice = sys.MADV_DONTNEED
	// AdviceFree (Linux 4.5) lets the kernel drop private anonymous
	// pages lazily, under memory pressure, unless written again first.
	AdviceFree        Advice = sys.MADV_FREE
	AdviceRemove      Advice = sys.MADV_REMOVE      // punch a hole in the backing shmem/file (2.6.16)
	AdviceDontFork    Advice = sys.MADV_DONTFORK    // not in children (2.6.16)
	AdviceDoFork      Advice = sys.MADV_DOFORK      // undoes DontFork
	AdviceMergeable   Advice = sys.MADV_MERGEABLE   // candidate for KSM (2.6.32)
	AdviceUnmergeable Advice = sys.MADV_UNMERGEABLE // undoes Mergeable
	// AdviceHugePage asks for transparent huge pages in the range
	// (2.6.38), which the THP "madvise" mode requires.
	AdviceHugePage   Advice = sys.MADV_HUGEPAGE
	AdviceNoHugePage Advice = sys.MADV_NOHUGEPAGE // never THP here (2.6.38)
	AdviceDontDump   Advice = sys.MADV_DONTDUMP   // not in core dumps (3.4)
	AdviceDoDump     Advice = sys.MADV_DODUMP     // undoes DontDump
	AdviceWipeOnFork Advice = sys.MADV_WIPEONFORK // children see zeros (4.14)
	AdviceKeepOnFork Advice = sys.MADV_KEEPONFORK // undoes WipeOnFork
	AdviceCold       Advice = sys.MADV_COLD       // deactivate the pages (5.4)
	AdvicePageOut    Advice = sys.MADV_PAGEOUT    // reclaim the pages now (5.4)
	// AdvicePopulateRead and AdvicePopulateWrite (5.14) fault the pages
	// in, readable or writable, and report failure (ENOMEM, EFAULT,
	// EHWPOISON) where MAP_POPULATE stays silent.
	AdvicePopulateRead   Advice = sys.MADV_POPULATE_READ
	AdvicePopulateWrite  Advice = sys.MADV_POPULATE_WRITE
	AdviceDontNeedLocked Advice = sys.MADV_DONTNEED_LOCKED // DontNeed for locked pages too (5.18)
	// AdviceCollapse (6.1) collapses the range into transparent huge
	// pages now, synchronously, whatever the THP mode.
	AdviceCollapse     Advice = sys.MADV_COLLAPSE
	AdviceGuardInstall Advice = sys.MADV_GUARD_INSTALL // guard pages that fault on access (6.13)
	AdviceGuardRemove  Advice = sys.MADV_GUARD_REMOVE  // removes them
)

var adviceNames = map[Advice]string{
	AdviceNormal: "MADV_NORMAL", AdviceRandom: "MADV_RANDOM", AdviceSequential: "MADV_SEQUENTIAL",
	AdviceWillNeed: "MADV_WILLNEED", AdviceDontNeed: "MADV_DONTNEED", AdviceFree: "MADV_FREE",
	AdviceRemove: "MADV_REMOVE", AdviceDontFork: "MADV_DONTFORK", AdviceDoFork: "MADV_DOFORK",
	AdviceMergeable: "MADV_MERGEABLE", AdviceUnmergeable: "MADV_UNMERGEABLE",
	AdviceHugePage: "MADV_HUGEPAGE", AdviceNoHugePage: "MADV_NOHUGEPAGE",
	AdviceDontDump: "MADV_DONTDUMP", AdviceDoDump: "MADV_DODUMP",
	AdviceWipeOnFork: "MADV_WIPEONFORK", AdviceKeepOnFork: "MADV_KEEPONFORK",
	AdviceCold: "MADV_COLD", AdvicePageOut: "MADV_PAGEOUT",
	AdvicePopulateRead: "MADV_POPULATE_READ", AdvicePopulateWrite: "MADV_POPULATE_WRITE",
	AdviceDontNeedLocked: "MADV_DONTNEED_LOCKED", AdviceCollapse: "MADV_COLLAPSE",
	AdviceGuardInstall: "MADV_GUARD_INSTALL", AdviceGuardRemove: "MADV_GUARD_REMOVE",
}

// String returns the kernel's name, "MADV_DONTNEED", or the number for
// advice lx does not know.
func (a Advice) String() string {
	if s, ok := adviceNames[a]; ok {
		return s
	}
	return strconv.Itoa(int(a))
}

// MarshalText returns String's text.
func (a Advice) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads String's text back.
func (a *Advice) UnmarshalText(b []byte) error {
	v, err := ParseAdvice(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseAdvice parses an advice name, with or without the MADV_ prefix
// ("MADV_DONTNEED", "DONTNEED"), or its number.
func ParseAdvice(s string) (Advice, error) {
	name := "MADV_" + strings.TrimPrefix(s, "MADV_")
	for a, n := range adviceNames {
		if n == name {
			return a, nil
		}
	}
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		return Advice(n), nil
	}
	return 0, invalidf("madvise advice %q", s)
}

// Advise gives advice about b, madvise(2). b must start on a page
// boundary (a Region's Bytes, or a page-aligned part of it); the kernel
// rounds its length up to whole pages. Advice that needs a newer kernel
// fails with EINVAL; advice on memory that is not mapped with ENOMEM.
// Mappings belong to the process: the advice affects every thread.
func Advise(b []byte, advice Advice) error {
	if err := checkAligned(b); err != nil {
		return fmt.Errorf("vm madvise %s: %w", advice, err)
	}
	if err := sys.Madvise(b, int(advice)); err != nil {
		return fmt.Errorf("vm madvise %s: %w", advice, err)
	}
	return nil
}

// Advise is the package-level Advise for the whole region.
func (r *Region) Advise(advice Advice) error {
	if err := r.checkOpen("madvise"); err != nil {
		return err
	}
	return Advise(r.b, advice)
}

// checkAligned checks that b starts on a page boundary and is not empty.
func checkAligned(b []byte) error {
	if len(b) == 0 {
		return invalidf("range: empty")
	}
	if a := sys.SliceAddr(b); a%uintptr(pagesize) != 0 {
		return invalidf("range at %#x: not aligned to the page size %d", a, pagesize)
	}
	return nil
}
