#!/bin/sh
# The lab's tests, run inside the emulated PC in one boot (Bochs boots are
# dear). Each group prints KTAP between "MINIVM-KTAP-BEGIN name" and
# "MINIVM-KTAP-END name"; tests/check counts the results.
#
#   check.sh           minivm.ko is loaded: KUnit results, the API test, and
#                      the module's life with KVM, hotplug and reloading
#   check.sh nofeature minivm.ko is not loaded and the CPU lacks VMX/SVM:
#                      loading must fail with one clear line
#   check.sh linux     only Debian's kernel booted under minivm run
#   check.sh fuzz ...  only the fuzzers (make fuzz)
cd /lab || exit 1
cpu=$(cat /lab/cpu)
kernel=$(cat /lab/kernel)
vendor=${cpu%%-*}
case "$vendor" in intel) hw=vmx ;; *) hw=svm ;; esac

nr=0
begin() { echo "MINIVM-KTAP-BEGIN $1"; echo "KTAP version 1"; nr=0; }
end() { echo "1..$nr"; echo "MINIVM-KTAP-END $1"; }
say() { echo "    # $*"; }
# run_test NAME FUNCTION: one KTAP result from a shell function's status.
run_test() {
	nr=$((nr + 1))
	say "$1 ..."	# names the test a hang stops in
	if "$2"; then echo "ok $nr $1"; else echo "not ok $nr $1"; fi
}
skip_test() {
	nr=$((nr + 1))
	echo "ok $nr $1 # SKIP $2"
}

# suite NAME PROGRAM ARGS...: a test program's KTAP between the markers. One
# that runs past $suite_limit seconds is taken for hung: where its threads
# are goes to the console (their kernel stacks, the CPUs' interrupt counts),
# then it is killed, the group ends cut short, and the lab goes on. The
# seconds are the guest's (sleep 1): under Bochs with the debug kernel each
# is over ten real ones, and the lab's own timeout may come first there.
suite_limit=300
suite() {
	suite_name=$1
	shift
	echo "MINIVM-KTAP-BEGIN $suite_name"
	"$@" &
	suite_pid=$!
	(
		s=0
		while kill -0 "$suite_pid" 2>/dev/null; do
			if [ "$s" -ge "$suite_limit" ]; then
				hang_report "$suite_pid" "$suite_name" "$s"
				kill -9 "$suite_pid"
				break
			fi
			sleep 1
			s=$((s + 1))
		done
	) &
	suite_wd=$!
	wait "$suite_pid"
	wait "$suite_wd"
	echo "MINIVM-KTAP-END $suite_name"
}

# hang_report PID NAME SECONDS: what a hung test program's threads are doing.
hang_report() {
	say "$2: still running after $3 s: its threads, then it is killed"
	for t in /proc/"$1"/task/*; do
		# state, user and system ticks, last CPU: twice, to tell spinning from sleeping
		say "thread ${t##*/}: $(cut -d' ' -f3,14,15,39 "$t/stat") (state utime stime cpu)"
		sed 's/^/    #   /' "$t/stack"
	done
	sleep 2
	for t in /proc/"$1"/task/*; do
		say "thread ${t##*/} 2 s later: $(cut -d' ' -f3,14,15,39 "$t/stat")"
	done
	grep -E '^ *(LOC|RES|CAL|TLB):' /proc/interrupts | sed 's/^/    # /'
}

# wait_for FILE TEXT SECONDS: until FILE contains TEXT.
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
}

# cpus_on: how many CPUs debugfs shows with minivm's VMX/SVM on.
cpus_on() { grep -c "minivm=on hw=on" /sys/kernel/debug/minivm/cpus; }
cpus_off() { grep -c "minivm=off hw=off" /sys/kernel/debug/minivm/cpus; }
nr_cpus() { grep -c . /sys/kernel/debug/minivm/cpus; }

load_kvm() {
	for m in irqbypass ccp kvm "kvm-$vendor"; do
		[ -f "/lab/modules/$m.ko" ] || continue
		grep -q "^$(echo "$m" | tr - _) " /proc/modules && continue
		insmod "/lab/modules/$m.ko" || { say "insmod $m.ko failed"; return 1; }
	done
}

unload_kvm() {
	rmmod "kvm_$vendor" 2>/dev/null
	rmmod kvm 2>/dev/null
	rmmod ccp 2>/dev/null
	rmmod irqbypass 2>/dev/null
	return 0
}

# --- tests with minivm.ko loaded --------------------------------------

# The differential tests: QEMU's own output for the guest is the oracle
# (tests/guests/oracle, at build time).
# difftest EXPECTED MARK WHAT -- RUN-ARGS...: `minivm run RUN-ARGS` prints
# what QEMU printed (/lab/EXPECTED) and ends with its status. MARK, when
# given, is a line the guest must have reached, so that a guest that
# stopped early says where.
difftest() {
	expected=$1 mark=$2 what=$3
	shift 4
	minivm run "$@" >/tmp/dt.out 2>/tmp/dt.err
	echo "exit status $?" >>/tmp/dt.out
	if [ -n "$mark" ] && ! grep -q "^minivm-guest: $mark" /tmp/dt.out; then
		say "$what: the guest never printed '$mark':"
		sed 's/^/    # /' /tmp/dt.out /tmp/dt.err
		return 1
	fi
	diff "/lab/$expected" /tmp/dt.out >/tmp/dt.diff && return 0
	say "$what differs from QEMU (- QEMU, + minivm):"
	sed 's/^/    # /' /tmp/dt.diff /tmp/dt.err
	return 1
}

