package memfd_test

import (
	"fmt"
	"log"

	"github.com/lxgo/lx/memfd"
)

// A memory file sealed so that a receiver can trust its contents: after
// the seals, neither the creator nor anyone else can change or shrink it.
func Example() {
	m, err := memfd.New("config", &memfd.Options{AllowSealing: true})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	if _, err := m.File().Write([]byte("key=value\n")); err != nil {
		log.Fatal(err)
	}
	if err := m.AddSeals(memfd.SealWrite | memfd.SealShrink | memfd.SealGrow | memfd.SealSeal); err != nil {
		log.Fatal(err)
	}
	seals, err := m.Seals()
	if err != nil {
		log.Fatal(err)
	}
	size, _ := m.Size()
	fmt.Println(size, seals)
	_, err = m.File().WriteAt([]byte("x"), 0)
	fmt.Println(err != nil)
	// Output:
	// 10 F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE
	// true
}

func ExampleParseSeals() {
	s, err := memfd.ParseSeals("F_SEAL_WRITE|F_SEAL_SHRINK")
	fmt.Println(s, err, s&memfd.SealWrite != 0)
	// Output: F_SEAL_SHRINK|F_SEAL_WRITE <nil> true
}
