package procfs

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// SampleFiles selects the per-process files a Sampler reads.
type SampleFiles uint8

// Files a Sampler can keep open.
const (
	SampleStat   SampleFiles = 1 << iota // /proc/PID/stat into Sample.Stat
	SampleStatm                          // /proc/PID/statm into Sample.Statm
	SampleStatus                         // /proc/PID/status into Sample.Status
	SampleIO                             // /proc/PID/io into Sample.IO (needs ptrace access)
)

var sampleFileNames = [...]string{"stat", "statm", "status", "io"}

// String lists the files, "stat|statm".
func (f SampleFiles) String() string { return string(sampleFilesText.Append(nil, f)) }

// SamplerOptions configures a Sampler. nil means defaults.
type SamplerOptions struct {
	// Files are the files read for each process; zero means SampleStat.
	Files SampleFiles
}

// Sample is one process's values from one pass of a Sampler. Only the
// fields of the files the Sampler reads are filled.
type Sample struct {
	PID    int // the process id (a thread id for threads added with AddProc)
	Stat   Stat
	Statm  Statm
	Status Status
	IO     IO
}

// Sampler re-reads the files of a set of processes, as a monitoring loop
// does. It opens each process's files once (Add) and re-reads them with
// pread(2) at offset 0: one system call per file per sample, instead of
// open, read and close, and no path lookup. procfs regenerates the
// contents on every read. A file held open stays bound to its process, so
// a Sampler never reads a new process that reused a PID: once the process
// is reaped its reads fail with ESRCH, the Sampler reports it (an error
// matching os.ErrProcessDone) and drops it.
//
// A monitoring loop re-reads mostly idle processes, whose files do not
// change between samples. The Sampler keeps, for each process and file,
// the bytes of the last read it parsed without error and the value they
// gave; when a read returns the same bytes, it copies that value instead
// of parsing again. The value is then exactly what the parse would give:
// the parsers are functions of the bytes alone. The memo changes only the
// cost. Re-reading the stat of 300 sleepers costs 0.51-0.52 of opening,
// reading and closing each (pread(2) alone: 0.47); when every process's
// stat has changed since the last sample, each is parsed, and with the
// memo's comparison and copies a pass costs 0.59 (BenchmarkPaired:
// sampler-300, sampler-300-changed, sampler-300-pread).
// It holds about 1.4 KiB per process and the last bytes of each file.
//
// A Sampler holds len(Files) file descriptors per process: mind
// RLIMIT_NOFILE. It is not safe for concurrent use. Close releases
// everything.
type Sampler struct {
	fs     FS
	files  SampleFiles
	procs  []sampled
	index  map[int]int // pid -> position in procs
	buf    []byte
	sample Sample
}

type sampled struct {
	pid  int
	proc Proc // p without its descriptors: for the paths errors name
	fds  [len(sampleFileNames)]*sys.FD
	// raw are the fds' numbers, -1 for a file not read: fds keeps
	// them open, and only Remove and Close close them, so that Sample
	// does not take each FD's lock (sys.FD.Int) on every read.
	raw  [len(sampleFileNames)]int
	memo *sampleMemo
}

// sampleMemo is a process's last values and the bytes they were parsed
// from: file i's value in val is the parse of raw[i] when bit i of valid
// is set. val.Status also carries the process's CPU and memory node sets
// (they differ between processes), so that an unchanged list is not
// parsed again when another line of the file changed.
type sampleMemo struct {
	valid uint8
	raw   [len(sampleFileNames)][]byte
	val   Sample
}

// NewSampler returns an empty Sampler reading processes of fs.
func NewSampler(fs FS, opts *SamplerOptions) *Sampler {
	files := SampleStat
	if opts != nil && opts.Files != 0 {
		files = opts.Files
	}
	return &Sampler{fs: fs, files: files, index: make(map[int]int), buf: make([]byte, 0, pseudofs.MinBuf)}
}

