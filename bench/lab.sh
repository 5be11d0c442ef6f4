#!/bin/sh
# bench/lab.sh: the benchmark inside the lab (started by bench/run). KVM and
# minivm are both loaded; each operation runs under KVM, then under minivm,
# in this one boot. Every result is one line on the console:
#   MINIVM-BENCH HYPERVISOR OPERATION VALUE UNIT [KEY=VALUE...]
#
#   lab.sh [--quick] [--exits-only]
#     --quick       a few iterations of everything: proves the benchmark runs
#     --exits-only  only the exit loops (the Intel lab: Bochs is slow)
cd /lab || exit 1
quick= exits_only=
for a in "$@"; do
	case "$a" in
	--quick) quick=1 ;;
	--exits-only) exits_only=1 ;;
	*) echo "lab.sh: unknown option $a" >&2; exit 2 ;;
	esac
done
vendor=$(cut -d- -f1 /lab/cpu)
trace=/sys/kernel/tracing

if [ -n "$quick" ]; then
	exits=50 irqs=20 fault_mib=8 creates=2 idle_vms=2 idle_mib=64 max_cap=16
else
	exits=20000 irqs=5000 fault_mib=256 creates=20 idle_vms=32 idle_mib=64 max_cap=50000
fi
reserve_mib=32

for m in irqbypass ccp kvm "kvm-$vendor"; do
	[ -f "/lab/modules/$m.ko" ] || continue
	insmod "/lab/modules/$m.ko" || { echo "lab.sh: insmod $m.ko failed"; exit 1; }
done
[ -e /dev/kvm ] || { echo "lab.sh: no /dev/kvm after loading KVM"; exit 1; }
[ -e /dev/minivm ] || { echo "lab.sh: no /dev/minivm"; exit 1; }

echo "MINIVM-BENCH meta kernel $(uname -r)"
echo "MINIVM-BENCH meta cpu $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "MINIVM-BENCH meta memory_kib $(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
mode=full
[ -n "$quick" ] && mode=quick
echo "MINIVM-BENCH meta mode $mode"

# Each hypervisor's own tracepoints, for the traced exit loop.
events() {
	case "$1" in
	kvm) echo "$trace/events/kvm/kvm_exit/enable $trace/events/kvm/kvm_entry/enable" ;;
	minivm) echo "$trace/events/minivm/enable" ;;
	esac
}

status=0
# one HV NAME ARGS...: run bench-HV with ARGS and print its line as NAME
# (HV "host": what needs no hypervisor, run by bench-minivm).
one() {
	hv=$1 name=$2
	shift 2
	drv=$hv
	[ "$hv" = host ] && drv=minivm
	if out=$("/lab/bench-$drv" "$@" 2>&1); then
		echo "$out" | sed -n "s/^bench [^ ]* /MINIVM-BENCH $hv $name /p"
	else
		echo "MINIVM-BENCH $hv $name failed: $out"
		status=1
	fi
	# Let work the last run left behind (RCU callbacks, exiting kernel
	# threads, freed pages) finish before the next one is measured. Idle
	# time costs nothing: under icount the clock skips it.
	sync
	sleep 2
}

# each NAME ARGS...: one operation under KVM, then under minivm, so both
# start from the same state. The many-VM run comes last.
each() {
	for hv in kvm minivm; do one "$hv" "$@"; done
}

each exit_incore exit-cpuid "$exits"
each exit_hypercall exit-hypercall "$exits"
each exit_userspace exit-pio "$exits"
# The same loop with minivm's tracepoints compiled out (MINIVM_NOTRACE=y),
# to set "off" against "absent".
if [ -f /lab/minivm-notrace.ko ]; then
	rmmod minivm && insmod /lab/minivm-notrace.ko || { echo "lab.sh: loading minivm-notrace.ko failed"; exit 1; }
	one minivm exit_notrace exit-cpuid "$exits"
	rmmod minivm && insmod /lab/minivm.ko || { echo "lab.sh: reloading minivm.ko failed"; exit 1; }
fi
for hv in kvm minivm; do
	for f in $(events "$hv"); do echo 1 >"$f"; done
	one "$hv" exit_traced exit-cpuid "$exits"
	for f in $(events "$hv"); do echo 0 >"$f"; done
	echo >"$trace/trace"
