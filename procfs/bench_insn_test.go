package procfs

import (
	"os"
	"strconv"
	"testing"
)

// BenchmarkReader runs each hot reader alone on a settled `sleep` child
// (benchFixture), for counting its instructions, which a loaded machine
// does not change, under callgrind. Callgrind (3.19) aborts on the
// SIGCHLD of the fixture's end and on preemption signals: give it a
// sleeping process that is not a child in LX_BENCH_PID, turn preemption
// off, and keep the scheduler's spinning out of the count with one P:
//
//	go test -c -o procfs.test ./procfs
//	setsid sleep 100000 & # settles within a second
//	LX_BENCH_PID=$! GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind \
//	  --toggle-collect='github.com/lxgo/lx/procfs.Proc.ReadStat' \
//	  ./procfs.test -test.run '^$' -test.bench 'Reader/stat$' -test.benchtime 3000x
//
// then divide the "summary" of the output file by 3000. The functions to
// collect: Proc.ReadStat, Proc.Statm, Proc.ReadStatus, Proc.Limits,
// parseMeminfo, parseMountInfo; rawFile.readOnce and rawFile.readAll for
// the raw floor (raw-* sub-benchmarks).
func BenchmarkReader(b *testing.B) {
	pid, err := strconv.Atoi(os.Getenv("LX_BENCH_PID"))
	if err != nil {
		pid = benchFixture(b)
	}
	p := mustProc(b, Default(), pid)
	buf := make([]byte, 1<<20)
	for _, name := range []string{"stat", "statm", "status", "limits", "mountinfo"} {
		f := newRawFile("/proc/" + strconv.Itoa(pid) + "/" + name)
		b.Run("raw-"+name, func(b *testing.B) {
			for b.Loop() {
				if name == "mountinfo" {
					f.readAll(buf)
				} else {
					f.readOnce(buf)
				}
			}
		})
	}
	var st Stat
	var sts Status
	for name, read := range map[string]func() error{
		"stat":      func() error { return p.ReadStat(&st) },
		"statm":     func() error { _, err := p.Statm(); return err },
		"status":    func() error { return p.ReadStatus(&sts) },
		"limits":    func() error { _, err := p.Limits(); return err },
		"meminfo":   func() error { _, err := Default().Meminfo(); return err },
		"mountinfo": func() error { _, err := p.MountInfo(); return err },
		"mountinfo-seq": func() error {
			for _, err := range p.MountInfoSeq() {
				if err != nil {
					return err
				}
			}
			return nil
		},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	mf := newRawFile("/proc/meminfo")
	b.Run("raw-meminfo", func(b *testing.B) {
		for b.Loop() {
			mf.readAll(buf)
		}
	})
}
