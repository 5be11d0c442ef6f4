#!/bin/sh
# /init of the lab's initramfs: mount, load minivm.ko, run the command the
# lab runner packed as /lab/cmd, unload, look for leaks, report the status on
# the console ("MINIVM-LAB: status=N") and power the emulated PC off.
export PATH=/bin:/sbin:/lab
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /tmp && mount -t tmpfs tmp /tmp
cd /lab || exit 1
echo "MINIVM-LAB: up $(cut -d' ' -f1 /proc/uptime)s kernel $(uname -r) cpus $(grep -c ^processor /proc/cpuinfo)"

lab_exit() {
	echo "MINIVM-LAB: status=$1"
	labctl exit "$1"
	poweroff -f
}

for m in $(cat /lab/preload 2>/dev/null); do
	insmod "/lab/modules/$m" || echo "MINIVM-LAB: preload of $m failed"
done

leakcheck=
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo clear >/sys/kernel/debug/kmemleak
	leakcheck=1
fi

if [ -f /lab/load-minivm ]; then
	if ! insmod /lab/minivm.ko; then
		echo "MINIVM-LAB: minivm.ko failed to load"
		dmesg | tail -n 5
		lab_exit 203
	fi
fi

sh /lab/cmd
status=$?

if [ -f /lab/load-minivm ] && grep -q '^minivm ' /proc/modules; then
	if ! rmmod minivm; then
		echo "MINIVM-LAB: minivm.ko failed to unload"
		[ "$status" = 0 ] && status=204
	fi
fi

if [ -n "$leakcheck" ]; then
	# kmemleak reports an object only once it is older than 5 s.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	if [ -s /sys/kernel/debug/kmemleak ]; then
		echo "kmemleak: leaks found after the run:"
		cat /sys/kernel/debug/kmemleak
	fi
fi
lab_exit "$status"
