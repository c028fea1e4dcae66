package numa

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/kernel"
)

// The weights of ModeWeightedInterleave:
// /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (Linux 6.9), one
// per possible node. A weighted interleave policy puts that many pages
// on the node before it moves on to the next; the default is 1 for every
// node (round robin), or from 6.16 weights the kernel derives from the
// firmware's bandwidth tables while the directory's "auto" switch is on.
// The weights are system-wide.

// MaxInterleaveWeight is the largest weight the kernel accepts (a u8,
// and 0 is refused).
const MaxInterleaveWeight = 255

// InterleaveWeight returns node's weight for ModeWeightedInterleave,
// from /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (Linux 6.9; no
// privilege). Before 6.9 the file is missing and the error is a
// *kernel.FeatureError.
func InterleaveWeight(node int) (int, error) { return Default().InterleaveWeight(node) }

// InterleaveWeight is the package-level InterleaveWeight for this FS.
func (fs FS) InterleaveWeight(node int) (int, error) {
	if err := checkNode(node); err != nil {
		return 0, fmt.Errorf("numa interleave weight read: %w", err)
	}
	var w int
	err := read(fs.weightPath(node), func(b []byte) error {
		var err error
		w, err = parseWeight(b)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("numa node %d interleave weight read: %w", node, fs.weightsMissing(err))
	}
	return w, nil
}

// SetInterleaveWeight sets node's weight for ModeWeightedInterleave to
// w (1..MaxInterleaveWeight), writing
// /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (Linux 6.9). It
// changes the whole system: every weighted interleave policy, of every
// process, from the next allocation on. From 6.16 it also turns the
// kernel's automatic weights off (the directory's "auto" switch), and on
// a machine whose firmware gives no bandwidth tables they cannot be
// turned on again until reboot (ENODEV): a caller that wants to change
// a weight for a while cannot fully undo it there. Needs root (the file
// is mode 0644: EACCES).
func SetInterleaveWeight(node, w int) error { return Default().SetInterleaveWeight(node, w) }

// SetInterleaveWeight is the package-level SetInterleaveWeight for this FS.
func (fs FS) SetInterleaveWeight(node, w int) error {
	err := checkNode(node)
	if err == nil && (w < 1 || w > MaxInterleaveWeight) {
		err = &kernel.RangeError{What: "interleave weight", Value: int64(w), Min: 1, Max: MaxInterleaveWeight}
	}
	if err == nil {
		var f *os.File
		f, err = os.OpenFile(fs.weightPath(node), os.O_WRONLY|os.O_TRUNC, 0)
		if err == nil {
			_, err = f.Write(strconv.AppendInt(nil, int64(w), 10))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		err = fs.weightsMissing(err)
	}
	if err != nil {
		return fmt.Errorf("numa node %d interleave weight set: %w", node, err)
	}
	return nil
}

func (fs FS) weightPath(node int) string {
	return fs.fs.Sys + "/kernel/mm/mempolicy/weighted_interleave/node" + strconv.Itoa(node)
}

// weightsMissing turns a missing weight file into the feature's error
// when the whole directory is missing (a kernel before 6.9); a missing
// file of its own is a node that is not possible, and stays
// fs.ErrNotExist.
func (v FS) weightsMissing(err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if _, serr := os.Stat(v.fs.Sys + "/kernel/mm/mempolicy/weighted_interleave"); errors.Is(serr, fs.ErrNotExist) {
		return &kernel.FeatureError{Feature: "weighted interleave weights", MinKernel: kernel.V(6, 9), Err: err}
	}
	return err
}

// errWeight is the error for a weight outside 1..255.
var errWeight = errors.New("weight outside 1..255")

// parseWeight parses a weight file: a number 1..255 and a newline.
func parseWeight(b []byte) (int, error) {
	v, err := parse.Uint(parse.Trim(b))
	if err == nil && (v < 1 || v > MaxInterleaveWeight) {
		err = errWeight
	}
	if err != nil {
		return 0, &ParseError{Line: 1, Err: err}
	}
	return int(v), nil
}
