package cpuset_test

import (
	"encoding/json"
	"fmt"

	"github.com/lxgo/lx/cpuset"
)

func Example() {
	// /sys/devices/system/cpu/online, with its newline.
	online, err := cpuset.ParseBytes([]byte("0-3,8,10-11\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(online, online.Count(), online.Has(8), online.Has(9))
	fmt.Println(online.Mask())
	// Output:
	// 0-3,8,10-11 7 true false
	// d0f
}

func ExampleParse() {
	s, err := cpuset.Parse("0-15:2/4")
	fmt.Println(s, err)
	_, err = cpuset.Parse("0-3,x")
	fmt.Println(err)
	// Output:
	// 0-1,4-5,8-9,12-13 <nil>
	// cpuset: invalid CPU list "0-3,x": found 'x', want a number at offset 4
}

func ExampleParseSize() {
	// isolcpus=2-N on a machine with 8 possible CPUs.
	s, _ := cpuset.ParseSize("2-N", 8)
	fmt.Println(s)
	// Output: 2-7
}

func ExampleParseMask() {
	// /proc/self/status Cpus_allowed on a 64-CPU machine.
	s, _ := cpuset.ParseMask("ffffffff,00000001")
	fmt.Println(s)
	// Output: 0,32-63
}

func ExampleSet_MaskWidth() {
	// Mems_allowed on a kernel with MAX_NUMNODES=64, node 0 only.
	fmt.Println(cpuset.Of(0).MaskWidth(64))
	// Output: 00000000,00000001
}

func ExampleSet_All() {
	for cpu := range cpuset.Of(7, 1, 3).All() {
		fmt.Println(cpu)
	}
	// Output:
	// 1
	// 3
	// 7
}

func ExampleSet_Union() {
	a, b := cpuset.Range(0, 3), cpuset.Of(2, 3, 4)
	fmt.Println(a.Union(b), a.Intersect(b), a.Difference(b))
	// Output: 0-4 2-3 0-1
}

func ExampleSet_MarshalText() {
	b, _ := json.Marshal(map[string]cpuset.Set{"cpus": cpuset.Of(0, 1, 2, 5)})
	fmt.Println(string(b))
	var v struct{ CPUs cpuset.Set }
	_ = json.Unmarshal([]byte(`{"CPUs":"4-5"}`), &v)
	fmt.Println(v.CPUs.Count())
	// Output:
	// {"cpus":"0-2,5"}
	// 2
}