// Add opens the files of process pid by path. Between listing a PID and
// Add, the PID may be reused (see Proc); AddProc with an anchored Proc
// avoids that. Adding a pid twice does nothing. pid is checked as FS.Proc
// checks it: out of range, the error matches fs.ErrInvalid; naming no
// process, syscall.ESRCH; a process that exits during Add gives an error
// matching os.ErrProcessDone.
func (s *Sampler) Add(pid int) error {
	p, err := s.fs.Proc(pid)
	if err != nil {
		return fmt.Errorf("procfs sampler: add: %w", err)
	}
	return s.AddProc(p)
}

// AddProc opens the files of p (a process or a thread; keyed by p.TID()).
// For an anchored p, the files are opened through its directory, so they
// belong to the process p was anchored to. p may be closed afterwards.
func (s *Sampler) AddProc(p Proc) error {
	if s.index == nil {
		return fmt.Errorf("procfs sampler: add pid %d: %w", p.TID(), fs.ErrClosed)
	}
	id := p.TID()
	if _, ok := s.index[id]; ok {
		return nil
	}
	sp := sampled{pid: id, proc: Proc{fs: p.fs, pid: p.pid, tid: p.tid}, raw: [...]int{-1, -1, -1, -1}, memo: new(sampleMemo)}
	for i, name := range sampleFileNames {
		if s.files&(1<<i) == 0 {
			continue
		}
		fd, err := p.open(name, 0)
		if err != nil {
			sp.close()
			return fmt.Errorf("procfs sampler: add pid %d: %w", id, err)
		}
		sp.fds[i], sp.raw[i] = sys.NewFD(fd), fd
	}
	s.index[id] = len(s.procs)
	s.procs = append(s.procs, sp)
	return nil
}

// Remove closes the files of pid and forgets it. It reports whether pid
// was in the set.
func (s *Sampler) Remove(pid int) bool {
	i, ok := s.index[pid]
	if !ok {
		return false
	}
	s.drop(i)
	return true
}

// drop closes procs[i] and moves the last process into its place.
func (s *Sampler) drop(i int) {
	s.procs[i].close()
	delete(s.index, s.procs[i].pid)
	last := len(s.procs) - 1
	if i != last {
		s.procs[i] = s.procs[last]
		s.index[s.procs[i].pid] = i
	}
	s.procs[last] = sampled{}
	s.procs = s.procs[:last]
}

// Len returns the number of processes in the set.
func (s *Sampler) Len() int { return len(s.procs) }

// PIDs yields the processes in the set, in sampling order.
func (s *Sampler) PIDs() iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, sp := range s.procs {
			if !yield(sp.pid) {
				return
			}
		}
	}
}

// Sample reads the files of every process in the set once and yields each
// process's values. The *Sample is reused: it is valid until the next
// step of the iteration. A process that has exited is yielded once with
// an error matching os.ErrProcessDone (Sample.PID tells which) and removed
// from the set; other errors (a parse error, EACCES on io) are yielded
// with the process kept. The order is unspecified. A pass allocates
// nothing in steady state.
func (s *Sampler) Sample() iter.Seq2[*Sample, error] {
	return func(yield func(*Sample, error) bool) {
		for i := 0; i < len(s.procs); {
			sp := &s.procs[i]
			err := s.read(sp)
			if err != nil && errors.Is(err, os.ErrProcessDone) {
				s.sample.PID = sp.pid
				s.drop(i) // the last process moves to i: do not advance
				if !yield(&s.sample, err) {
					return
				}
				continue
			}
			i++
			if !yield(&s.sample, err) {
				return
			}
		}
	}
}

