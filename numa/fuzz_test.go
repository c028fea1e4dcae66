package numa

import "testing"

func FuzzParseMeminfo(f *testing.F) {
	f.Add([]byte("Node 0 MemTotal:       24731408 kB\nNode 0 HugePages_Total:     0\n"), 0)
	f.Add([]byte("Node 1 Active(anon):   64 kB\n"), 1)
	f.Fuzz(func(t *testing.T, b []byte, node int) {
		var m Meminfo
		_ = parseMeminfo(b, node, &m)
	})
}

func FuzzParseDistance(f *testing.F) {
	f.Add([]byte("10 20\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := parseDistance(b)
		if err == nil && len(ds) == 0 {
			t.Fatal("no distances and no error")
		}
		for _, d := range ds {
			if d < 0 || d > 255 {
				t.Fatalf("distance %d", d)
			}
		}
	})
}

func FuzzParseNumastat(f *testing.F) {
	f.Add([]byte("numa_hit 1\nnuma_miss 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Numastat
		_ = parseNumastat(b, &s)
	})
}

func FuzzParseVmstat(f *testing.F) {
	f.Add([]byte("nr_free_pages 4437048\nnuma_hit 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parseVmstat(b)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, c := range v {
			if seen[c.Name] {
				t.Fatalf("counter %q twice", c.Name)
			}
			seen[c.Name] = true
		}
	})
}

func FuzzParseNodeList(f *testing.F) {
	f.Add([]byte("0-3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseNodeList(b)
		if err == nil && s.Len() > MaxNode+1 {
			t.Fatalf("node %d accepted", s.Len()-1)
		}
	})
}

// FuzzParsePolicy: the parser never panics, and what it accepts prints
// and parses back to the same policy.
func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{"default", "bind:0-1", "interleave=static:0,2", "prefer (many):1", "weighted interleave=relative|balancing:3", "9=0x8:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy(s)
		if err != nil {
			return
		}
		q, err := ParsePolicy(p.String())
		if err != nil {
			t.Fatalf("ParsePolicy(%q) = %v; its String %q does not parse: %v", s, p, p.String(), err)
		}
		if q.Mode != p.Mode || q.Flags != p.Flags || !q.Nodes.Equal(p.Nodes) {
			t.Fatalf("round trip of %q: %v then %v", s, p, q)
		}
	})
}
