# minivm: top-level build.
#
#   make              minivm.ko for KDIR and the userspace programs
#   make demo         set up the lab (apt packages, lab kernels) and run
#                     minivm in it on both CPUs (see README.md)
#   make check        every test: host-side, then the lab on both CPUs
#   make bench        minivm against KVM in the lab, in emulated instructions
#   make fuzz         minivm-fuzz and the hostile-guest corpus in the lab on
#                     both CPUs for DURATION seconds (default 600)
#
# KDIR is the kernel build tree (default: the running kernel's). The module is
# built in a copy of its sources under MODOUT, so one checkout can build for
# several kernels side by side.

KDIR ?= /lib/modules/$(shell uname -r)/build
MODOUT ?= $(CURDIR)/build/mod
W ?= 1
CC ?= gcc

# Zydis's decoder, static, from Debian's source package (userspace/build-zydis,
# cached like the lab kernels), copied into build/zydis: libminivm's MMIO
# emulation decodes with it.
ZYDIS := build/zydis/.built
ZYDIS_LIB := build/zydis/lib/libZydis.a
USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -I$(CURDIR)/uapi -I$(CURDIR)/userspace \
	-DZYDIS_STATIC_BUILD -I$(CURDIR)/build/zydis/include
LIB_SRC := userspace/libminivm.c userspace/emulate.c
LIB_HDR := userspace/libminivm.h uapi/linux/minivm.h uapi/linux/minivm_exits.h uapi/linux/minivm_sizes.h \
	$(ZYDIS)

# Programs the lab copies into its guests: static, so the initramfs needs no libc.
# The libbpf tools (tools/trace): a BPF object and its skeleton, then the tool.
TRACE_TOOLS := minivm-exits minivm-faults minivm-top
TRACE_HDR := tools/trace/minivm_tools.h tools/trace/tool_common.h uapi/linux/minivm_trace.h
TRACE_SRC := tools/trace/tool_common.c userspace/libminivm.c
TRACE_LIBS := -lbpf -lelf -lz
# Deferred (=): a fresh machine runs "make demo" before it has a compiler,
# and the set-up step installs one.
BPF_CFLAGS = -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
	-I/usr/include/$(shell $(CC) -print-multiarch) -I$(CURDIR)/uapi -I$(CURDIR)/tools/trace

LAB_PROGS := build/lab/labctl build/lab/ptyrun build/lab/minivm build/lab/minivm-api-test build/lab/kvm-hold \
	build/lab/minivm-run-test build/lab/minivm-events-test build/lab/minivm-apic-test build/lab/minivm-hostile-test build/lab/minivm-race-test build/lab/minivm-fuzz \
	build/lab/minivm-corpus build/lab/exit-numbers.sh \
	build/lab/mbtest.elf build/lab/mbtest.expected build/lab/mbtest.mod \
	build/lab/mbtest-initrd.expected build/lab/mbtest-smp2.expected build/lab/mbtest-smp4.expected \
	build/lab/mbtest-testdev.expected $(TRACE_TOOLS:%=build/lab/%) build/lab/bench-kvm build/lab/bench-minivm build/lab/bench-boot

.PHONY: all module userspace tools lab-programs linux-guest linux-small demo check linux-intel bench fuzz \
	clean
all: module userspace tools

module:
	@test -d "$(KDIR)" || { echo "minivm: no kernel build tree at $(KDIR); set KDIR=" >&2; exit 1; }
	@mkdir -p $(MODOUT)
	@rsync -a $(CURDIR)/Kbuild $(CURDIR)/kmod $(CURDIR)/uapi $(MODOUT)/
	@$(MAKE) -C $(KDIR) M=$(MODOUT) W=$(W) modules >$(MODOUT)/build.log 2>&1 || \
		{ cat $(MODOUT)/build.log; exit 1; }
	@! grep -q 'warning:' $(MODOUT)/build.log || \
		{ cat $(MODOUT)/build.log; echo "minivm: warnings in the module build" >&2; exit 1; }
	@echo "minivm: built $(MODOUT)/minivm.ko"

userspace: build/bin/minivm

$(ZYDIS): userspace/build-zydis
	@p=$$(userspace/build-zydis) && rm -rf build/zydis && mkdir -p build/zydis/lib && \
		cp -r "$$p/include" build/zydis/ && cp "$$p/lib/libZydis.a" build/zydis/lib/ && touch $@

# The lab's hardware exit numbers, as shell variables (vmx_CPUID=10), from
# the one list the module and the tools use too.
build/lab/exit-numbers.sh: uapi/linux/minivm_exits.h
	@mkdir -p $(@D)
	@{ echo '# generated from uapi/linux/minivm_exits.h by the Makefile'; \
	  printf '%s\n' '#define MINIVM_VMX_EXIT(nr, name) vmx_##name=nr' \
		'#define MINIVM_SVM_EXIT(nr, name) svm_##name=nr' '#include "minivm_exits.h"' | \
		$(CC) -E -P -Iuapi/linux -x c - | grep .; } >$@.tmp && mv $@.tmp $@

