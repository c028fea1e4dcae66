package bench

// Paired runs of the pipe and epoll comparisons: each iteration times lx
// and the baseline one after the other, so the load of a shared machine
// falls on both alike, and reports the ratio of their sums (above 1: the
// baseline is slower). The impl= benchmarks in pipe_test.go and
// epoll_test.go give the absolute figures; these give ratios that hold
// under load.
//
//	go test -run '^$' -bench 'Paired' -benchtime 2s -count 3 .

import (
	"os"
	"testing"
	"time"
)

// BenchmarkPipeCopyPaired alternates lx's pipe.Copy with each baseline
// on the 32 MiB file of BenchmarkPipeCopy, and reports
// "<impl>/lx" ratios.
func BenchmarkPipeCopyPaired(b *testing.B) {
	src, dst, _ := pipeCopyFiles(b, pipeCopySize)
	sums := make([]time.Duration, len(pipeCopyImpls))
	for b.Loop() {
		for i, impl := range pipeCopyImpls {
			pipeCopyRewind(b, src, dst)
			t0 := time.Now()
			if n, err := impl.copy(dst, src); err != nil || n != pipeCopySize {
				b.Fatal(n, err)
			}
			sums[i] += time.Since(t0)
		}
	}
	for i, impl := range pipeCopyImpls[1:] {
		b.ReportMetric(float64(sums[i+1])/float64(sums[0]), impl.name+"/lx")
	}
	b.ReportMetric(float64(sums[0].Nanoseconds())/float64(b.N), "lx-ns/op")
}

// BenchmarkEpollWakePaired runs the ping-pong of BenchmarkEpollWake for
// both waiters at once, 100 round trips of each in turn per iteration,
// and reports "raw/lx" (above 1: the hand-written loop is slower).
func BenchmarkEpollWakePaired(b *testing.B) {
	type side struct {
		aw, br *os.File
		stop   func()
		sum    time.Duration
	}
	var sides []*side
	for _, impl := range epollImpls {
		ar, aw, _ := os.Pipe()
		br, bw, _ := os.Pipe()
		w, err := impl.new(ar)
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			buf := make([]byte, 1)
			for {
				if _, _, err := w.wait(); err != nil {
					return
				}
				if n, err := ar.Read(buf); err != nil || n == 0 || buf[0] == 0 {
					return
				}
				bw.Write(buf)
			}
		}()
		sides = append(sides, &side{aw: aw, br: br, stop: func() {
			aw.Write([]byte{0})
			<-done
			w.close()
			ar.Close()
			aw.Close()
			br.Close()
			bw.Close()
		}})
	}
	defer func() {
		for _, s := range sides {
			s.stop()
		}
	}()
	buf := []byte{1}
	for b.Loop() {
		for _, s := range sides {
			t0 := time.Now()
			for range 100 {
				s.aw.Write(buf)
				if _, err := s.br.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
			s.sum += time.Since(t0)
		}
	}
	b.ReportMetric(float64(sides[1].sum)/float64(sides[0].sum), "raw/lx")
	b.ReportMetric(float64(sides[0].sum.Nanoseconds())/float64(100*b.N), "lx-ns/roundtrip")
}
