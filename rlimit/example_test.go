package rlimit_test

import (
	"encoding/json"
	"fmt"

	"github.com/lxgo/lx/rlimit"
)

func Example() {
	var l rlimit.Limits
	l[rlimit.NoFile] = rlimit.Limit{Soft: 1024, Hard: 524288}
	l[rlimit.CPU] = rlimit.Limit{Soft: 10, Hard: rlimit.Unlimited}
	for _, r := range []rlimit.Resource{rlimit.NoFile, rlimit.CPU} {
		fmt.Println(r, r.Name(), r.Unit(), l[r])
	}
	d, ok := rlimit.CPU.Duration(l[rlimit.CPU].Soft)
	fmt.Println(d, ok)
	_, ok = rlimit.CPU.Duration(l[rlimit.CPU].Hard)
	fmt.Println(ok)
	// Output:
	// RLIMIT_NOFILE nofile count 1024:524288
	// RLIMIT_CPU cpu seconds 10:unlimited
	// 10s true
	// false
}

func ExampleParseResource() {
	for _, name := range []string{"RLIMIT_MEMLOCK", "memlock", "STACK"} {
		r, err := rlimit.ParseResource(name)
		fmt.Println(int(r), r, err)
	}
	// Output:
	// 8 RLIMIT_MEMLOCK <nil>
	// 8 RLIMIT_MEMLOCK <nil>
	// 3 RLIMIT_STACK <nil>
}

func ExampleParseValue() {
	// The soft and hard columns of "Max stack size  8388608  unlimited  bytes".
	soft, _ := rlimit.ParseValue("8388608")
	hard, _ := rlimit.ParseValue("unlimited")
	fmt.Println(soft, hard, hard.IsUnlimited())
	// Output: 8388608 unlimited true
}

func ExampleValue_MarshalJSON() {
	b, _ := json.Marshal(rlimit.Limit{Soft: 1024, Hard: rlimit.Unlimited})
	fmt.Println(string(b))
	var l rlimit.Limit
	err := json.Unmarshal([]byte(`{"Soft": 8388608, "Hard": "unlimited"}`), &l)
	fmt.Println(l, err)
	// Output:
	// {"Soft":1024,"Hard":"unlimited"}
	// 8388608:unlimited <nil>
}