LAUNCHER_SRC := userspace/minivm.c userspace/multiboot.c userspace/bzimage.c userspace/pc_memory.c userspace/uart.c userspace/bus.c \
	userspace/ioapic.c userspace/pc_testdev.c userspace/pic.c userspace/pit.c userspace/rtc.c \
	userspace/fw_cfg.c userspace/i8042.c userspace/mptable.c userspace/acpi.c userspace/acpi_pm.c userspace/console.c
LAUNCHER_HDR := userspace/i8042.h userspace/mptable.h userspace/acpi.h userspace/acpi_pm.h userspace/console.h userspace/table_checksum.h userspace/multiboot.h userspace/bzimage.h userspace/pc_memory.h userspace/uart.h userspace/bus.h userspace/fw_cfg.h \
	userspace/ioapic.h userspace/pc_testdev.h userspace/pic.h userspace/pit.h userspace/rtc.h

build/bin/minivm: $(LAUNCHER_SRC) $(LAUNCHER_HDR) $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -pthread -o $@ $(LAUNCHER_SRC) $(LIB_SRC) $(ZYDIS_LIB)

tools: $(TRACE_TOOLS:%=build/bin/%)

build/trace/%.bpf.o: tools/trace/%.bpf.c tools/trace/minivm_tools.bpf.h $(TRACE_HDR)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -c $< -o $@

build/trace/%.skel.h: build/trace/%.bpf.o
	bpftool gen skeleton $< name $(subst -,_,$*) >$@.tmp && mv $@.tmp $@

.SECONDARY: $(TRACE_TOOLS:%=build/trace/%.bpf.o) $(TRACE_TOOLS:%=build/trace/%.skel.h)

$(TRACE_TOOLS:%=build/bin/%): build/bin/%: tools/trace/%.c build/trace/%.skel.h $(TRACE_SRC) \
		$(TRACE_HDR) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Ibuild/trace -Itools/trace -o $@ $< $(TRACE_SRC) $(TRACE_LIBS)

$(TRACE_TOOLS:%=build/lab/%): build/lab/%: tools/trace/%.c build/trace/%.skel.h $(TRACE_SRC) \
		$(TRACE_HDR) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Ibuild/trace -Itools/trace -static -o $@ $< $(TRACE_SRC) $(TRACE_LIBS)

lab-programs: $(LAB_PROGS)

# The Linux test guest (busybox and tests/guests/linux/init) and what QEMU
# makes of it with Debian's kernel: the AMD stock lab boots the same under
# minivm (tests/lab/run copies these and the kernel to /lab/linux/).
LINUX_GUEST := build/linux/guest.cpio build/linux/expected-1 build/linux/expected-2 \
	build/linux/linux-session
linux-guest: $(LINUX_GUEST)

# The small guest kernel (tests/guests/linux/kernel.config, built and cached
# by tests/lab/build-kernel) and what QEMU makes of it: every lab boots it.
LINUX_SMALL := build/linux/small.bzImage build/linux/small.vmlinux build/linux/small-expected-1 \
	build/linux/small-expected-2
linux-small: $(LINUX_SMALL)

build/linux/small.bzImage: tests/guests/linux/kernel.config tests/lab/build-kernel
	@mkdir -p $(@D)
	@k=$$(tests/lab/build-kernel guest) && cp "$$k/arch/x86/boot/bzImage" $@

# The same kernel uncompressed, as the bzImage carries it (symbols stripped):
# the labs boot it too, for the launcher's vmlinux loader.
build/linux/small.vmlinux: build/linux/small.bzImage
	@k=$$(tests/lab/build-kernel guest) && objcopy -R .comment -S "$$k/vmlinux" $@.tmp && \
		mv $@.tmp $@

build/linux/small-expected-%: build/linux/small.bzImage build/linux/guest.cpio tests/guests/linux-oracle \
		tests/guests/linux-session
	tests/guests/linux-oracle $* $< build/linux/guest.cpio >$@.tmp && mv $@.tmp $@

build/linux/guest.cpio: tests/guests/linux/init
	@rm -rf $(@D)/root && mkdir -p $(@D)/root/bin
	@cp /bin/busybox $(@D)/root/bin/ && cp $< $(@D)/root/init
	@(cd $(@D)/root && find . | cpio -o -H newc --quiet) >$@.tmp && mv $@.tmp $@