t_difftest_matches_qemu() {
	difftest mbtest.expected "" "minivm run" -- mbtest.elf -- hello world
}

# A multiboot module, as QEMU's -initrd passes it: same string, size, contents.
t_difftest_initrd_matches_qemu() {
	difftest mbtest-initrd.expected "module 'mbtest.mod' size " "minivm run --initrd" -- \
		--initrd mbtest.mod mbtest.elf -- modules
}

# Two and four vCPUs: the bootstrap CPU's INIT and start-up IPIs bring up
# the others, each takes its own APIC timer's interrupt and sends the
# bootstrap CPU an IPI, and all take its broadcast, as under QEMU -smp N.
t_difftest_smp_matches_qemu() {
	for n in 2 4; do
		difftest "mbtest-smp$n.expected" "smp: application processors up $((n - 1))" \
			"minivm run --cpus $n (QEMU -smp $n)" -- --cpus $n mbtest.elf -- smp || return 1
	done
}

# QEMU's pc-testdev (--device pc-testdev): the latch, I/O memory and page
# flush, and its interrupt lines through the userspace I/O APIC to the
# module's APIC: edge pins, a masked edge lost, a level pin sent again after
# each EOI (MINIVM_EXIT_EOI) while asserted, and one unmasked while asserted.
t_difftest_testdev_matches_qemu() {
	difftest mbtest-testdev.expected "ioapic level pin: " "minivm run --device pc-testdev" -- \
		--device pc-testdev mbtest.elf -- testdev
}

# Debian's own kernel (the stock lab's) boots under minivm run --cpus 1
# and 2 to its /init: the CPUs online, fork and exec, 64 MiB of tmpfs, a
# sleep on the timers, the RTC's year, a line typed on COM1 read through
# its interrupts, and poweroff -f through ACPI's S5 (status 0), all as under
# QEMU -smp 1 and 2 (/lab/linux/expected-N, tests/guests/linux-oracle).
t_linux_boots_like_qemu() {
	for n in 1 2; do
		(cd /lab/linux && ./linux-session "typed line" -- timeout 600 minivm run \
			--cpus $n --mem 256M --initrd guest.cpio bzImage -- console=ttyS0 \
			panic=-1 quiet) >/tmp/linux.out 2>/tmp/linux.err
		diff "/lab/linux/expected-$n" /tmp/linux.out >/tmp/linux.diff && continue
		say "Debian's kernel under minivm run --cpus $n differs from QEMU -smp $n (- QEMU, + minivm):"
		sed 's/^/    # /' /tmp/linux.diff /tmp/linux.err
		return 1
	done
}

# The small guest kernel (tests/guests/linux/kernel.config: no ACPI, so it
# finds its CPUs and the I/O APIC in the MP tables) boots under minivm run
# --cpus 1 and 2 and does what /init asks as under QEMU -smp 1 and 2
# (/lab/linux-small/small-expected-N), leaving through isa-debug-exit. The
# CPU line is held to the count asked for instead: SeaBIOS's MP table lists
# only the boot CPU, so without ACPI the kernel sees one under QEMU -smp 2.
# Bochs on the debug kernel boots it with 2 CPUs only (each boot costs it
# minutes; the stock Intel lab boots both). One CPU boots the bzImage, two
# the same kernel's vmlinux (the ELF loader), so each lab runs both loaders
# but Bochs on the debug kernel, which runs the vmlinux one.
t_small_linux_boots_like_qemu() {
	counts="1 2"
	[ "$cpu" = intel ] && [ "$kernel" = debug ] && counts=2
	for n in $counts; do
		image=small.bzImage
		[ $n = 2 ] && image=small.vmlinux
		(cd /lab/linux-small && ./linux-session "typed line" -- timeout 1500 minivm run \
			--cpus $n --mem 256M --initrd guest.cpio $image -- console=ttyS0 \
			panic=-1 quiet) >/tmp/small.out 2>/tmp/small.err
		online=0
		[ $n = 1 ] || online=0-$((n - 1))
		grep -v "^guest-linux: cpus: " "/lab/linux-small/small-expected-$n" >/tmp/small.want
		grep -v "^guest-linux: cpus: " /tmp/small.out >/tmp/small.got
		if grep -qx "guest-linux: cpus: $n, online $online" /tmp/small.out &&
			diff /tmp/small.want /tmp/small.got >/tmp/small.diff; then
			continue
		fi
		say "the small kernel ($image) under minivm run --cpus $n: not $n CPUs online, or differs from QEMU -smp $n (- QEMU, + minivm):"
		sed 's/^/    # /' /tmp/small.diff /tmp/small.out /tmp/small.err
		return 1
	done
}

