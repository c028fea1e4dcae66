package hugepage

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// NodePool is the part of one huge page pool on one NUMA node, from
// /sys/devices/system/node/nodeN/hugepages/hugepages-<size>kB (Linux
// 2.6.33). The kernel keeps no per-node reservation or overcommit
// counts.
type NodePool struct {
	Node    int    // the NUMA node
	Size    uint64 // page size in bytes
	Total   uint64 // pages on the node, persistent and surplus (nr_hugepages)
	Free    uint64 // pages not allocated to a mapping (free_hugepages)
	Surplus uint64 // surplus pages (surplus_hugepages)
}

// Persistent returns Total minus Surplus.
func (p NodePool) Persistent() uint64 {
	if p.Surplus > p.Total {
		return 0
	}
	return p.Total - p.Surplus
}

// NodePools returns the pools of every node that has them, by node and
// then size. A kernel without CONFIG_NUMA has no node directories: the
// result is then empty, and the global pools are the whole story.
func NodePools() ([]NodePool, error) { return Default().NodePools() }

// NodePools is the package-level NodePools for this FS.
func (fs FS) NodePools() ([]NodePool, error) {
	dir := fs.fs.SysPath("devices", "system", "node")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hugepage node pools read: %w", err)
	}
	var pools []NodePool
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "node")
		if !ok {
			continue
		}
		node, err := strconv.Atoi(n)
		if err != nil || node < 0 {
			continue
		}
		np, err := fs.nodePools(node)
		if err != nil {
			return nil, err
		}
		pools = append(pools, np...)
	}
	slices.SortFunc(pools, func(a, b NodePool) int {
		return cmp.Or(cmp.Compare(a.Node, b.Node), cmp.Compare(a.Size, b.Size))
	})
	return pools, nil
}

// nodePools reads the pools of one node.
func (fs FS) nodePools(node int) ([]NodePool, error) {
	dir := fs.nodeDir(node)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // a node without hugetlb (memoryless, or no hugetlb)
	}
	if err != nil {
		return nil, fmt.Errorf("hugepage node %d pools read: %w", node, err)
	}
	var pools []NodePool
	for _, e := range entries {
		size, ok := parseDirName(e.Name())
		if !ok {
			continue
		}
		p, err := readNodePool(dir+"/"+e.Name(), node, size)
		if err != nil {
			return nil, fmt.Errorf("hugepage node %d pool %s read: %w", node, e.Name(), err)
		}
		pools = append(pools, p)
	}
	return pools, nil
}

func (fs FS) nodeDir(node int) string {
	return fs.fs.SysPath("devices", "system", "node", "node"+strconv.Itoa(node), "hugepages")
}

func readNodePool(dir string, node int, size uint64) (NodePool, error) {
	p := NodePool{Node: node, Size: size}
	for _, f := range [...]struct {
		name string
		v    *uint64
	}{{"nr_hugepages", &p.Total}, {"free_hugepages", &p.Free}, {"surplus_hugepages", &p.Surplus}} {
		err := pseudofs.WithFile(dir+"/"+f.name, func(b []byte) error {
			var err error
			*f.v, err = parseCount(b)
			return err
		})
		if err != nil {
			return NodePool{}, err
		}
	}
	return p, nil
}

// checkNode returns an error naming node unless it is a possible node
// (/sys/devices/system/node/possible) with hugetlb pools.
func (fsys FS) checkNode(node int) error {
	var possible cpuset.Set
	err := pseudofs.WithFile(fsys.fs.SysPath("devices", "system", "node", "possible"), func(b []byte) error {
		var err error
		possible, err = cpuset.ParseBytes(parse.Trim(b))
		return err
	})
	if errors.Is(err, os.ErrNotExist) {
		return &kernel.FeatureError{Feature: "NUMA nodes", MinKernel: kernel.Version{Major: 2, Minor: 6, Patch: 33}, Err: err}
	}
	if err != nil {
		return err
	}
	if node < 0 || !possible.Has(node) {
		return fmt.Errorf("invalid NUMA node %d: not a possible node (possible: %s): %w", node, possible, fs.ErrInvalid)
	}
	if _, err := os.Stat(fsys.nodeDir(node)); err != nil {
		return fmt.Errorf("node %d has no huge page pools: %w", node, err)
	}
	return nil
}