build/linux/expected-%: build/linux/guest.cpio tests/guests/linux-oracle tests/guests/linux-session
	tests/guests/linux-oracle $* "$$(tests/lab/stock-kernel)/bzImage" $< >$@.tmp && mv $@.tmp $@

build/linux/linux-session: tests/guests/linux-session
	@mkdir -p $(@D)
	@cp $< $@

build/lab/labctl: tests/lab/guest/labctl.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

build/lab/ptyrun: tests/lab/guest/ptyrun.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $< -lutil

build/lab/minivm: $(LAUNCHER_SRC) $(LAUNCHER_HDR) $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ $(LAUNCHER_SRC) $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-api-test: tests/api/api_test.c tests/api/ktap.h $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ tests/api/api_test.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-run-test: tests/api/run_test.c tests/api/vmtest.h tests/api/ktap.h $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ tests/api/run_test.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-events-test: tests/api/events_test.c tests/api/vmtest.h tests/api/ktap.h \
		$(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ tests/api/events_test.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-apic-test: tests/api/apic_test.c tests/api/vmtest.h tests/api/ktap.h \
		$(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ tests/api/apic_test.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-hostile-test: tests/api/hostile_test.c tests/api/vmtest.h tests/api/ktap.h \
		$(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ tests/api/hostile_test.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-race-test: tests/api/race_test.c tests/api/vmtest.h tests/api/ktap.h \
		$(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ tests/api/race_test.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-fuzz: tests/fuzz/fuzz.c tests/fuzz/labemu.h $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ tests/fuzz/fuzz.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/minivm-corpus: tests/fuzz/corpus.c tests/fuzz/labemu.h tests/api/vmtest.h tests/api/ktap.h $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Itests/api -static -o $@ tests/fuzz/corpus.c $(LIB_SRC) $(ZYDIS_LIB)

build/lab/mbtest.elf: $(wildcard tests/guests/*)
	@$(MAKE) -s -C tests/guests OUT=$(CURDIR)/build/lab

# What QEMU itself prints and returns for the guest: the differential
# test's oracle (tests/lab/guest/check.sh compares `minivm run` with it).
build/lab/mbtest.expected: build/lab/mbtest.elf tests/guests/oracle
	tests/guests/oracle $< hello world >$@.tmp && mv $@.tmp $@

# A multiboot module for --initrd (QEMU's -initrd): text, an odd size.
build/lab/mbtest.mod:
	@mkdir -p $(@D)
	seq 1 1200 >$@

build/lab/mbtest-initrd.expected: build/lab/mbtest.elf build/lab/mbtest.mod tests/guests/oracle
	tests/guests/oracle --initrd mbtest.mod $< modules >$@.tmp && mv $@.tmp $@

# QEMU's pc-testdev: its latch, I/O memory and page flush, and its IRQ
# lines through the I/O APIC (edge and level pins) and the 8259s.
build/lab/mbtest-testdev.expected: build/lab/mbtest.elf tests/guests/oracle
	tests/guests/oracle --device pc-testdev $< testdev >$@.tmp && mv $@.tmp $@

# Two and four CPUs: the guest starts the others (QEMU's -smp N).
build/lab/mbtest-smp%.expected: build/lab/mbtest.elf tests/guests/oracle
	tests/guests/oracle --smp $* $< smp >$@.tmp && mv $@.tmp $@

build/lab/kvm-hold: tests/api/kvm_hold.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

# The benchmark drivers: one workload program, one back end each.
build/lab/bench-kvm: bench/bench.c bench/bench.h bench/hv_kvm.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ bench/bench.c bench/hv_kvm.c

build/lab/bench-boot: bench/boot.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

build/lab/bench-minivm: bench/bench.c bench/bench.h bench/hv_minivm.c $(LIB_SRC) $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -pthread -o $@ bench/bench.c bench/hv_minivm.c $(LIB_SRC) $(ZYDIS_LIB)

demo:
	tests/lab/setup
	tests/lab/demo

check:
	tests/check

# make linux-intel: Debian's kernel under minivm run in the Intel lab, which
# make check leaves to the AMD one (Bochs takes long over it).
linux-intel:
	tests/lab/setup
	tests/lab/linux-intel

# make bench [QUICK=1]: minivm against KVM (see Documentation/benchmarks.rst).
bench:
	bench/run $(if $(QUICK),--quick)

# make fuzz [DURATION=s] [CPU=amd|intel|both] [KERNEL=debug|stock] [SEED=n]
# (see Documentation/fuzzing.rst).
fuzz:
	tests/fuzz/run --seconds $(or $(DURATION),600) --cpu $(or $(CPU),both) \
		--kernel $(or $(KERNEL),debug) $(if $(SEED),--seed $(SEED))

clean:
	rm -rf build
	$(MAKE) -C tests/lab/boot-shim clean