// read fills s.sample from sp's open files.
func (s *Sampler) read(sp *sampled) error {
	s.sample.PID = sp.pid
	for i, fd := range sp.raw {
		if fd < 0 {
			continue
		}
		b, err := preadFile(fd, s.buf)
		if cap(b) > cap(s.buf) {
			s.buf = b[:0]
		}
		if err != nil {
			errno := sys.Errno(err)
			if errno != 0 {
				err = &fs.PathError{Op: opOf(err), Path: sp.proc.path(sampleFileNames[i]), Err: errno}
			}
			if errno == sys.ESRCH || errno == sys.ENOENT {
				// An open file of a reaped process fails with ESRCH,
				// never by mistake: the file is bound to its process.
				return &DoneError{PID: sp.pid, Err: err}
			}
			return err
		}
		m := sp.memo
		if m.valid&(1<<i) != 0 && string(b) == string(m.raw[i]) {
			// The same bytes as last time: the same value.
			switch i {
			case 0:
				s.sample.Stat = m.val.Stat
			case 1:
				s.sample.Statm = m.val.Statm
			case 2:
				copyStatus(&s.sample.Status, &m.val.Status)
			case 3:
				s.sample.IO = m.val.IO
			}
			continue
		}
		switch i {
		case 0:
			if err = parseStat(b, &s.sample.Stat); err == nil {
				m.val.Stat = s.sample.Stat
			}
		case 1:
			if err = parseStatm(b, &s.sample.Statm); err == nil {
				m.val.Statm = s.sample.Statm
			}
		case 2:
			st, prev := &s.sample.Status, &m.val.Status
			st.CPUsAllowed, st.MemsAllowed, st.cpusRaw, st.memsRaw = prev.CPUsAllowed, prev.MemsAllowed, prev.cpusRaw, prev.memsRaw
			if err = parseStatus(b, st); err == nil {
				copyStatus(prev, st)
			}
		case 3:
			if err = parseIO(b, &s.sample.IO); err == nil {
				m.val.IO = s.sample.IO
			}
		}
		if err != nil {
			m.valid &^= 1 << i
			return withPath(sp.proc.path(sampleFileNames[i]), err)
		}
		if cap(m.raw[i]) < len(b) {
			// Room to grow, so that a counter gaining a digit does not
			// allocate.
			m.raw[i] = make([]byte, 0, len(b)+len(b)/4+16)
		}
		m.raw[i] = append(m.raw[i][:0], b...)
		m.valid |= 1 << i
	}
	return nil
}

// copyStatus sets *dst to *src, copying the slices into dst's own arrays
// (reused: no allocation in steady state), so that neither shares them
// with the other. The CPU sets are shared: they are never modified in
// place.
func copyStatus(dst, src *Status) {
	groups, nstgid, nspid, nspgid, nssid := dst.Groups[:0], dst.NSTGID[:0], dst.NSPID[:0], dst.NSPGID[:0], dst.NSSID[:0]
	*dst = *src
	dst.Groups = append(groups, src.Groups...)
	dst.NSTGID = append(nstgid, src.NSTGID...)
	dst.NSPID = append(nspid, src.NSPID...)
	dst.NSPGID = append(nspgid, src.NSPGID...)
	dst.NSSID = append(nssid, src.NSSID...)
}

// preadFile reads a whole per-process seq_file from offset 0. These files
// (stat, statm, status, io) are single-record seq_files: the kernel builds
// the whole text and a read with a large enough buffer returns all of it,
// so a short read is the end and one pread(2) suffices. A full buffer is
// read again from 0 with growing buffers.
func preadFile(fd int, buf []byte) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, pseudofs.MinBuf)
	}
	n, err := sys.Pread(fd, buf[:cap(buf)], 0)
	if err != nil {
		return buf[:0], err
	}
	if n < cap(buf) {
		return buf[:n], nil
	}
	return pseudofs.PreadAll(fd, buf)
}

// Close closes every file and empties the set. It is idempotent; the
// Sampler cannot be used afterwards.
func (s *Sampler) Close() error {
	for i := range s.procs {
		s.procs[i].close()
	}
	s.procs, s.index = nil, nil
	return nil
}

func (sp *sampled) close() {
	for i, fd := range sp.fds {
		if fd != nil {
			fd.Close()
			sp.fds[i] = nil
		}
	}
}
