package numa

import (
	"fmt"
	"io/fs"
	"math/bits"
	"sync"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
)

// maskWordsMax is the size of a node mask on the stack: MaxNode+1 bits.
const maskWordsMax = (MaxNode + 1) / bits.UintSize

// nodeMask is a node mask as the kernel reads it: C unsigned longs, node
// n at bit n%UintSize of word n/UintSize. Only w[:n] is passed, so the
// kernel's maxnode is n*UintSize+1: it reads exactly the words it gets.
type nodeMask struct {
	w [maskWordsMax]uint
	n int
}

func (m *nodeMask) words() []uint { return m.w[:m.n] }

// set returns the nodes of the mask.
func (m *nodeMask) set() cpuset.Set {
	var s cpuset.Set
	for i, w := range m.w[:m.n] {
		for w != 0 {
			b := bits.TrailingZeros(w)
			s.Add(i*bits.UintSize + b)
			w &^= 1 << b
		}
	}
	return s
}

// possible caches the possible nodes after the first successful read:
// the set is fixed for the life of the system.
var possible struct {
	sync.Mutex
	set cpuset.Set
	ok  bool
}

// possibleNodes returns the running system's possible nodes, checking
// first that the kernel has the memory policy calls at all.
func possibleNodes() (cpuset.Set, error) {
	possible.Lock()
	defer possible.Unlock()
	if possible.ok {
		return possible.set, nil
	}
	if err := feature.Mempolicy.Check(); err != nil {
		return cpuset.Set{}, err
	}
	s, err := Default().Possible()
	if err != nil {
		return cpuset.Set{}, err
	}
	possible.set, possible.ok = s, true
	return s, nil
}

// emptyMask returns a zero mask wide enough for every possible node,
// rounded up to 64 bits (get_mempolicy writes whole 64-bit words, and
// refuses a mask narrower than nr_node_ids with EINVAL).
func emptyMask() (nodeMask, cpuset.Set, error) {
	var m nodeMask
	p, err := possibleNodes()
	if err != nil {
		return m, p, err
	}
	nbits := (max(p.Len(), 1) + 63) &^ 63
	m.n = min(nbits/bits.UintSize, maskWordsMax)
	return m, p, nil
}

// toMask returns nodes as a mask, after checking each against the
// possible nodes: the error names the first node that is not one.
func toMask(nodes cpuset.Set) (nodeMask, error) {
	m, p, err := emptyMask()
	if err != nil {
		return m, err
	}
	for n := range nodes.All() {
		if !p.Has(n) {
			return m, fmt.Errorf("node %d is not a possible node (possible: %v): %w", n, p, fs.ErrInvalid)
		}
		m.w[n/bits.UintSize] |= 1 << (n % bits.UintSize)
	}
	return m, nil
}

// checkNodeNumber checks one node number against the possible nodes.
func checkNodeNumber(node int) error {
	p, err := possibleNodes()
	if err != nil {
		return err
	}
	if node < 0 || !p.Has(node) {
		return fmt.Errorf("node %d is not a possible node (possible: %v): %w", node, p, fs.ErrInvalid)
	}
	return nil
}

// unsupported turns an ENOSYS from a policy call into the family's
// *kernel.FeatureError; other errors pass unchanged.
func unsupported(err error) error {
	if sys.Errno(err) == sys.ENOSYS {
		return feature.Mempolicy.Unsupported(err)
	}
	return err
}
