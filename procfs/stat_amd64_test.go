package procfs

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// checkStatNumbersVec checks that statNumbersVec gives statNumbers's
// results for the fields line (" 1 2 ...") and len(v) = nv, with the 64
// bytes it may read past the line's end holding digits and spaces that
// it must ignore.
func checkStatNumbersVec(t *testing.T, line []byte, nv int) {
	t.Helper()
	if len(line) == 0 || nv < 1 || nv > 64 {
		return // statNumbersArch does not call it
	}
	buf := make([]byte, len(line)+64)
	copy(buf, line)
	for i := len(line); i < len(buf); i++ {
		buf[i] = " 9-"[i%3]
	}
	b := buf[:len(line)]
	var want, got [64]uint64
	wneg, wk, wend, wok := statNumbers(b, want[:nv])
	neg, k, end, ok := statNumbersVec(b, got[:nv])
	if ok != wok || ok && (neg != wneg || k != wk || end != wend || got != want) {
		t.Fatalf("%q, %d fields: statNumbersVec %v %d %d %b %v, statNumbers %v %d %d %b %v",
			line, nv, ok, k, end, neg, got[:k], wok, wk, wend, wneg, want[:wk])
	}
}

func TestStatNumbersVec(t *testing.T) {
	if !statVec {
		t.Skip("no SSSE3, SSE4.1 or BMI1")
	}
	fields := func(stat []byte) []byte {
		i := bytes.LastIndexByte(stat, ')')
		return bytes.TrimSuffix(stat[i+1:], []byte("\n"))[2:]
	}
	// This process's line, and the fixtures': addresses, RLIM_INFINITY,
	// a kworker's zeros.
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	lines := [][]byte{fields(self)}
	for _, name := range []string{"proc-stat-6.18-cat", "proc-stat-6.18-hostile", "proc-stat-6.18-kworker", "proc-stat-2.6.24-emptycomm"} {
		lines = append(lines, fields(readFixture(t, name)))
	}
	for _, l := range lines {
		for nv := 1; nv <= 64; nv++ {
			checkStatNumbersVec(t, l, nv)
		}
	}
	// Lines of every kind of field, the edges of each: lengths 1 to 21,
	// 2^64-1 and 2^64, signs, empty fields, bytes that are no digits,
	// fields across the 64-byte blocks.
	tokens := []string{"0", "1", "9", "-0", "-1", "-12345", "-123456", "-", "+1", "", "1a", "a", "7\n", "\x00",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "00000000000000000001",
		"000000000000000000001", "12345678901234567", "1234567890123456789", "9999999999999999999"}
	for n := 1; n <= 21; n++ {
		tokens = append(tokens, strings.Repeat("9", n), "1"+strings.Repeat("0", n-1))
	}
	r := rand.New(rand.NewPCG(8, 8))
	for range 100000 {
		var sb strings.Builder
		for range r.IntN(70) {
			sb.WriteByte(' ')
			if r.IntN(20) == 0 {
				sb.WriteString(strconv.FormatUint(r.Uint64()>>r.IntN(64), 10))
			} else {
				sb.WriteString(tokens[r.IntN(len(tokens))])
			}
		}
		if r.IntN(10) == 0 {
			sb.WriteByte(' ')
		}
		checkStatNumbersVec(t, []byte(sb.String()), 1+r.IntN(64))
	}
}

func FuzzStatNumbersVec(f *testing.F) {
	if !statVec {
		f.Skip("no SSSE3, SSE4.1 or BMI1")
	}
	f.Add([]byte(" 1 2 3"), uint8(statNums))
	f.Add([]byte(" 1 -2 18446744073709551615 00000000000000000001 12345678901234567 0"), uint8(statNums))
	f.Add([]byte(" 1  2"), uint8(2))
	f.Add([]byte(" 1 2 "), uint8(1))
	f.Add([]byte(" -123456 18446744073709551616"), uint8(64))
	f.Fuzz(func(t *testing.T, b []byte, nv uint8) {
		checkStatNumbersVec(t, b, int(nv))
	})
}

// TestParseStatVec parses whole lines with and without statNumbersVec:
// the same Stat or the same error, so that the fast path's checks of
// what it returns (signs, ranges) hold for both.
func TestParseStatVec(t *testing.T) {
	if !statVec {
		t.Skip("no SSSE3, SSE4.1 or BMI1")
	}
	var lines [][]byte
	for _, name := range []string{"proc-stat-2.6.24-emptycomm", "proc-stat-6.18-cat", "proc-stat-6.18-hostile",
		"proc-stat-6.18-kthreadd", "proc-stat-6.18-kworker", "proc-stat-6.18-zombie"} {
		lines = append(lines, readFixture(t, name))
	}
	for _, v := range []string{"-1", "-0", "+5", "18446744073709551615", "18446744073709551616", "-123456", "1a", ""} {
		for _, f := range []int{4, 16, 21, 25, 52} {
			lines = append(lines, []byte(stat52(f, v)))
		}
	}
	parse := func(line []byte, vec bool) (Stat, error) {
		t.Cleanup(func() { statVec = true })
		statVec = vec
		b := make([]byte, len(line), len(line)+64) // room for statNumbersVec
		copy(b, line)
		var st Stat
		err := parseStat(b, &st)
		return st, err
	}
	for _, line := range lines {
		st, err := parse(line, true)
		want, wantErr := parse(line, false)
		if st != want || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Errorf("%q: with statNumbersVec %+v, %v; without %+v, %v", line, st, err, want, wantErr)
		}
	}
}

// TestParseStatmSpacedVec parses statm lines through parseStatmSpaced
// with and without statNumbersVec (statNumbers then reads the numbers):
// both give parseStatm's result.
func TestParseStatmSpacedVec(t *testing.T) {
	if !statVec {
		t.Skip("no SSSE3, SSE4.1 or BMI1")
	}
	t.Cleanup(func() { statVec = true })
	lines := []string{string(readFixture(t, "proc-statm-6.18-cat")), string(readFixture(t, "proc-statm-6.18-kthreadd")),
		"1 2 3 4 5 6 7 8\n", "1 2 3 4 5 6\n", "1  2 3 4 5 6 7\n", "-1 2 3 4 5 6 7\n", "1 2 3 4 5 6 7",
		"18446744073709551615 0 0 0 0 0 0\n", "4503599627370495 1 1 1 0 1 0\n", "4503599627370496 1 1 1 0 1 0\n", "", "\n"}
	for _, line := range lines {
		var want Statm
		wantErr := parseStatm([]byte(line), &want)
		for _, vec := range []bool{true, false} {
			statVec = vec
			b := make([]byte, 1+len(line), 1+len(line)+64)
			b[0] = ' '
			copy(b[1:], line)
			var got Statm
			err := parseStatmSpaced(b, &got)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() || err == nil && got != want {
				t.Errorf("%q, statNumbersVec %v: %+v, %v; parseStatm %+v, %v", line, vec, got, err, want, wantErr)
			}
		}
	}
}