# The hostile Linux guest (guest=panic, tests/guests/linux/init) crashes its
# kernel, which with panic=-1 restarts the PC: through the 8042's reset line
# by default (status 24), by a triple fault with reboot=t (status 10). Each
# ends only its own run, with its status and a line saying why.
t_linux_panic_ends_the_run() {
	for how in kbd:24:"the guest reset the PC" t:10:"the guest triple-faulted"; do
		want=${how#*:}
		msg=${want#*:}
		want=${want%%:*}
		(cd /lab/linux && timeout 300 minivm run --mem 256M --initrd guest.cpio bzImage -- \
			console=ttyS0 panic=-1 quiet guest=panic "reboot=${how%%:*}") \
			</dev/null >/tmp/panic.out 2>/tmp/panic.err
		rc=$?
		if [ $rc = "$want" ] && grep -q "Kernel panic" /tmp/panic.out &&
			grep -q "$msg" /tmp/panic.err; then
			continue
		fi
		say "reboot=${how%%:*}: status $rc, want $want; the console's last lines and stderr:"
		tail -n 15 /tmp/panic.out | sed 's/^/    # /'
		sed 's/^/    # /' /tmp/panic.err
		return 1
	done
}

# The console on a terminal (ptyrun gives the launcher one): raw mode while
# the guest runs, keys typed reach it as they are, Ctrl-A h lists the
# escape keys and Ctrl-A x ends a guest spinning with interrupts off (status
# 26); SIGTERM ends it too. Either way the terminal is as it was. Not on a
# terminal, input is a plain stream: a Ctrl-A in it is the guest's.
t_console_escape_and_signals() {
	[ -e /dev/pts/ptmx ] || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } || return 1
	/lab/ptyrun "type a key" "z" "spinning with interrupts off" "^Ah^Ax" -- \
		minivm run mbtest.elf -- spin >/tmp/pty.out 2>&1
	for want in "got 0x7a" "Ctrl-A x        end the run" "minivm: ended by Ctrl-A x" \
		"raw while running: yes" "terminal restored: yes" "exit status 26"; do
		grep -q "$want" /tmp/pty.out && continue
		say "Ctrl-A x: no '$want' in:"; sed 's/^/    # /' /tmp/pty.out; return 1
	done
	/lab/ptyrun "type a key" "q" "spinning with interrupts off" SIGTERM -- \
		minivm run mbtest.elf -- spin >/tmp/pty.out 2>&1
	for want in "got 0x71" "terminal restored: yes" "killed by signal 15"; do
		grep -q "$want" /tmp/pty.out && continue
		say "SIGTERM: no '$want' in:"; sed 's/^/    # /' /tmp/pty.out; return 1
	done
	printf '\001x' >/tmp/ctrl-a
	minivm run mbtest.elf -- spin </tmp/ctrl-a >/tmp/spin.out 2>&1 &
	pid=$!
	i=0
	while ! grep -q "spinning with interrupts off" /tmp/spin.out && [ $i -lt 600 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc = 143 ] && grep -q "got 0x01" /tmp/spin.out && return 0
	say "piped input: status $rc, want 143 (SIGTERM), and the guest reading 0x01:"
	sed 's/^/    # /' /tmp/spin.out
	return 1
}

t_launcher_reports_triple_fault() {
	minivm run mbtest.elf -- triple >/tmp/tf.out 2>/tmp/tf.err
	rc=$?
	[ $rc = 10 ] && grep -q "the guest triple-faulted" /tmp/tf.err && return 0
	say "status $rc, want 10; stderr:"
	sed 's/^/    # /' /tmp/tf.err
	return 1
}

t_launcher_refuses_bad_images() {
	ok=0
	minivm run /lab/labctl 2>/tmp/bi.err
	rc=$?
	{ [ $rc = 8 ] && grep -q "not a multiboot v1 kernel" /tmp/bi.err; } || { say "a 64-bit program: status $rc:"; cat /tmp/bi.err; ok=1; }
	minivm run /nonexistent 2>/tmp/bi.err
	rc=$?
	{ [ $rc = 8 ] && grep -q "cannot read /nonexistent" /tmp/bi.err; } || { say "a missing file: status $rc:"; cat /tmp/bi.err; ok=1; }
	minivm run --mem 1M mbtest.elf 2>/tmp/bi.err
	rc=$?
	{ [ $rc = 2 ] && grep -q -- "--mem 1M" /tmp/bi.err; } || { say "--mem 1M: status $rc:"; cat /tmp/bi.err; ok=1; }
	for n in 0 65 2x; do
		minivm run --cpus $n mbtest.elf 2>/tmp/bi.err
		rc=$?
		{ [ $rc = 2 ] && grep -q -- "--cpus $n: want 1 to 64" /tmp/bi.err; } ||
			{ say "--cpus $n: status $rc:"; cat /tmp/bi.err; ok=1; }
	done
	return $ok
}

# One "ready" line per load (the lab's, and any reload of this script's).
loads=1
t_load_message() {
	n=$(dmesg | grep -c "minivm: ready ($hw,")
	[ "$n" = "$loads" ] || { say "want $loads 'minivm: ready ($hw' lines (one per load), found $n"; dmesg | grep minivm; return 1; }
}

t_info() {
	out=$(minivm info 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    # /'
	[ $rc = 0 ] && echo "$out" | grep -q "created and destroyed"
}

t_idle_module_holds_nothing() {
	[ "$(cpus_off)" = "$(nr_cpus)" ] || { say "VMX/SVM on while no VM exists"; cat /sys/kernel/debug/minivm/cpus; return 1; }
}

t_kvm_guest_blocks_minivm() {
	load_kvm || return 1
	kvm-hold run >/tmp/kvm-hold.log 2>&1 &
	kvm_pid=$!
	ok=1
	if ! wait_for /tmp/kvm-hold.log "guest running" 120; then
		say "KVM guest did not start:"; sed 's/^/    # /' /tmp/kvm-hold.log; ok=0
	fi
	dmesg -c >/dev/null
	minivm info >/tmp/info.log 2>&1
	rc=$?
	[ $rc = 4 ] || { say "minivm info exited $rc while KVM runs, want 4"; sed 's/^/    # /' /tmp/info.log; ok=0; }
	grep -q "another hypervisor holds" /tmp/info.log || { say "launcher did not name the conflict"; ok=0; }
	dmesg | grep -q "minivm: cannot enable $hw on CPU [0-9]*: in use by another hypervisor" ||
		{ say "no dmesg line naming the conflict"; dmesg | sed 's/^/    # /'; ok=0; }
	[ "$(cpus_on)" = 0 ] || { say "minivm left VMX/SVM on after refusing"; ok=0; }
	# Loading minivm while KVM runs a guest is refused too.
	rmmod minivm || ok=0
	dmesg -c >/dev/null
	if labctl insmod /lab/minivm.ko 2>/tmp/insmod.log; then
		say "minivm.ko loaded while KVM holds $hw"; ok=0
	fi
	grep -q "busy" /tmp/insmod.log || { say "insmod error:"; sed 's/^/    # /' /tmp/insmod.log; ok=0; }
	n=$(dmesg | grep -c "minivm: cannot load: CPU [0-9]*: .*in use by another hypervisor")
	[ "$n" = 1 ] || { say "want one 'cannot load' line, got:"; dmesg | sed 's/^/    # /'; ok=0; }
	[ ! -e /dev/minivm ] || { say "/dev/minivm left behind"; ok=0; }
	grep -q '^minivm ' /proc/modules && { say "module still listed"; ok=0; }
	kill "$kvm_pid"
	wait "$kvm_pid"
	grep -q "stopped after" /tmp/kvm-hold.log || { say "kvm-hold did not stop cleanly"; ok=0; }
	insmod /lab/minivm.ko || { say "minivm.ko does not load after KVM's guest ends"; ok=0; }
	minivm info >/dev/null || { say "minivm cannot create a VM after KVM's guest ends"; ok=0; }
	[ $ok = 1 ]
}

t_minivm_vm_blocks_kvm() {
	load_kvm || return 1
	mkfifo /tmp/hold.fifo
	minivm-api-test hold </tmp/hold.fifo >/tmp/hold.log 2>&1 &
	hold_pid=$!
	exec 3>/tmp/hold.fifo
	ok=1
	wait_for /tmp/hold.log "holding a VM" 60 || { say "could not hold a VM:"; sed 's/^/    # /' /tmp/hold.log; ok=0; }
	kvm-hold try >/tmp/try.log 2>&1
	rc=$?
	[ $rc = 3 ] || { say "KVM_CREATE_VM did not fail while minivm holds $hw (exit $rc)"; ok=0; }
	grep -q "busy" /tmp/try.log || { say "KVM's error:"; sed 's/^/    # /' /tmp/try.log; ok=0; }
	exec 3>&-
	wait "$hold_pid"
	rm -f /tmp/hold.fifo
	[ "$(cpus_on)" = 0 ] || { say "VMX/SVM still on after the VM closed"; ok=0; }
	kvm-hold try >/tmp/try.log 2>&1 || { say "KVM cannot create a VM after minivm's VM closed:"; sed 's/^/    # /' /tmp/try.log; ok=0; }
	unload_kvm
	[ $ok = 1 ]
}

t_hotplug_follows_cpus() {
	online=/sys/devices/system/cpu/cpu1/online
	mkfifo /tmp/hold.fifo
	minivm-api-test hold </tmp/hold.fifo >/tmp/hold.log 2>&1 &
	hold_pid=$!
	exec 3>/tmp/hold.fifo
	ok=1
	wait_for /tmp/hold.log "holding a VM" 60 || { say "could not hold a VM"; ok=0; }
	all=$(nr_cpus)
	[ "$(cpus_on)" = "$all" ] || { say "not all CPUs on with a VM"; ok=0; }
	echo 0 >"$online" || { say "cannot offline cpu1"; ok=0; }
	[ "$(nr_cpus)" = $((all - 1)) ] && [ "$(cpus_on)" = $((all - 1)) ] ||
		{ say "after offlining cpu1:"; sed 's/^/    # /' /sys/kernel/debug/minivm/cpus; ok=0; }
	echo 1 >"$online" || { say "cannot online cpu1"; ok=0; }
	grep -q "^cpu1 $hw minivm=on hw=on" /sys/kernel/debug/minivm/cpus ||
		{ say "cpu1 came back without VMX/SVM:"; sed 's/^/    # /' /sys/kernel/debug/minivm/cpus; ok=0; }
	exec 3>&-
	wait "$hold_pid"
	rm -f /tmp/hold.fifo
	[ "$(cpus_off)" = "$all" ] || { say "VMX/SVM left on after the VM closed"; ok=0; }
	# A CPU that comes online with no VM stays off.
	echo 0 >"$online" && echo 1 >"$online"
	[ "$(cpus_off)" = "$all" ] || { say "cpu1 came online with VMX/SVM but no VM"; ok=0; }
	[ $ok = 1 ]
}

t_unload_and_reload() {
	rmmod minivm || { say "rmmod failed"; return 1; }
	[ ! -e /dev/minivm ] || { say "/dev/minivm left after rmmod"; return 1; }
	insmod /lab/minivm.ko || { say "reload failed"; return 1; }
	minivm info >/dev/null || { say "minivm info failed after reload"; return 1; }
}

# max_vms: refused outside its range with one line, enforced inside it.
t_max_vms_parameter() {
	rmmod minivm || { say "rmmod failed"; return 1; }
	ok=1
	for bad in 0 1048577; do
		dmesg -c >/dev/null
		if labctl insmod /lab/minivm.ko "max_vms=$bad" 2>/tmp/insmod.log; then
			say "max_vms=$bad loaded"; rmmod minivm; ok=0; continue
		fi
		grep -q "Invalid argument" /tmp/insmod.log || { say "max_vms=$bad: insmod said $(cat /tmp/insmod.log)"; ok=0; }
		dmesg | grep -q "minivm: cannot load: max_vms=$bad is outside 1-1048576" ||
			{ say "max_vms=$bad: dmesg does not say why"; dmesg | tail -n 3 | sed 's/^/    # /'; ok=0; }
	done
	insmod /lab/minivm.ko max_vms=3 || { say "max_vms=3 does not load"; return 1; }
	got=$(cat /sys/module/minivm/parameters/max_vms)
	[ "$got" = 3 ] || { say "parameters/max_vms reads $got"; ok=0; }
	# Ten asked for, three run, the fourth is refused with ENOSPC.
	bench-minivm max-vms 10 1 >/tmp/maxvms.out 2>&1
	grep -q '^bench max-vms 3 vms .*stopped-by="No space left on device"' /tmp/maxvms.out ||
		{ say "with max_vms=3:"; sed 's/^/    # /' /tmp/maxvms.out; ok=0; }
	rmmod minivm && insmod /lab/minivm.ko || { say "reload failed"; return 1; }
	[ $ok = 1 ]
}

# --- tracing: the tracepoints and the libbpf tools -------------------

# What the workload does, by the vendor's exit names; their numbers come
# from uapi/linux/minivm_exits.h (exit-numbers.sh, generated by the Makefile).
. /lab/exit-numbers.sh
case "$vendor" in
intel) hw=vmx r_cpuid=CPUID r_msr=MSR_READ r_io=IO_INSTRUCTION r_fault=EPT_VIOLATION ;;
*) hw=svm r_cpuid=CPUID r_msr=MSR r_io=IOIO r_fault=NPF ;;
esac
hw_number() { eval "echo \$${hw}_$1"; }
c_cpuid=$(hw_number $r_cpuid) c_msr=$(hw_number $r_msr) c_io=$(hw_number $r_io)
c_hlt=$(hw_number HLT) c_fault=$(hw_number $r_fault)

