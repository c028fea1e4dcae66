package rlimit

import (
	"encoding/json"
	"testing"
)

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"unlimited", "0", "8388608", "18446744073709551615", "18446744073709551616", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := ParseValue(in)
		if err != nil {
			if v != 0 {
				t.Fatalf("ParseValue(%q) = %d with error %v", in, uint64(v), err)
			}
			return
		}
		if b, err := ParseValue([]byte(in)); err != nil || b != v {
			t.Fatalf("ParseValue([]byte(%q)) = %v, %v; string form %v", in, b, err, v)
		}
		back, err := ParseValue(v.String())
		if err != nil || back != v {
			t.Fatalf("ParseValue(%q) = %d; ParseValue(%q) = %d, %v", in, uint64(v), v.String(), uint64(back), err)
		}
	})
}

func FuzzParseResource(f *testing.F) {
	for _, s := range []string{"RLIMIT_NOFILE", "nofile", "AS", "16", "2147483648", "RLIMIT_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseResource(in)
		if err != nil {
			if r != 0 {
				t.Fatalf("ParseResource(%q) = %d with error %v", in, int(r), err)
			}
			return
		}
		for _, text := range []string{r.String(), r.Name()} {
			back, err := ParseResource(text)
			if err != nil || back != r {
				t.Fatalf("ParseResource(%q) = %d; ParseResource(%q) = %d, %v", in, int(r), text, int(back), err)
			}
		}
	})
}

func FuzzValueUnmarshalJSON(f *testing.F) {
	for _, s := range []string{`0`, `"unlimited"`, `18446744073709551615`, `"1024"`, `null`, `1e3`, `-1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var v Value
		if err := v.UnmarshalJSON([]byte(in)); err != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back Value
		if err := json.Unmarshal(b, &back); err != nil || back != v {
			t.Fatalf("UnmarshalJSON(%q) = %d; %s reads back as %d, %v", in, uint64(v), b, uint64(back), err)
		}
	})
}
