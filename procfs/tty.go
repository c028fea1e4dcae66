package procfs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// TTYDriver is one line of /proc/tty/drivers (proc(5)): a tty driver and
// the device numbers it serves.
type TTYDriver struct {
	// Driver is the driver's name: "serial", "pty_slave", "usbserial";
	// "unknown" for the virtual consoles; the node itself ("/dev/tty") for
	// the system devices.
	Driver string
	// Node is the device node, or the prefix of the nodes, the driver
	// creates: "/dev/ttyS", "/dev/pts", "/dev/tty".
	Node string
	// Major is the major device number; MinorFirst to MinorLast the minor
	// numbers, one or a range.
	Major                 uint32
	MinorFirst, MinorLast uint32
	// Type is the driver type as the kernel prints it: "system:/dev/tty",
	// "system:console", "system:vtmaster", "system", "console" (the
	// virtual consoles), "serial", "pty:slave", "pty:master", "pty", or
	// "type:T.S" for others.
	Type string
}

// TTYDrivers are the lines of /proc/tty/drivers, in the kernel's order.
type TTYDrivers []TTYDriver

// TTYDrivers reads /proc/tty/drivers: the tty drivers the kernel has
// registered and their device numbers. Any user can read it.
func (fs FS) TTYDrivers() (TTYDrivers, error) { return readFS(fs, "tty/drivers", parseTTYDrivers) }

var errTTYLine = errors.New(`want "driver /dev/node major minor[-minor] type"`)

// parseTTYDrivers parses /proc/tty/drivers (fs/proc/proc_tty.c
// show_tty_range):
//
//	/dev/tty             /dev/tty        5       0 system:/dev/tty
//	serial               /dev/ttyS       4 64-95 serial
//	pty_slave            /dev/pts      136 0-1048575 pty:slave
//
// The columns are read from the right: the type, the minor number or
// range, the major, the node; the driver name is the rest.
func parseTTYDrivers(b []byte) (TTYDrivers, error) {
	var list TTYDrivers
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		rest := parse.Trim(line)
		if len(rest) == 0 {
			continue
		}
		var f [4][]byte // node, major, minors, type
		for i := 3; i >= 0; i-- {
			f[i], rest = swapsLastField(rest)
		}
		driver := parse.Trim(rest)
		if len(driver) == 0 || !strings.HasPrefix(string(f[0]), "/dev/") {
			return nil, parseErr(n, "", fmt.Errorf("%w, got %q", errTTYLine, line))
		}
		d := TTYDriver{Driver: string(driver), Node: string(f[0]), Type: string(f[3])}
		major, err := parse.Uint(f[1])
		if err == nil && major > 1<<12-1 {
			err = errRange("major", f[1]) // 12 bits in a dev_t
		}
		if err != nil {
			return nil, parseErr(n, "major", err)
		}
		d.Major = uint32(major)
		first, last, ranged := strings.Cut(string(f[2]), "-")
		lo, err := parseMinor(first)
		hi := lo
		if err == nil && ranged {
			hi, err = parseMinor(last)
			if err == nil && hi < lo {
				err = errRange("minor range", f[2])
			}
		}
		if err != nil {
			return nil, parseErr(n, "minor", err)
		}
		d.MinorFirst, d.MinorLast = lo, hi
		list = append(list, d)
	}
	return list, nil
}

// parseMinor parses a minor device number: 20 bits in a dev_t.
func parseMinor(s string) (uint32, error) {
	v, err := parse.Uint([]byte(s))
	if err == nil && v > 1<<20-1 {
		err = errRange("minor", []byte(s))
	}
	return uint32(v), err
}

// Name returns the name of the terminal device dev as ps(1) prints it in
// its TTY column: the node below /dev, "pts/3", "tty1", "ttyS0",
// "ttyUSB0", "console". dev is a controlling terminal from Stat.TTY. ok is
// false for 0:0 (no terminal) and for a number no driver serves. The name
// comes from the drivers table alone, without looking at /dev: a
// pseudo-driver the kernel lists first is its node ("tty", "console",
// "ptmx"; 4:0 is "tty0"); a Unix 98 pseudo-terminal slave
// is "pts/" and its minor; a virtual console is "tty" and its minor (tty1
// is minor 1); a legacy BSD pseudo-terminal is "ttyp0" and the like; any
// other driver's device is its node and its index in the driver's range
// (ttyS0 is the first minor of the serial driver, 64).
func (d TTYDrivers) Name(dev Dev) (name string, ok bool) {
	if dev == (Dev{}) {
		return "", false
	}
	var best *TTYDriver
	for i := range d {
		e := &d[i]
		if e.Major != dev.Major || dev.Minor < e.MinorFirst || dev.Minor > e.MinorLast {
			continue
		}
		// Prefer the narrowest range: a system device over a range
		// that would contain it.
		if best == nil || e.MinorLast-e.MinorFirst < best.MinorLast-best.MinorFirst {
			best = e
		}
	}
	if best == nil {
		return "", false
	}
	node := strings.TrimPrefix(best.Node, "/dev/")
	index := dev.Minor - best.MinorFirst
	switch {
	case best.Driver == best.Node:
		// The pseudo-drivers the kernel lists first: /dev/tty,
		// /dev/console, /dev/ptmx, and /dev/vc/0, the devfs name of
		// what udev calls tty0.
		if node == "vc/0" {
			return "tty0", true
		}
		return node, true
	case best.Type == "console":
		// The virtual consoles number from 1 (name_base), and their range
		// starts at minor 1: tty1 is 4:1.
		return node + strconv.FormatUint(uint64(dev.Minor), 10), true
	case strings.HasPrefix(best.Type, "pty") && (node == "pts" || node == "ptm"):
		return node + "/" + strconv.FormatUint(uint64(index), 10), true
	case strings.HasPrefix(best.Type, "pty"):
		// Legacy BSD pseudo-terminals (drivers/tty/pty.c
		// pty_line_name): a letter for each group of 16, a hex digit.
		const groups = "pqrstuvwxyzabcde"
		prefix := "tty"
		if best.Type == "pty:master" {
			prefix = "pty"
		}
		return prefix + string(groups[index>>4&0xf]) + strconv.FormatUint(uint64(index&0xf), 16), true
	}
	return node + strconv.FormatUint(uint64(index), 10), true
}
