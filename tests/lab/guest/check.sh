#!/bin/sh
# The lab's tests, run inside the emulated PC in one boot (Bochs boots are
# dear). Each group prints KTAP between "MINIVM-KTAP-BEGIN name" and
# "MINIVM-KTAP-END name"; tests/check counts the results.
#
#   check.sh           minivm.ko is loaded: KUnit results, the API test, and
#                      the module's life with KVM, hotplug and reloading
#   check.sh nofeature minivm.ko is not loaded and the CPU lacks VMX/SVM:
#                      loading must fail with one clear line
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
	if "$2"; then echo "ok $nr $1"; else echo "not ok $nr $1"; fi
}
skip_test() {
	nr=$((nr + 1))
	echo "ok $nr $1 # SKIP $2"
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

# The differential test: QEMU's own output for the guest is the oracle.
t_difftest_matches_qemu() {
	minivm run mbtest.elf -- hello world >/tmp/dt.out 2>/tmp/dt.err
	echo "exit status $?" >>/tmp/dt.out
	diff /lab/mbtest.expected /tmp/dt.out >/tmp/dt.diff && return 0
	say "minivm run differs from QEMU (- QEMU, + minivm):"
	sed 's/^/    # /' /tmp/dt.diff /tmp/dt.err
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
	minivm run --cpus 2 mbtest.elf 2>/tmp/bi.err
	rc=$?
	{ [ $rc = 2 ] && grep -q "only 1 vCPU" /tmp/bi.err; } || { say "--cpus 2: status $rc:"; cat /tmp/bi.err; ok=1; }
	return $ok
}

t_load_message() {
	n=$(dmesg | grep -c "minivm: ready ($hw,")
	[ "$n" = 1 ] || { say "want one 'minivm: ready ($hw' line, found $n"; dmesg | grep minivm; return 1; }
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

echo "MINIVM-KTAP-BEGIN api"
minivm-api-test "$vendor"
echo "MINIVM-KTAP-END api"

echo "MINIVM-KTAP-BEGIN run"
minivm-run-test "$vendor"
echo "MINIVM-KTAP-END run"

begin launcher
run_test difftest_matches_qemu t_difftest_matches_qemu
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
end module