# workload [PREFIX...]: run the guest with known exits (under PREFIX, e.g.
# perf); sets w_pid w_cpuid w_rdmsr w_out w_hlt w_faults.
workload() {
	"$@" minivm-run-test "$vendor" workload >/tmp/wl.out 2>&1 || { say "workload failed:"; sed 's/^/    # /' /tmp/wl.out; return 1; }
	set -- $(grep "^workload pid" /tmp/wl.out)
	w_pid=$3 w_cpuid=$7 w_rdmsr=$9 w_out=${11} w_hlt=${13} w_faults=${15}
}

# expect WHAT GOT WANT: one line of diagnosis when they differ.
expect() {
	[ "$2" = "$3" ] && return 0
	say "$1: $2, want $3"
	ok=0
}

tracefs=/sys/kernel/tracing
t_tracepoints_see_the_workload() {
	[ -e $tracefs/events ] || mount -t tracefs nodev $tracefs || { say "no tracefs"; return 1; }
	ev=$tracefs/events/minivm
	[ -d $ev ] || { say "no events/minivm in tracefs"; return 1; }
	echo 4096 >$tracefs/buffer_size_kb
	echo >$tracefs/trace
	echo 1 >$ev/enable
	workload || return 1
	echo 0 >$ev/enable
	cat $tracefs/trace >/tmp/tp.txt
	ok=1
	for pair in "$r_cpuid:$w_cpuid" "$r_msr:$w_rdmsr" "$r_io:$w_out" "HLT:$w_hlt" "$r_fault:$w_faults"; do
		r=${pair%:*} n=${pair#*:}
		expect "minivm_exit $r" "$(grep -c "minivm_exit: .* reason $r (" /tmp/tp.txt)" "$n"
		expect "minivm_entry after $r" "$(grep -c "minivm_entry: .* after $r (" /tmp/tp.txt)" "$n"
	done
	expect "minivm_fault mapped_4k" "$(grep -c "minivm_fault: .* mapped_4k latency_ns" /tmp/tp.txt)" "$w_faults"
	expect "minivm_fault" "$(grep -c "minivm_fault: " /tmp/tp.txt)" "$w_faults"
	expect "minivm_userspace IO" "$(grep -c "minivm_userspace: .* exit IO held_ns" /tmp/tp.txt)" "$w_out"
	expect "minivm_userspace HLT" "$(grep -c "minivm_userspace: .* exit HLT held_ns" /tmp/tp.txt)" "$w_hlt"
	[ $ok = 1 ] || { say "first lines of the trace:"; grep minivm_ /tmp/tp.txt | head -n 8 | sed 's/^/    # /'; }
	echo >$tracefs/trace
	[ $ok = 1 ]
}

# around_workload OUT TOOL ARGS...: the tool runs while the workload does, then gets Ctrl-C.
around_workload() {
	out=$1
	shift
	# No earlier run's "Tracing" line may be taken for this one's.
	rm -f "$out" "$out.err"
	"$@" >"$out" 2>"$out.err" &
	tool_pid=$!
	if ! wait_for "$out.err" "Tracing" 300; then
		say "$1 did not start:"; sed 's/^/    # /' "$out.err"; kill "$tool_pid"; return 1
	fi
	workload
	wl=$?
	kill -INT "$tool_pid"
	wait "$tool_pid"
	rc=$?
	[ $rc = 0 ] || { say "$1 exited $rc:"; sed 's/^/    # /' "$out.err"; return 1; }
	return $wl
}

# json_num LINE KEY: the first number after "KEY": in LINE.
json_num() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
# json_hist_sum LINE: the sum of the first log2_ns array in LINE.
json_hist_sum() { echo "$1" | sed -n 's/[^[]*"log2_ns":\[\([0-9,]*\)\].*/\1/p' | tr , '\n' | awk '{ s += $1 } END { print s + 0 }'; }

t_exits_tool_counts_the_workload() {
	around_workload /tmp/exits.json minivm-exits -j || return 1
	ok=1
	for pair in "$r_cpuid:$w_cpuid" "$r_msr:$w_rdmsr" "$r_io:$w_out" "HLT:$w_hlt" "$r_fault:$w_faults"; do
		r=${pair%:*} n=${pair#*:}
		line=$(grep "\"reason\":\"$r\"" /tmp/exits.json)
		expect "$r count" "$(json_num "$line" count)" "$n"
		expect "$r latency histogram" "$(json_hist_sum "$line")" "$n"
	done
	[ $ok = 1 ] || sed 's/^/    # /' /tmp/exits.json
	[ $ok = 1 ]
}

t_faults_tool_counts_the_workload() {
	around_workload /tmp/faults.json minivm-faults -j || return 1
	ok=1
	line=$(cat /tmp/faults.json)
	m4k=$(echo "$line" | sed -n 's/.*"mapped_4k":\({[^}]*}\).*/\1/p')
	expect "mapped_4k count" "$(json_num "$m4k" samples)" "$w_faults"
	expect "mapped_4k histogram" "$(json_hist_sum "$m4k")" "$w_faults"
	for r in mapped_2m mmio error raced; do
		expect "$r count" "$(echo "$line" | sed -n "s/.*\"$r\":{\"samples\":\([0-9]*\).*/\1/p")" 0
	done
	[ $ok = 1 ] || sed 's/^/    # /' /tmp/faults.json
	[ $ok = 1 ]
}

t_top_tool_counts_the_workload() {
	around_workload /tmp/top.json minivm-top -j -n 1000 1 || return 1
	ok=1
	for pair in "$r_cpuid:$w_cpuid" "$r_msr:$w_rdmsr" "$r_io:$w_out" "HLT:$w_hlt" "$r_fault:$w_faults"; do
		r=${pair%:*} n=${pair#*:}
		got=$(sed 's/},{/}\n{/g' /tmp/top.json | grep "\"pid\":$w_pid,.*\"reason\":\"$r\"" |
			sed -n 's/.*"count":\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
		expect "$r over all intervals" "$got" "$n"
	done
	[ $ok = 1 ] || sed 's/^/    # /' /tmp/top.json
	[ $ok = 1 ]
}

t_tools_filter_by_pid() {
	around_workload /tmp/filtered.json minivm-exits -j -p 1 || return 1
	[ ! -s /tmp/filtered.json ] && return 0
	say "exits of other processes were counted:"; sed 's/^/    # /' /tmp/filtered.json
	return 1
}

# tool_refuses WHY WANT TOOL ARGS...: exit status 1 and the one line WANT.
tool_refuses() {
	why=$1 want=$2
	shift 2
	"$@" >/tmp/refuse.out 2>&1
	rc=$?
	[ $rc = 1 ] && [ "$(wc -l </tmp/refuse.out)" = 1 ] && grep -q "$want" /tmp/refuse.out && return 0
	say "$why: $* exited $rc, said:"; sed 's/^/    # /' /tmp/refuse.out
	ok=0
}

t_tools_refuse_clearly() {
	ok=1
	for tool in minivm-exits minivm-faults minivm-top; do
		tool_refuses "no such pid" "no process with pid 999999" $tool -p 999999
		tool_refuses "not root" "not allowed to load BPF programs: run as root" labctl nobody /lab/$tool
	done
	rmmod minivm || { say "rmmod failed"; return 1; }
	for tool in minivm-exits minivm-faults minivm-top; do
		tool_refuses "no module" "minivm.ko is not loaded" $tool
	done
	insmod /lab/minivm.ko || { say "reload failed"; return 1; }
	[ $ok = 1 ]
}

# perf stat's counts of the tracepoints (the one-liners in tracing.rst).
t_perf_counts_the_workload() {
	perf="/lab/perf/ld.so --library-path /lab/perf/lib /lab/perf/perf"
	[ -e $tracefs/events ] || mount -t tracefs nodev $tracefs || { say "no tracefs"; return 1; }
	ev() { echo "-e minivm:minivm_exit --filter reason==$1"; }
	# shellcheck disable=SC2046
	workload $perf stat -x, -o /tmp/perf.csv $(ev $c_cpuid) $(ev $c_msr) $(ev $c_io) \
		$(ev $c_hlt) $(ev $c_fault) -e minivm:minivm_fault -e minivm:minivm_userspace || return 1
	ok=1
	counts=$(grep minivm: /tmp/perf.csv | cut -d, -f1 | tr '\n' ' ')
	expect "perf stat counts (CPUID RDMSR OUT HLT fault-exits faults userspace)" "$counts" \
		"$w_cpuid $w_rdmsr $w_out $w_hlt $w_faults $w_faults $((w_out + w_hlt)) "
	[ $ok = 1 ] || sed 's/^/    # /' /tmp/perf.csv
	[ $ok = 1 ]
}

# minivm_inject under perf stat, by type, while minivm-events-test runs: it
# delivers at least 4 interrupts, 2 NMIs and 4 exceptions (more when an exit
# interrupts a delivery, which is then traced again).
t_perf_counts_injections() {
	perf="/lab/perf/ld.so --library-path /lab/perf/lib /lab/perf/perf"
	[ -e $tracefs/events ] || mount -t tracefs nodev $tracefs || { say "no tracefs"; return 1; }
	$perf stat -x, -o /tmp/perf-inject.csv \
		-e minivm:minivm_inject --filter type==1 -e minivm:minivm_inject --filter type==2 \
		-e minivm:minivm_inject --filter type==3 \
		minivm-events-test "$vendor" >/tmp/events.out 2>&1 ||
		{ say "minivm-events-test failed under perf"; sed 's/^/    # /' /tmp/events.out; return 1; }
	set -- $(grep minivm: /tmp/perf-inject.csv | cut -d, -f1)
	[ $# = 3 ] && [ "$1" -ge 4 ] && [ "$2" -ge 2 ] && [ "$3" -ge 4 ] && return 0
	say "minivm_inject counts (interrupt NMI exception): $*, want at least 4 2 4"
	sed 's/^/    # /' /tmp/perf-inject.csv
	return 1
}

# --- tests without minivm.ko, on a CPU that lacks VMX/SVM ---------------

t_refused_without_feature() {
	case "$cpu" in
	amd-nosvm) want="AMD CPU without SVM" ;;
	intel-novmx) want="Intel CPU without VMX" ;;
	esac
	dmesg -c >/dev/null
	if labctl insmod /lab/minivm.ko 2>/tmp/insmod.log; then
		say "minivm.ko loaded on a CPU without $hw"; return 1
	fi
	grep -q "No such device" /tmp/insmod.log || { say "insmod said:"; sed 's/^/    # /' /tmp/insmod.log; return 1; }
	lines=$(dmesg | grep -v "taints kernel\|module verification failed" | grep -c "minivm: ")
	[ "$lines" = 1 ] || { say "want exactly one minivm line in dmesg, got $lines:"; dmesg | grep minivm | sed 's/^/    # /'; return 1; }
	dmesg | grep -q "minivm: cannot load: $want" || { say "dmesg does not say '$want':"; dmesg | grep minivm | sed 's/^/    # /'; return 1; }
	[ ! -e /dev/minivm ] || { say "/dev/minivm exists"; return 1; }
	! grep -q '^minivm ' /proc/modules || { say "module is listed"; return 1; }
}

# fuzz_blocks SECONDS SEED [CORPUS-SEEDS]: minivm-fuzz for SECONDS, then the
# hostile-guest corpus (with CORPUS-SEEDS random guests per CPU mode).
fuzz_blocks() {
	suite_limit=$(($1 + 300))
	suite fuzz minivm-fuzz --seconds "$1" --seed "$2"
	suite_limit=300
	suite corpus minivm-corpus "$vendor" ${3:-}
}

# check.sh fuzz SECONDS [SEED]: only those (make fuzz, the soak runs).
if [ "${1:-}" = fuzz ]; then
	fuzz_blocks "$2" "${3:-$(date +%s)}"
	exit 0
fi

# check.sh linux: only Debian's kernel under minivm run (make linux-intel:
# under Bochs it takes too long for make check).
if [ "${1:-}" = linux ]; then
	begin linux
	run_test linux_boots_like_qemu t_linux_boots_like_qemu
	run_test linux_panic_ends_the_run t_linux_panic_ends_the_run
	end linux
	exit 0
fi

# check.sh moves: only the race suite's moves case, for the QEMU boot with
# single-threaded TCG (tests/check): QEMU 7.2's multi-threaded TCG breaks
# it (Documentation/lab.rst, "A #VMEXIT from host mode").
if [ "${1:-}" = moves ]; then
	grep -q labtcg=single /proc/cmdline || say "check.sh moves: this boot's TCG is not single-threaded"
	suite race minivm-race-test "$vendor" moves-only
	exit 0
fi

if [ "${1:-}" = nofeature ]; then
	begin "nofeature-$cpu"
	run_test refused_without_feature t_refused_without_feature
	end "nofeature-$cpu"
	exit 0
fi

if [ "$kernel" = debug ]; then
	echo "MINIVM-KTAP-BEGIN kunit"
	dmesg | grep -E '^ *(KTAP version|# Subtest|1\.\.|ok [0-9]|not ok [0-9]|# )'
	echo "MINIVM-KTAP-END kunit"
fi

# Bochs with the debug kernel is the slowest lab by far (Documentation/lab.rst
# has its budget): there the loops that only repeat the same check run
# shorter. It takes about 90 ms to create a VM, so the VM-limit case fills
# max_vms=256 instead of the default 4096 (six minutes); every other lab
# checks the default.
bochs_debug=
if [ "$kernel" = debug ] && grep -q labemu=bochs /proc/cmdline; then bochs_debug=1; fi
small_limit=$bochs_debug
[ -z "$small_limit" ] || { rmmod minivm && insmod /lab/minivm.ko max_vms=256 && loads=$((loads + 1)); } ||
	echo "# check.sh: cannot reload minivm.ko with max_vms=256"
suite api minivm-api-test "$vendor"
[ -z "$small_limit" ] || { rmmod minivm && insmod /lab/minivm.ko && loads=$((loads + 1)); } ||
	echo "# check.sh: cannot reload minivm.ko"

suite run minivm-run-test "$vendor"

suite events minivm-events-test "$vendor"

suite apic minivm-apic-test "$vendor"

# QEMU with one thread per CPU runs every case but the moves, which runs in
# its own boot with single-threaded TCG (check.sh moves, above).
race_moves=
if grep -q labemu=qemu /proc/cmdline && ! grep -q labtcg=single /proc/cmdline; then
	race_moves=moves-elsewhere
fi
suite race minivm-race-test "$vendor" ${bochs_debug:+short} $race_moves

# A bounded fuzz run on every lab, longer where KASAN and lockdep watch; a
# new seed each time (printed, for a replay). The time is the guest's: in
# Bochs with the debug kernel an emulated second is 10^9 instructions
# (tests/lab/run), well over ten real seconds, so it gets fewer of them. The
# random-code corpus cases are skipped there: twice in CI Bochs spun at 100%
# in the first of them with no guest output for the rest of the hour (its
# own VMX emulation, as far as the console shows); the other labs run 16
# random guests per CPU mode.
fuzz_seconds=20 corpus_seeds=
if [ "$kernel" = debug ]; then
	if grep -q labemu=bochs /proc/cmdline; then
		fuzz_seconds=6 corpus_seeds=0
	else
		fuzz_seconds=60
	fi
fi
fuzz_blocks "$fuzz_seconds" "$(date +%s)" $corpus_seeds

begin launcher
run_test difftest_matches_qemu t_difftest_matches_qemu
run_test difftest_initrd_matches_qemu t_difftest_initrd_matches_qemu
run_test difftest_smp_matches_qemu t_difftest_smp_matches_qemu
run_test difftest_testdev_matches_qemu t_difftest_testdev_matches_qemu
if [ -d /lab/linux-small ]; then
	run_test small_linux_boots_like_qemu t_small_linux_boots_like_qemu
else
	skip_test small_linux_boots_like_qemu "no small guest kernel in this lab (make linux-small builds it; make check does)"
fi
if [ -d /lab/linux ]; then
	run_test linux_boots_like_qemu t_linux_boots_like_qemu
	run_test linux_panic_ends_the_run t_linux_panic_ends_the_run
else
	skip_test linux_boots_like_qemu "Debian's kernel boots in make check only in the AMD stock lab (under Bochs it takes long: make linux-intel; the small kernel stands in)"
	skip_test linux_panic_ends_the_run "Debian's kernel boots in make check only in the AMD stock lab (make linux-intel for Bochs)"
fi
run_test console_escape_and_signals t_console_escape_and_signals
run_test launcher_reports_triple_fault t_launcher_reports_triple_fault
run_test launcher_refuses_bad_images t_launcher_refuses_bad_images
end launcher

begin module
run_test load_message t_load_message
run_test idle_module_holds_nothing t_idle_module_holds_nothing
run_test info t_info
if ls /lab/modules/kvm.ko >/dev/null 2>&1; then
	run_test kvm_guest_blocks_minivm t_kvm_guest_blocks_minivm
	run_test minivm_vm_blocks_kvm t_minivm_vm_blocks_kvm
else
	skip_test kvm_guest_blocks_minivm "no KVM modules in this lab"
	skip_test minivm_vm_blocks_kvm "no KVM modules in this lab"
fi
if [ -e /sys/devices/system/cpu/cpu1/online ]; then
	run_test hotplug_follows_cpus t_hotplug_follows_cpus
else
	skip_test hotplug_follows_cpus "one CPU in this lab"
fi
run_test unload_and_reload t_unload_and_reload
run_test max_vms_parameter t_max_vms_parameter
end module

# After the module tests: these unload and reload minivm.ko themselves.
# The tools and perf are userspace reading the same tracepoints: in Bochs
# with the debug kernel each of them takes a minute or two to load its
# programs (eight minutes in all), so there only the tracepoints are checked
# and the tools run in the Intel stock lab (and both AMD labs).
begin trace
run_test tracepoints_see_the_workload t_tracepoints_see_the_workload
tools="exits_tool_counts_the_workload faults_tool_counts_the_workload top_tool_counts_the_workload"
tools="$tools tools_filter_by_pid tools_refuse_clearly"
for t in $tools perf_counts_the_workload perf_counts_injections; do
	if [ -n "$bochs_debug" ]; then
		skip_test "$t" "Bochs with the debug kernel: run in the Intel stock lab"
	elif [ "${t#perf_}" != "$t" ] && [ ! -x /lab/perf/perf ]; then
		skip_test "$t" "no /lab/perf: tests/lab/perf-bundle failed on the host"
	else
		run_test "$t" "t_$t"
	fi
done
end trace

# Last in the boot: QEMU 7.2 keeps a nested guest's hardware breakpoints
# armed after #VMEXIT (Documentation/lab.rst), and with the breakpoints these
# tests set left behind, QEMU itself crashed while the corpus's random guests
# ran after them.
suite hostile minivm-hostile-test "$vendor"
