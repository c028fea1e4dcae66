package mount_test

import (
	"fmt"

	"github.com/lxgo/lx/mount"
)

func Example() {
	// Fields 6 and 7 of a mountinfo line:
	// 36 35 98:0 /mnt1 /mnt2 ro,nosuid,relatime shared:1 master:2 - ext3 /dev/root rw,errors=continue
	flags, err := mount.ParseFlags("ro,nosuid,relatime")
	if err != nil {
		panic(err)
	}
	prop, err := mount.ParsePropagation("shared:1 master:2")
	if err != nil {
		panic(err)
	}
	fmt.Println(flags&mount.ReadOnly != 0, flags&mount.NoExec != 0, flags)
	fmt.Println(prop.Shared, prop.Master, prop.IsPrivate(), prop)
	// Output:
	// true false ro,nosuid,relatime
	// 1 2 false shared:1 master:2
}

func ExamplePropagation_String() {
	fmt.Println(mount.Propagation{})
	fmt.Println(mount.Propagation{Master: 3, Unbindable: true})
	// Output:
	// private
	// master:3 unbindable
}
