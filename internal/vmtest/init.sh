#!/bin/sh
# PID 1 of an lx vmtest guest (busybox sh). internal/vmtest packs it as /init
# together with busybox, the test binaries and two files it writes per boot:
#
#   /etc/lxvm/config  shell variables (lxvm_nonce, lxvm_hugetlbfs,
#                     lxvm_blockdev) and the exported environment of the tests
#   /lib/modules/*.ko kernel modules this boot loads (brd.ko with
#                     lxvm_blockdev=1)
#   /etc/lxvm/tests   one "lxvm_test INDEX DIR BINARY ARGS..." line per package
#
# Results go to the second serial port (/dev/ttyS1), which carries nothing
# else: kernel messages and this script's diagnostics stay on the console
# (ttyS0). Each package's output is framed by marker lines that carry a random
# per-boot nonce, which the tests cannot see (the config file is removed
# before they start):
#
#   @@LXVM <nonce> INFO key=value
#   @@LXVM <nonce> BEGIN <index>
#   ...the test binary's -test.v=test2json output...
#   @@LXVM <nonce> END <index> <exit status>     (preceded by a newline)
#   @@LXVM <nonce> DONE
#
# Then the guest powers off; qemu exits.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /run /root /mnt
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb

die() {
	echo "lxvm init: $*" >/dev/console
	sync
	poweroff -f
}

mount -t proc proc /proc || die "mount /proc failed"
mount -t sysfs sysfs /sys || die "mount /sys failed"
mount -t devtmpfs devtmpfs /dev || die "mount /dev failed"
mkdir -p /dev/shm /dev/pts /dev/mqueue /dev/hugepages
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t mqueue mqueue /dev/mqueue
# A pure cgroup v2 hierarchy, mounted the way systemd mounts it.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || die "mount cgroup2 failed"
ip link set lo up 2>/dev/null

. /etc/lxvm/config || die "no /etc/lxvm/config"
rm -f /etc/lxvm/config

[ "$lxvm_hugetlbfs" = 1 ] && mount -t hugetlbfs hugetlbfs /dev/hugepages

# A block device, when the host asked for one: brd's first RAM disk, 16 MiB,
# at $LX_VMTEST_BLOCKDEV (/dev/ram0; devtmpfs makes the node before insmod
# returns). A failure is reported, not fatal: the tests that need the device
# fail without it, and the other packages still run.
if [ "$lxvm_blockdev" = 1 ]; then
	insmod /lib/modules/brd.ko rd_nr=1 rd_size=16384 ||
		echo "lxvm init: insmod brd failed" >/dev/console
fi

# Enable every available controller for child cgroups, one at a time so
# that one refusal does not stop the others.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
		echo "lxvm init: cannot enable cgroup controller $c" >/dev/console
done

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1 || die "cannot open /dev/ttyS1"

lxvm_say() {
	echo "@@LXVM $lxvm_nonce $*" >&3
}

nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
lxvm_say INFO "release=$(uname -r)"
lxvm_say INFO "cpus=$(nproc)"
lxvm_say INFO "nodes=$nodes"
lxvm_say INFO "controllers=$(cat /sys/fs/cgroup/cgroup.controllers)"
lxvm_say INFO "subtree_control=$(cat /sys/fs/cgroup/cgroup.subtree_control)"
lxvm_say INFO "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
if [ "$lxvm_blockdev" = 1 ]; then
	lxvm_say INFO "blockdev=$LX_VMTEST_BLOCKDEV $(cat "/sys/class/block/${LX_VMTEST_BLOCKDEV#/dev/}/dev" 2>/dev/null || echo missing)"
fi
lxvm_say INFO "boot=$(cut -d' ' -f1 /proc/uptime)s"

# lxvm_test INDEX DIR BINARY ARGS... runs one package's test binary in its
# source directory copy, as `go test` would, with stdin from /dev/null, as
# the leader of a session of its own (not in init's session 0).
lxvm_test() {
	i=$1 dir=$2 bin=$3
	shift 3
	echo "lxvm init: running $dir ($(cut -d' ' -f1 /proc/uptime)s)" >/dev/console
	lxvm_say BEGIN "$i"
	(cd "$dir" && exec setsid "$bin" "$@") </dev/null >&3 2>&3
	st=$?
	printf '\n@@LXVM %s END %s %s\n' "$lxvm_nonce" "$i" "$st" >&3
}

. /etc/lxvm/tests
lxvm_say DONE
exec 3>&-
echo "lxvm init: done ($(cut -d' ' -f1 /proc/uptime)s), powering off" >/dev/console
sync
poweroff -f
