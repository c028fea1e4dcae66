package cgroup

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/procfs"
)

// The io controller's files, io.* (cgroup-v2.rst "IO"): per block
// device, named by its device number (procfs.Dev, "8:16"). They exist in
// non-root cgroups whose parent enabled "io". io.max is blk-throttle
// (CONFIG_BLK_DEV_THROTTLING), io.weight the io.cost model
// (CONFIG_BLK_CGROUP_IOCOST).

// IOLimit is one device's line of io.max: bytes and operations per
// second, each direction on its own; Unlimited is "max".
type IOLimit struct {
	Dev   procfs.Dev
	RBps  Max // rbps: bytes read per second
	WBps  Max // wbps: bytes written per second
	RIOPS Max // riops: read operations per second
	WIOPS Max // wiops: write operations per second
}

// String returns the kernel's line: "8:16 rbps=2097152 wbps=max riops=max wiops=120".
func (l IOLimit) String() string { return string(l.appendText(nil)) }

func (l IOLimit) appendText(b []byte) []byte {
	b = appendDev(b, l.Dev)
	for _, kv := range [...]struct {
		k string
		v Max
	}{{" rbps=", l.RBps}, {" wbps=", l.WBps}, {" riops=", l.RIOPS}, {" wiops=", l.WIOPS}} {
		b = append(b, kv.k...)
		b, _ = kv.v.AppendText(b)
	}
	return b
}

// IOMax reads io.max: the limits of every device that has one.
func (c *Cgroup) IOMax() ([]IOLimit, error) {
	v, err := readFile(c, "io.max", parseIOMax)
	if err != nil {
		return nil, fmt.Errorf("cgroup io.max read: %w", err)
	}
	return v, nil
}

// SetIOMax writes one device's line of io.max (all four limits) and
// returns the line the kernel then reports: all Unlimited when it removed
// the device's line. Each limit is Unlimited or at least 1; the operation
// limits at most 4294967294. A device that does not exist (or is no
// block device the controller knows) gives ENODEV.
func (c *Cgroup) SetIOMax(l IOLimit) (IOLimit, error) {
	for _, v := range [...]struct {
		k   string
		v   Max
		max Max
	}{{"rbps", l.RBps, Unlimited - 1}, {"wbps", l.WBps, Unlimited - 1}, {"riops", l.RIOPS, math.MaxUint32 - 1}, {"wiops", l.WIOPS, math.MaxUint32 - 1}} {
		if v.v != Unlimited && (v.v < 1 || v.v > v.max) {
			return IOLimit{}, fmt.Errorf("cgroup io.max set %v: %s %d: want max or 1..%d: %w", l.Dev, v.k, uint64(v.v), uint64(v.max), fs.ErrInvalid)
		}
	}
	b := l.appendText(nil)
	if err := c.writeFile("io.max", b); err != nil {
		return IOLimit{}, fmt.Errorf("cgroup io.max set %q: %w", b, err)
	}
	all, err := c.IOMax()
	if err != nil {
		return IOLimit{}, err
	}
	for _, got := range all {
		if got.Dev == l.Dev {
			return got, nil
		}
	}
	return IOLimit{Dev: l.Dev, RBps: Unlimited, WBps: Unlimited, RIOPS: Unlimited, WIOPS: Unlimited}, nil
}

