package numa

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
)

// errBadPolicy is the error for a negative mode or unknown flag bits.
var errBadPolicy = fmt.Errorf("negative mode or unknown flags: %w", fs.ErrInvalid)

// errEmpty is the error for an empty region.
var errEmpty = fmt.Errorf("empty region: %w", fs.ErrInvalid)

// modeError turns the kernel's answer to a policy call into lx's: ENOSYS
// is the family's *kernel.FeatureError, and EINVAL for a mode newer than
// the kernel is that mode's, when its probe confirms the kernel lacks it.
func modeError(mode Mode, err error) error {
	if sys.Errno(err) == sys.EINVAL {
		var p *feature.Probe
		switch mode {
		case ModePreferredMany:
			p = feature.MempolicyPreferredMany
		case ModeWeightedInterleave:
			p = feature.MempolicyWeightedInterleave
		}
		if p != nil {
			if perr := p.Check(); errors.Is(perr, errors.ErrUnsupported) {
				return perr
			}
		}
	}
	return unsupported(err)
}

// checkRegion checks that b is not empty and starts on a page boundary;
// the error names the address.
func checkRegion(b []byte) error {
	if len(b) == 0 {
		return errEmpty
	}
	if a := addrOf(b); a%uintptr(os.Getpagesize()) != 0 {
		return fmt.Errorf("region start %#x is not aligned to the page size %d: %w", a, os.Getpagesize(), fs.ErrInvalid)
	}
	return nil
}

// RegionOptions are the options of SetRegionPolicy; nil means none.
type RegionOptions struct {
	// Strict fails with EIO when a page of the region is already on a
	// node the policy does not allow (and Move could not move it)
	// (MPOL_MF_STRICT).
	Strict bool
	// Move moves pages of the region that only this process maps to the
	// policy's nodes (MPOL_MF_MOVE, 2.6.16).
	Move bool
	// MoveAll moves every page of the region, shared ones too
	// (MPOL_MF_MOVE_ALL; CAP_SYS_NICE, or EPERM).
	MoveAll bool
}

func (o *RegionOptions) flags() int {
	f := 0
	if o != nil {
		if o.Strict {
			f |= sys.MPOL_MF_STRICT
		}
		if o.Move {
			f |= sys.MPOL_MF_MOVE
		}
		if o.MoveAll {
			f |= sys.MPOL_MF_MOVE_ALL
		}
	}
	return f
}

// SetRegionPolicy sets the memory policy of the pages of b, mbind(2)
// (Linux 2.6.7): it overrides the faulting thread's policy for them.
// ModeDefault removes the region's own policy. Without opts.Move, pages
// already faulted in stay where they are.
//
// Affects the mapping, for every thread of the process; the policy is
// dropped with the mapping (munmap). b must start on a page boundary
// (the error names its address); the kernel rounds its length up to
// whole pages. Nodes are checked as for SetThreadPolicy. No privilege,
// except for opts.MoveAll.
func SetRegionPolicy(b []byte, p Policy, opts *RegionOptions) error {
	if err := setRegionPolicy(b, p, opts); err != nil {
		return fmt.Errorf("numa region policy set: %w", err)
	}
	return nil
}

func setRegionPolicy(b []byte, p Policy, opts *RegionOptions) error {
	if err := checkRegion(b); err != nil {
		return err
	}
	mode, m, err := p.args()
	if err != nil {
		return err
	}
	if err := sys.Mbind(b, mode, m.words(), opts.flags()); err != nil {
		return modeError(p.Mode, err)
	}
	return nil
}

// RegionPolicy returns the memory policy of the region holding b[0],
// get_mempolicy(2) with MPOL_F_ADDR: the one SetRegionPolicy gave it,
// ModeDefault when it has none (the faulting thread's policy applies).
// EFAULT: b[0] is not mapped. No privilege.
func RegionPolicy(b []byte) (Policy, error) {
	if len(b) == 0 {
		return Policy{}, fmt.Errorf("numa region policy read: %w", errEmpty)
	}
	m, _, err := emptyMask()
	if err != nil {
		return Policy{}, fmt.Errorf("numa region policy read: %w", err)
	}
	mode, err := sys.GetMempolicyAddr(b, m.words(), 0)
	if err != nil {
		return Policy{}, fmt.Errorf("numa region policy read: %w", unsupported(err))
	}
	return policyOf(mode, &m), nil
}

// PageNode returns the node of the page holding b[0],
// get_mempolicy(2) with MPOL_F_NODE|MPOL_F_ADDR. A page not yet present
// is faulted in by a read first (anonymous memory then maps the shared
// zero page, whose node is where the kernel put it): PageNodes asks
// without faulting. Affects nothing but that fault; no privilege.
func PageNode(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, fmt.Errorf("numa page node read: %w", errEmpty)
	}
	if _, err := possibleNodes(); err != nil {
		return 0, fmt.Errorf("numa page node read: %w", err)
	}
	node, err := sys.GetMempolicyAddr(b, nil, sys.MPOL_F_NODE)
	if err != nil {
		return 0, fmt.Errorf("numa page node read: %w", unsupported(err))
	}
	return node, nil
}

// SetHomeNode sets the home node of the pages of b,
// set_mempolicy_home_node(2) (Linux 5.17): the node a ModeBind or
// ModePreferredMany region policy allocates from first, falling back to
// its other nodes by distance from there. b must start on a page
// boundary and have such a policy: EOPNOTSUPP where part of it has
// another one, ENOENT where none of it has a policy. node must be
// possible (checked here) and online (EINVAL from the kernel). Affects
// the mapping, for every thread of the process; no privilege.
func SetHomeNode(b []byte, node int) error {
	err := checkRegion(b)
	if err == nil {
		err = checkNodeNumber(node)
	}
	if err == nil {
		err = sys.SetMempolicyHomeNode(b, node)
		if sys.Errno(err) == sys.ENOSYS {
			err = feature.MempolicyHomeNode.Unsupported(err)
		}
	}
	if err != nil {
		return fmt.Errorf("numa home node set: %w", err)
	}
	return nil
}
