package vm

import (
	"fmt"

	"github.com/lxgo/lx/internal/sys"
)

// Protect changes the access b's pages allow, mprotect(2). b must start
// on a page boundary. Touching a page against its protection raises
// SIGSEGV, which the Go runtime turns into a fatal error (or a panic
// under debug.SetPanicOnFault). The protection belongs to the mapping:
// it affects every thread.
func Protect(b []byte, prot Prot) error {
	if err := checkAligned(b); err != nil {
		return fmt.Errorf("vm mprotect: %w", err)
	}
	if prot == 0 {
		return fmt.Errorf("vm mprotect: %w", invalidf("protection 0: want ProtNone or access bits"))
	}
	p, err := prot.sys(0)
	if err != nil {
		return fmt.Errorf("vm mprotect: %w", err)
	}
	if err := sys.Mprotect(b, p); err != nil {
		return fmt.Errorf("vm mprotect %s: %w", prot, err)
	}
	return nil
}

// Protect is the package-level Protect for the whole region.
func (r *Region) Protect(prot Prot) error {
	if err := r.checkOpen("mprotect"); err != nil {
		return err
	}
	return Protect(r.b, prot)
}