done
if [ -z "$exits_only" ]; then
	# Interrupts with the in-kernel APIC: the AMD lab only (in Bochs, KVM's
	# ipi-roundtrip never finished: not a figure to wait an hour for).
	each irq_timer irq-timer "$irqs"
	each hlt_wake hlt-wake "$irqs"
	each ipi_self ipi-self "$irqs"
	each ipi_roundtrip ipi-roundtrip "$irqs"
	one host host_touch host-touch "$fault_mib"
	each fault_4k fault-4k "$fault_mib"
	one host host_touch_2m host-touch-2m "$fault_mib"
	each fault_2m fault-2m "$fault_mib"
	each create_destroy create "$creates"
	each mem_per_vm_kib mem "$idle_vms" "$idle_mib"
	# minivm's default max_vms (4096) is a policy bound, not what memory
	# allows: for this count it gets the parameter's upper limit.
	rmmod minivm && insmod /lab/minivm.ko max_vms=1048576 || { echo "lab.sh: reloading minivm failed"; exit 1; }
	echo "MINIVM-BENCH meta minivm_max_vms $(cat /sys/module/minivm/parameters/max_vms)"
	each max_vms max-vms "$max_cap" "$reserve_mib"
fi

# boot HV NAMES -- VMM...: boot the Linux test guest (Debian's kernel, the
# lab's own, and tests/guests/linux/init) under VMM to /init's first line
# (bench-boot) and print the figure under each of NAMES (comma-separated);
# the VMM's own resident memory then is left in $vmm_kib.
boot() {
	hv=$1 names=$2 vmm_kib=
	shift 3
	if out=$(/lab/bench-boot 256 "guest-linux: " -- "$@" 2>&1); then
		# "bench boot NS ns vmm_kib=N guest_kib=N rss_kib=N"
		set -- $out
		vmm_kib=${5#vmm_kib=}
		for n in $(echo "$names" | tr , ' '); do
			echo "MINIVM-BENCH $hv $n $3 ns $5 $6 $7"
		done
	else
		for n in $(echo "$names" | tr , ' '); do
			echo "MINIVM-BENCH $hv $n failed: $out"
		done
		status=1
	fi
	sync
	sleep 2
}

# Whole-guest figures, against QEMU with KVM (the lab's nested KVM, QEMU
# from tests/lab/qemu-bundle) as a PC and as a microvm; minivm has one
# platform, measured once for both. The VMMs' own memory: minivm's against
# the leaner QEMU's, the microvm's (the PC's as a detail).
if [ -z "$exits_only" ] && [ -d /lab/linux ] && [ -x /lab/qemu/qemu-system-x86_64 ]; then
	cd /lab/linux || exit 1
	for m in pc microvm; do
		boot kvm "boot_linux_$m" -- /lab/qemu/ld.so --library-path /lab/qemu/lib \
			/lab/qemu/qemu-system-x86_64 -L /lab/qemu/share -M $m -accel kvm -cpu host \
			-m 256 -nodefaults -display none -serial stdio -no-reboot -kernel bzImage \
			-initrd guest.cpio -append "console=ttyS0 panic=-1 quiet"
		[ -n "$vmm_kib" ] && echo "MINIVM-BENCH kvm vmm_rss_kib_$m $vmm_kib KiB"
	done
	[ -n "$vmm_kib" ] && echo "MINIVM-BENCH kvm vmm_rss_kib $vmm_kib KiB"
	boot minivm boot_linux_pc,boot_linux_microvm -- /lab/minivm run --mem 256M \
		--initrd guest.cpio bzImage -- console=ttyS0 panic=-1 quiet
	[ -n "$vmm_kib" ] && echo "MINIVM-BENCH minivm vmm_rss_kib $vmm_kib KiB"
	# The same kernel uncompressed (bench/run adds it): what is left when
	# neither guest spends billions of instructions on XZ. QEMU boots an ELF
	# kernel through its PVH entry; the microvm only: as a PC (SeaBIOS and
	# the PVH option ROM) it did not reach /init in 15 minutes in this lab.
	if [ -f /lab/vmlinux ]; then
		boot kvm boot_vmlinux_microvm -- /lab/qemu/ld.so --library-path /lab/qemu/lib \
			/lab/qemu/qemu-system-x86_64 -L /lab/qemu/share -M microvm -accel kvm -cpu host \
			-m 256 -nodefaults -display none -serial stdio -no-reboot -kernel /lab/vmlinux \
			-initrd guest.cpio -append "console=ttyS0 panic=-1 quiet"
		boot minivm boot_vmlinux_microvm -- /lab/minivm run --mem 256M --initrd guest.cpio \
			/lab/vmlinux -- console=ttyS0 panic=-1 quiet
	fi
	cd /lab || exit 1
fi
exit "$status"