func parseIOMax(b []byte) ([]IOLimit, error) {
	var ls []IOLimit
	err := eachDevLine(b, func(dev procfs.Dev) {
		ls = append(ls, IOLimit{Dev: dev, RBps: Unlimited, WBps: Unlimited, RIOPS: Unlimited, WIOPS: Unlimited})
	}, func(key, val []byte) error {
		l := &ls[len(ls)-1]
		var p *Max
		switch string(key) {
		case "rbps":
			p = &l.RBps
		case "wbps":
			p = &l.WBps
		case "riops":
			p = &l.RIOPS
		case "wiops":
			p = &l.WIOPS
		default:
			return nil
		}
		v, err := ParseMax(val)
		*p = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return ls, nil
}

// IOStat is one device's line of io.stat: what the cgroup and its
// descendants did on it since the cgroup was created.
type IOStat struct {
	Dev    procfs.Dev
	RBytes uint64 // rbytes: bytes read
	WBytes uint64 // wbytes: bytes written
	RIOs   uint64 // rios: read operations
	WIOs   uint64 // wios: write operations
	DBytes uint64 // dbytes: bytes discarded (4.19)
	DIOs   uint64 // dios: discard operations (4.19)
}

// IOStat reads io.stat, one entry per device the cgroup did I/O on, in
// the file's order. Keys other than the six above (the io.cost and
// io.latency ones) are skipped.
func (c *Cgroup) IOStat() ([]IOStat, error) {
	v, err := readFile(c, "io.stat", parseIOStat)
	if err != nil {
		return nil, fmt.Errorf("cgroup io.stat read: %w", err)
	}
	return v, nil
}

func parseIOStat(b []byte) ([]IOStat, error) {
	var st []IOStat
	err := eachDevLine(b, func(dev procfs.Dev) {
		st = append(st, IOStat{Dev: dev})
	}, func(key, val []byte) error {
		s := &st[len(st)-1]
		var p *uint64
		switch string(key) {
		case "rbytes":
			p = &s.RBytes
		case "wbytes":
			p = &s.WBytes
		case "rios":
			p = &s.RIOs
		case "wios":
			p = &s.WIOs
		case "dbytes":
			p = &s.DBytes
		case "dios":
			p = &s.DIOs
		default:
			return nil
		}
		v, err := parse.Uint(val)
		*p = v
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// IOWeight is io.weight: the cgroup's share of I/O time against its
// siblings, by default and for the devices that override it.
type IOWeight struct {
	Default uint64         // 1..10000, 100 unless set
	Devices []DeviceWeight // the overrides
}

// DeviceWeight is a weight for one device.
type DeviceWeight struct {
	Dev    procfs.Dev
	Weight uint64
}

// IOWeight reads io.weight.
func (c *Cgroup) IOWeight() (IOWeight, error) {
	v, err := readFile(c, "io.weight", parseIOWeight)
	if err != nil {
		return IOWeight{}, fmt.Errorf("cgroup io.weight read: %w", err)
	}
	return v, nil
}

// SetIOWeight writes the default weight (1..10000) of io.weight and
// returns what the file then holds.
func (c *Cgroup) SetIOWeight(w uint64) (IOWeight, error) {
	if w < 1 || w > 10000 {
		return IOWeight{}, fmt.Errorf("cgroup io.weight set %d: want 1..10000: %w", w, fs.ErrInvalid)
	}
	b := strconv.AppendUint([]byte("default "), w, 10)
	if err := c.writeFile("io.weight", b); err != nil {
		return IOWeight{}, fmt.Errorf("cgroup io.weight set %q: %w", b, err)
	}
	return c.IOWeight()
}

// SetIODeviceWeight writes the weight (1..10000) of one device to
// io.weight, or with weight 0 removes the device's override ("MAJ:MIN
// default"), and returns what the file then holds.
func (c *Cgroup) SetIODeviceWeight(dev procfs.Dev, w uint64) (IOWeight, error) {
	if w > 10000 {
		return IOWeight{}, fmt.Errorf("cgroup io.weight set %v %d: want 0 (default) or 1..10000: %w", dev, w, fs.ErrInvalid)
	}
	b := append(appendDev(nil, dev), ' ')
	if w == 0 {
		b = append(b, "default"...)
	} else {
		b = strconv.AppendUint(b, w, 10)
	}
	if err := c.writeFile("io.weight", b); err != nil {
		return IOWeight{}, fmt.Errorf("cgroup io.weight set %q: %w", b, err)
	}
	return c.IOWeight()
}

// parseIOWeight parses "default 100\n8:16 200\n".
func parseIOWeight(b []byte) (IOWeight, error) {
	var w IOWeight
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		key, rest := parse.Field(line)
		if len(key) == 0 {
			continue
		}
		val, rest := parse.Field(rest)
		if len(val) == 0 || len(parse.TrimBlank(rest)) != 0 {
			return IOWeight{}, parseErr(n, string(key), errShortLine)
		}
		v, err := parse.Uint(val)
		if err != nil {
			return IOWeight{}, parseErr(n, string(key), err)
		}
		if string(key) == "default" {
			w.Default = v
			continue
		}
		dev, err := parseDev(key)
		if err != nil {
			return IOWeight{}, parseErr(n, string(key), err)
		}
		w.Devices = append(w.Devices, DeviceWeight{Dev: dev, Weight: v})
	}
	return w, nil
}

// eachDevLine parses the nested keyed lines "MAJ:MIN key=value ..." of
// b: it calls line with each line's device, then kv with each of its
// keys and values.
func eachDevLine(b []byte, line func(dev procfs.Dev), kv func(key, val []byte) error) error {
	for n := 1; len(b) > 0; n++ {
		var l []byte
		l, b = parse.Line(b)
		f, rest := parse.Field(l)
		if len(f) == 0 {
			continue
		}
		dev, err := parseDev(f)
		if err != nil {
			return parseErr(n, string(f), err)
		}
		line(dev)
		for {
			f, rest = parse.Field(rest)
			if len(f) == 0 {
				break
			}
			k, v, ok := bytes.Cut(f, []byte{'='})
			if !ok {
				return parseErr(n, string(f), fmt.Errorf("want key=value"))
			}
			if err := kv(k, v); err != nil {
				return parseErr(n, string(k), err)
			}
		}
	}
	return nil
}

// parseDev parses a device number "MAJ:MIN", both decimal.
func parseDev(b []byte) (procfs.Dev, error) {
	maj, min, ok := bytes.Cut(b, []byte{':'})
	if !ok {
		return procfs.Dev{}, fmt.Errorf("device %q: want MAJ:MIN: %w", b, strconv.ErrSyntax)
	}
	a, err := parse.Uint(maj)
	if err == nil && a > math.MaxUint32 {
		err = errRange("device major", maj)
	}
	if err != nil {
		return procfs.Dev{}, err
	}
	i, err := parse.Uint(min)
	if err == nil && i > math.MaxUint32 {
		err = errRange("device minor", min)
	}
	if err != nil {
		return procfs.Dev{}, err
	}
	return procfs.Dev{Major: uint32(a), Minor: uint32(i)}, nil
}

func appendDev(b []byte, d procfs.Dev) []byte {
	b = strconv.AppendUint(b, uint64(d.Major), 10)
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(d.Minor), 10)
}
