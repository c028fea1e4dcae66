package procfs

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
)

// resetMountMemo forgets the memo and the last text seen, as at start.
func resetMountMemo() {
	lastMounts.Store(nil)
	lastMountHash.Store(0)
}

// plainMountText is a fixture's lines without escapes: a text that
// mountPlain reads whole, which is memoized.
func plainMountText(t testing.TB, name string) []byte {
	t.Helper()
	var out []byte
	for line := range bytes.Lines(fileFixture(t, name)) {
		if bytes.IndexByte(line, '\\') < 0 {
			out = append(out, line...)
		}
	}
	return out
}

// mountsBoth parses b with both readers, each on its own copy, and
// checks that they agree.
func mountsBoth(t *testing.T, b []byte) []Mount {
	t.Helper()
	ms, err := parseMountInfo(slices.Clone(b))
	if err != nil {
		t.Fatal(err)
	}
	var seq []Mount
	if _, err := mountViews(slices.Clone(b), func(v MountView, _ error) bool {
		seq = append(seq, v.Mount())
		return true
	}); err != nil || !reflect.DeepEqual(seq, ms) {
		t.Fatalf("mountViews differs from parseMountInfo: %v\n got %+v\nwant %+v", err, seq, ms)
	}
	return ms
}

func TestMountInfoMemo(t *testing.T) {
	t.Cleanup(resetMountMemo)
	a, b := plainMountText(t, "mountinfo-6.18-pid1"), plainMountText(t, "mountinfo-container")
	resetMountMemo()
	want, err := refParseMountInfo(slices.Clone(a))
	if err != nil {
		t.Fatal(err)
	}

	// First read: not memoized. Second read of the same text in a row
	// (parseMountInfo, then mountViews): memoized.
	if got := mountsBoth(t, a); !reflect.DeepEqual(got, want) || lastMounts.Load() == nil {
		t.Fatalf("second read of a text: memo %v, mounts %+v", lastMounts.Load() != nil, got)
	}
	if m := lastMounts.Load(); m.text != string(a) || len(m.lines) != len(want) {
		t.Fatalf("memo of %d bytes, %d lines; want %d, %d", len(m.text), len(m.lines), len(a), len(want))
	}

	// Read from the memo: the same mounts, and a result the caller owns.
	got := mountsBoth(t, a)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("from the memo\n got %+v\nwant %+v", got, want)
	}
	got[0].MountPoint, got[1].ID = "/changed", 12345
	if again := mountsBoth(t, a); !reflect.DeepEqual(again, want) {
		t.Fatalf("a change to one result shows in the next:\n got %+v\nwant %+v", again, want)
	}
	// A view changed in place changes the caller's buffer, not the memo.
	buf := slices.Clone(a)
	mountViews(buf, func(v MountView, _ error) bool {
		v.MountPoint[0] = 'X'
		return true
	})
	if again := mountsBoth(t, a); !reflect.DeepEqual(again, want) {
		t.Fatalf("a view changed in place shows in the next read")
	}

	// Another text, read once: the memo stays, and b is parsed.
	wantB, _ := refParseMountInfo(slices.Clone(b))
	if got, _ := parseMountInfo(slices.Clone(b)); !reflect.DeepEqual(got, wantB) || lastMounts.Load().text != string(a) {
		t.Fatalf("a text read once: %+v, memo of a kept: %v", got, lastMounts.Load().text == string(a))
	}
	// A text with a blank line (which the kernel does not print) is
	// memoized too.
	blank := append(append(slices.Clone(b), '\n'), a...)
	wantBlank, _ := refParseMountInfo(slices.Clone(blank))
	for range 3 {
		if got := mountsBoth(t, blank); !reflect.DeepEqual(got, wantBlank) || len(got) != len(want)+len(wantB) {
			t.Fatalf("a text with a blank line: %d mounts\n got %+v\nwant %+v", len(got), got, wantBlank)
		}
	}
	if lastMounts.Load().text != string(blank) {
		t.Fatal("a text with a blank line was not memoized")
	}
	// A text that differs from the memo in its last byte only.
	c := slices.Clone(a)
	c[len(c)-2]++ // the last super option's last byte
	wantC, _ := refParseMountInfo(slices.Clone(c))
	if got := mountsBoth(t, c); !reflect.DeepEqual(got, wantC) || reflect.DeepEqual(wantC, want) {
		t.Fatalf("a text one byte off the memo's\n got %+v\nwant %+v", got, wantC)
	}
}

