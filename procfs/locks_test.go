package procfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestParseLocks(t *testing.T) {
	list, err := parseLocks(systemFixture(t, "locks-mixed"))
	if err != nil {
		t.Fatal(err)
	}
	dev := Dev{Major: 0xfe, Minor: 0}
	want := []Lock{
		{ID: 1, Class: LockPOSIX, Mode: LockAdvisory, Access: LockWrite, PID: 7784, Dev: dev, Inode: 398607, End: LockEOF},
		{ID: 1, Class: LockPOSIX, Mode: LockAdvisory, Access: LockWrite, PID: 7790, Dev: dev, Inode: 398607, End: LockEOF, Blocked: true, Blocker: 0},
		{ID: 1, Class: LockPOSIX, Mode: LockAdvisory, Access: LockWrite, PID: 7791, Dev: dev, Inode: 398607, End: LockEOF, Blocked: true, Blocker: 1},
		{ID: 1, Class: LockPOSIX, Mode: LockAdvisory, Access: LockRead, PID: 7792, Dev: dev, Inode: 398607, End: 99, Blocked: true, Blocker: 0},
		{ID: 2, Class: LockOFD, Mode: LockAdvisory, Access: LockRead, PID: -1, Dev: Dev{0, 0x2d}, Inode: 12, Start: 100, End: 199},
		{ID: 3, Class: LockFlock, Mode: LockAdvisory, Access: LockWrite, PID: 903, Dev: Dev{8, 1}, Inode: 2621443, End: LockEOF},
		{ID: 4, Class: LockLease, Mode: LockLeaseActive, Access: LockRead, PID: 1001, Dev: Dev{8, 1}, Inode: 2621444, End: LockEOF},
		{ID: 5, Class: LockLease, Mode: LockLeaseBreaking, Access: LockUnlock, PID: 1002, Dev: Dev{8, 1}, Inode: 2621445, End: LockEOF},
		{ID: 5, Class: LockLease, Mode: LockLeaseBreaker, Access: LockUnlock, PID: 1003, Dev: Dev{8, 1}, Inode: 2621445, End: LockEOF, Blocked: true, Blocker: 7},
		{ID: 6, Class: LockDeleg, Mode: LockLeaseActive, Access: LockRead, PID: 1234, Dev: Dev{0, 0x30}, Inode: 77, End: LockEOF},
		{ID: 7, Class: LockPOSIX, Mode: LockMandatory, Access: LockWrite, PID: 500, Dev: Dev{0x103, 2}, Inode: 5, Start: 9223372036854775806, End: LockEOF},
		{ID: 8, Class: LockPOSIX, Mode: LockNoInode, Access: LockWrite, PID: 501, End: LockEOF},
		{ID: 9, Class: LockClassUnknown, Mode: LockModeUnknown, Access: LockUnlock, PID: 99, End: LockEOF},
	}
	if len(list) != len(want) {
		t.Fatalf("%d locks, want %d: %+v", len(list), len(want), list)
	}
	for i := range want {
		if list[i] != want[i] {
			t.Errorf("line %d:\n got  %+v\n want %+v", i+1, list[i], want[i])
		}
	}
	list, err = parseLocks(systemFixture(t, "locks-6.18"))
	if err != nil || len(list) != 4 || list[0].Class != LockOFD || list[0].End != 199 || list[1].Class != LockFlock ||
		list[1].Access != LockRead || !list[3].Blocked || list[3].Blocker != 2 || list[3].PID != 3165 || list[2].Dev != dev {
		t.Errorf("6.18: %+v, %v", list, err)
	}
	for _, in := range []string{
		"1 POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n",                                               // no colon
		"x: POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n",                                              // bad id
		"1: POSIX ADVISORY WRITE 1 fe:00:1 0\n",                                                  // too few fields
		"1: POSIX ADVISORY WRITE 1 fe:00:1 0 EOF x\n",                                            // too many
		"1: POSIX ADVISORY WRITE x fe:00:1 0 EOF\n",                                              // bad pid
		"1: POSIX ADVISORY WRITE 1 fe:00 0 EOF\n",                                                // no inode
		"1: POSIX ADVISORY WRITE 1 fe:00:x 0 EOF\n",                                              // bad inode
		"1: POSIX ADVISORY WRITE 1 fg:00:1 0 EOF\n",                                              // bad major
		"1: POSIX ADVISORY WRITE 1 fe:100000000:1 0 EOF\n",                                       // minor too big
		"1: POSIX ADVISORY WRITE 1 fe00:1 0 EOF\n",                                               // no minor
		"1: POSIX ADVISORY WRITE 1 fe:00:1 x EOF\n",                                              // bad start
		"1: POSIX ADVISORY WRITE 1 fe:00:1 0 x\n",                                                // bad end
		"1: -> POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n",                                           // waiter first
		"1: POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n2: -> POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n",  // other id
		"1: POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n1:  -> POSIX ADVISORY WRITE 1 fe:00:1 0 EOF\n", // level skipped
	} {
		if list, err := parseLocks([]byte(in)); err == nil {
			t.Errorf("parseLocks(%q) = %+v, want an error", in, list)
		}
	}
	if list, err := parseLocks([]byte("\n")); err != nil || len(list) != 0 {
		t.Errorf("blank: %+v, %v", list, err)
	}
}

