package procfs

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// Every conversion to bytes (pages, KiB) or to time.Duration (ticks,
// microseconds) and every narrowing to a C int must fail with a
// *ParseError naming the field and matching strconv.ErrRange, never give
// a wrapped or clamped number.

// stat52 returns a /proc/PID/stat line with field n (1-based, n >= 3) set
// to v and every other field to a plausible small value.
func stat52(n int, v string) string {
	f := strings.Fields("R 1 1 1 0 -1 4194560 0 0 0 0 1 1 0 0 20 0 1 0 100 4096 1 4096 1 1 1 1 1 0 0 0 0 0 0 0 17 0 0 0 0 0 0 1 1 1 1 1 1 1 0")
	f[n-3] = v
	return "7 (x) " + strings.Join(f, " ") + "\n"
}

func TestStatOverflow(t *testing.T) {
	maxTicksS := strconv.FormatUint(maxTicks, 10)
	overTicks := strconv.FormatUint(maxTicks+1, 10)
	maxPages := strconv.FormatUint((1<<64-1)/pageSize, 10)
	overPages := strconv.FormatUint((1<<64-1)/pageSize+1, 10)
	for _, c := range []struct {
		field int
		v     string
		key   string // "" for no error
		err   error
	}{
		{14, maxTicksS, "", nil},
		{14, overTicks, "utime", strconv.ErrRange},
		{15, "18446744073709551615", "stime", strconv.ErrRange},
		{16, "-1", "cutime", errNegative},
		{17, overTicks, "cstime", strconv.ErrRange},
		{22, overTicks, "starttime", strconv.ErrRange},
		{42, overTicks, "delayacct_blkio_ticks", strconv.ErrRange},
		{43, overTicks, "guest_time", strconv.ErrRange},
		{44, "-5", "cguest_time", errNegative},
		{24, maxPages, "", nil},
		{24, overPages, "rss", strconv.ErrRange},
		{24, "18446744073709551615", "rss", strconv.ErrRange},
		{24, "-1", "rss", strconv.ErrSyntax},
		{4, "2147483648", "ppid", strconv.ErrRange},
		{4, "-2147483649", "ppid", strconv.ErrRange},
		{7, "4294967296", "tty_nr", strconv.ErrRange},
		{9, "4294967296", "flags", strconv.ErrRange},
		{20, "9223372036854775807", "num_threads", strconv.ErrRange},
		{40, "4294967296", "rt_priority", strconv.ErrRange},
		{41, "4294967296", "policy", strconv.ErrRange},
		{52, "2147483648", "exit_code", strconv.ErrRange},
	} {
		var st Stat
		err := parseStat([]byte(stat52(c.field, c.v)), &st)
		if c.key == "" {
			if err != nil {
				t.Errorf("field %d = %s: %v", c.field, c.v, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Key != c.key || !errors.Is(err, c.err) {
			t.Errorf("field %d = %s: %v, want a *ParseError for %s matching %v", c.field, c.v, err, c.key, c.err)
		}
	}
	var st Stat
	if err := parseStat([]byte(stat52(24, maxPages)), &st); err != nil || st.RSS != (1<<64-1)/pageSize*pageSize {
		t.Errorf("largest rss: %d %v", st.RSS, err)
	}
}

func TestStatmOverflow(t *testing.T) {
	max := strconv.FormatUint((1<<64-1)/pageSize, 10)
	over := strconv.FormatUint((1<<64-1)/pageSize+1, 10)
	var s Statm
	if err := parseStatm([]byte(max+" 0 0 0 0 0 0\n"), &s); err != nil || s.Size != (1<<64-1)/pageSize*pageSize {
		t.Errorf("largest size: %+v %v", s, err)
	}
	for i, name := range statmFieldNames {
		f := []string{"1", "1", "1", "1", "0", "1", "0"}
		for _, v := range []string{over, "18446744073709551615"} {
			f[i] = v
			err := parseStatm([]byte(strings.Join(f, " ")+"\n"), &s)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Key != name || !errors.Is(err, strconv.ErrRange) {
				t.Errorf("%s = %s: %v", name, v, err)
			}
		}
	}
}

func TestStatusOverflow(t *testing.T) {
	for _, c := range []struct{ in, key string }{
		{"Pid:\t9999999999999999999\n", "Pid"},
		{"Threads:\t9223372036854775808\n", "Threads"},
		{"Seccomp:\t256\n", "Seccomp"},
		{"NoNewPrivs:\t2\n", "NoNewPrivs"},
		{"Umask:\t01000\n", "Umask"},
		{"VmRSS:\t18014398509481984 kB\n", "VmRSS"},
		{"Uid:\t0 0 0 4294967296\n", "Uid"},
		{"Groups:\t4294967296\n", "Groups"},
	} {
		var st Status
		err := parseStatus([]byte(c.in), &st)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Key != c.key || pe.Line != 1 {
			t.Errorf("%q: %v, want a *ParseError for %s", c.in, err, c.key)
		}
	}
	var st Status
	if err := parseStatus([]byte("VmRSS:\t18014398509481983 kB\nSeccomp:\t255\nvoluntary_ctxt_switches:\t18446744073709551615\n"), &st); err != nil ||
		st.VmRSS != 18014398509481983<<10 || st.Seccomp != 255 || st.VoluntaryCtxtSwitches != 1<<64-1 {
		t.Errorf("largest values: %+v %v", st, err)
	}
}

func TestVMStatOverflow(t *testing.T) {
	var v VMStat
	if err := parseVMStat([]byte("pgpgin 18014398509481983\npgpgout 1\n"), &v); err != nil || v.PgpgIn != 18014398509481983<<10 {
		t.Errorf("largest pgpgin: %d %v", v.PgpgIn, err)
	}
	for _, name := range []string{"pgpgin", "pgpgout"} {
		err := parseVMStat([]byte(name+" 18014398509481984\n"), &v)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Key != name || !errors.Is(err, strconv.ErrRange) {
			t.Errorf("%s of 2^54 KiB: %v", name, err)
		}
	}
}

func TestKernelStatOverflow(t *testing.T) {
	var st KernelStat
	in := "cpu 1 2 3 " + strconv.FormatUint(maxTicks+1, 10) + "\n"
	err := parseKernelStat([]byte(in), &st)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Key != "cpu" || pe.Line != 1 || !errors.Is(err, strconv.ErrRange) {
		t.Errorf("idle ticks beyond a Duration: %v", err)
	}
	if err := parseKernelStat([]byte("cpu 1 2 3 4\ncpu4294967296 1 2 3 4\n"), &st); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("cpu number beyond an int32: %v", err)
	}
}