// TestMountInfoMemoNot checks the texts that are never memoized, and that
// reading two tables in turn allocates nothing in MountInfoSeq.
func TestMountInfoMemoNot(t *testing.T) {
	t.Cleanup(resetMountMemo)
	big := bytes.Repeat(plainMountText(t, "mountinfo-6.18-pid1"), mountMemoMax/1000)
	if len(big) <= mountMemoMax {
		t.Fatalf("the large text is %d bytes", len(big))
	}
	var short []byte // the shortest lines, more of them than memoized
	for i := range mountMemoMaxLines + 1 {
		short = fmt.Appendf(short, "%d 1 0:1 / /m rw - t s rw\n", i+2)
	}
	if len(short) > mountMemoMax {
		t.Fatalf("the text of short lines is %d bytes", len(short))
	}
	for name, text := range map[string][]byte{
		"escapes":        fileFixture(t, "mountinfo-6.18-private-ns"),
		"too large":      big,
		"too many lines": short,
		"malformed":      append(plainMountText(t, "mountinfo-container"), "36 35 98:0 / /mnt rw\n"...),
		"empty":          nil,
	} {
		resetMountMemo()
		want, wantErr := refParseMountInfo(slices.Clone(text))
		for range 3 {
			ms, err := parseMountInfo(slices.Clone(text))
			if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(ms, want) {
				t.Fatalf("%s: %+v, %v; want %+v, %v", name, ms, err, want, wantErr)
			}
			mountViews(slices.Clone(text), func(MountView, error) bool { return true })
		}
		if lastMounts.Load() != nil {
			t.Errorf("%s: memoized", name)
		}
	}

	// A loop stopped early has not read the whole text.
	resetMountMemo()
	a := plainMountText(t, "mountinfo-6.18-pid1")
	for range 3 {
		mountViews(slices.Clone(a), func(MountView, error) bool { return false })
	}
	if lastMounts.Load() != nil {
		t.Error("a text read in part was memoized")
	}

	// Two tables in turn: no memo, and no allocation.
	resetMountMemo()
	b := plainMountText(t, "mountinfo-container")
	bufA, bufB := slices.Clone(a), slices.Clone(b)
	n := 0
	count := func(MountView, error) bool { n++; return true }
	if allocs := testing.AllocsPerRun(20, func() {
		copy(bufA, a)
		copy(bufB, b)
		mountViews(bufA, count)
		mountViews(bufB, count)
	}); allocs != 0 || lastMounts.Load() != nil {
		t.Errorf("two tables in turn: %v allocations, memo %v", allocs, lastMounts.Load() != nil)
	}
	// Two tables in turn while one is the memo: it stays the memo, and
	// the other is not memoized.
	resetMountMemo()
	for range 2 {
		copy(bufA, a)
		mountViews(bufA, count)
	}
	if allocs := testing.AllocsPerRun(20, func() {
		copy(bufA, a)
		copy(bufB, b)
		mountViews(bufA, count)
		mountViews(bufB, count)
	}); allocs != 0 || lastMounts.Load() == nil || lastMounts.Load().text != string(a) {
		t.Errorf("two tables in turn, one memoized: %v allocations", allocs)
	}
	// One table again and again: the memo, and no allocation.
	if allocs := testing.AllocsPerRun(20, func() {
		copy(bufA, a)
		mountViews(bufA, count)
	}); allocs != 0 || lastMounts.Load() == nil {
		t.Errorf("one table again and again: %v allocations, memo %v", allocs, lastMounts.Load() != nil)
	}
}

// TestMountInfoMemoConcurrent reads two tables in turn from several
// goroutines, so that the memo changes under them (run it with -race).
func TestMountInfoMemoConcurrent(t *testing.T) {
	t.Cleanup(resetMountMemo)
	texts := [][]byte{plainMountText(t, "mountinfo-6.18-pid1"), plainMountText(t, "mountinfo-container"),
		fileFixture(t, "mountinfo-systemd-host")}
	var wants [][]Mount
	for _, text := range texts {
		w, err := refParseMountInfo(slices.Clone(text))
		if err != nil {
			t.Fatal(err)
		}
		wants = append(wants, w)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 300 {
				k := (i / (1 + g)) % len(texts) // runs of each text, of different lengths
				ms, err := parseMountInfo(slices.Clone(texts[k]))
				if err != nil || !reflect.DeepEqual(ms, wants[k]) {
					t.Errorf("goroutine %d, text %d: %v", g, k, err)
					return
				}
				j := 0
				mountViews(slices.Clone(texts[k]), func(v MountView, _ error) bool {
					if j >= len(wants[k]) || !reflect.DeepEqual(v.Mount(), wants[k][j]) {
						t.Errorf("goroutine %d, text %d: view %d differs", g, k, j)
						return false
					}
					j++
					return true
				})
				if j != len(wants[k]) && !t.Failed() {
					t.Errorf("goroutine %d, text %d: %d views", g, k, j)
				}
			}
		})
	}
	wg.Wait()
	// The third text has escapes: it is never the memo.
	if m := lastMounts.Load(); m != nil && m.text != string(texts[0]) && m.text != string(texts[1]) {
		t.Errorf("the memo is a text of %d bytes, none of the plain ones", len(m.text))
	}
}