func TestLockStrings(t *testing.T) {
	for v, want := range map[interface{ String() string }]string{
		LockFlock: "FLOCK", LockPOSIX: "POSIX", LockOFD: "OFDLCK", LockLease: "LEASE", LockDeleg: "DELEG",
		LockClassAccess: "ACCESS", LockClassUnknown: "UNKNOWN",
		LockAdvisory: "ADVISORY", LockMandatory: "MANDATORY", LockNoInode: "*NOINODE*", LockLeaseActive: "ACTIVE",
		LockLeaseBreaking: "BREAKING", LockLeaseBreaker: "BREAKER", LockModeUnknown: "UNKNOWN",
		LockRead: "READ", LockWrite: "WRITE", LockUnlock: "UNLCK", LockAccessUnknown: "UNKNOWN",
	} {
		if got := v.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", v, got, want)
		}
	}
}

// fcntl commands for open file description locks (include/uapi/asm-generic/fcntl.h, 3.15).
const (
	testFOFDSetlk  = 37
	testFOFDSetlkw = 38
)

// ofdLock runs fcntl(cmd) with an OFD lock of typ on [start, start+length).
func ofdLock(f *os.File, cmd int, typ int16, start, length int64) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	cerr := rc.Control(func(fd uintptr) {
		lk := syscall.Flock_t{Type: typ, Whence: 0, Start: start, Len: length}
		for {
			lerr = syscall.FcntlFlock(fd, cmd, &lk)
			if lerr != syscall.EINTR {
				return
			}
		}
	})
	if cerr != nil {
		return cerr
	}
	return lerr
}

// statDev returns the device and inode of f as /proc/locks shows them.
func statDev(t *testing.T, f *os.File) (Dev, uint64) {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	d := uint64(st.Dev)
	major := uint32((d>>8)&0xfff | (d>>32)&^0xfff)
	minor := uint32(d&0xff | (d>>12)&^0xff)
	return Dev{Major: major, Minor: minor}, uint64(st.Ino)
}

// TestLocksKernel takes an OFD lock, a second OFD lock that blocks on it,
// and a flock, and finds all three in /proc/locks.
func TestLocksKernel(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "locked")
	open := func(name string) *os.File {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	holder, waiter := open(name), open(name)
	dev, ino := statDev(t, holder)
	if err := ofdLock(holder, testFOFDSetlk, syscall.F_WRLCK, 0, 0); err != nil {
		if errors.Is(err, syscall.EINVAL) {
			t.Skipf("no OFD locks (3.15): %v", err)
		}
		t.Fatal(err)
	}
	ranged := open(filepath.Join(dir, "ranged"))
	rdev, rino := statDev(t, ranged)
	if err := ofdLock(ranged, testFOFDSetlk, syscall.F_RDLCK, 100, 100); err != nil {
		t.Fatal(err)
	}
	flocked := open(filepath.Join(dir, "flocked"))
	_, fino := statDev(t, flocked)
	frc, _ := flocked.SyscallConn()
	var ferr error
	frc.Control(func(fd uintptr) { ferr = syscall.Flock(int(fd), syscall.LOCK_EX) })
	if ferr != nil {
		t.Fatal(ferr)
	}

	done := make(chan error, 1)
	go func() { done <- ofdLock(waiter, testFOFDSetlkw, syscall.F_WRLCK, 0, 0) }()
	waited := false
	defer func() {
		if !waited {
			ofdLock(holder, testFOFDSetlk, syscall.F_UNLCK, 0, 0)
			<-done
		}
	}()

	fs := Default()
	var list []Lock
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if list, err = fs.Locks(); err != nil {
			t.Fatal(err)
		}
		blocked := false
		for _, l := range list {
			blocked = blocked || l.Blocked && l.Inode == ino
		}
		if blocked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the blocked OFD lock never showed up: %+v", list)
		}
	}
	var held, blocked, rangedLock, flock *Lock
	for i := range list {
		l := &list[i]
		switch {
		case l.Inode == ino && l.Dev == dev && !l.Blocked:
			held = l
		case l.Inode == ino && l.Dev == dev && l.Blocked:
			blocked = l
			if list[l.Blocker].Inode != ino || list[l.Blocker].Blocked || list[l.Blocker].ID != l.ID {
				t.Errorf("waiter's blocker is %+v", list[l.Blocker])
			}
		case l.Inode == rino && l.Dev == rdev:
			rangedLock = l
		case l.Inode == fino:
			flock = l
		}
	}
	want := Lock{Class: LockOFD, Mode: LockAdvisory, Access: LockWrite, PID: -1, Dev: dev, Inode: ino, Start: 0, End: LockEOF}
	if held == nil || blocked == nil || rangedLock == nil || flock == nil {
		t.Fatalf("locks missing from %+v", list)
	}
	want.ID = held.ID
	if *held != want {
		t.Errorf("held  %+v\nwant %+v", *held, want)
	}
	want.Blocked, want.Blocker = true, blocked.Blocker
	if *blocked != want {
		t.Errorf("blocked %+v\nwant    %+v", *blocked, want)
	}
	if rangedLock.Class != LockOFD || rangedLock.Access != LockRead || rangedLock.Start != 100 || rangedLock.End != 199 || rangedLock.PID != -1 {
		t.Errorf("ranged %+v", *rangedLock)
	}
	if flock.Class != LockFlock || flock.Access != LockWrite || flock.PID != os.Getpid() || flock.End != LockEOF {
		t.Errorf("flock %+v (pid %d)", *flock, os.Getpid())
	}

	if err := ofdLock(holder, testFOFDSetlk, syscall.F_UNLCK, 0, 0); err != nil {
		t.Fatal(err)
	}
	waited = true
	if err := <-done; err != nil {
		t.Errorf("waiter: %v", err)
	}
	if _, err := systemRoot(t, nil).Locks(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseLocks(f *testing.F) {
	seedSystemFixtures(f, "locks-")
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := parseLocks(b)
		if err != nil {
			return
		}
		for i, l := range list {
			if l.Blocked && (l.Blocker < 0 || l.Blocker >= i || list[l.Blocker].ID != l.ID) {
				t.Errorf("lock %d: bad blocker %d", i, l.Blocker)
			}
			if !l.Blocked && l.Blocker != 0 {
				t.Errorf("lock %d: blocker %d set on a held lock", i, l.Blocker)
			}
		}
	})
}

func BenchmarkLocks(b *testing.B) {
	fs := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.Locks(); err != nil {
			b.Fatal(err)
		}
	}
}
