// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-race-test: callers that die or move at the worst moment.
 *
 * kill -9 of a process while its vCPU is inside RUN, while the guest faults
 * memory in as fast as another thread throws it away, and while another
 * thread creates VMs and vCPUs; the VM fd closed while vCPU fds live; a vCPU
 * thread moved between host CPUs 10,000 times while its guest runs. After
 * each, everything minivm holds must be given back: debugfs "objects" reads
 * 0 VMs, 0 vCPUs, 0 table pages (the lab's kmemleak scan and console scan
 * do the rest). Prints KTAP.
 *
 *   minivm-race-test amd|intel [short] [moves-only|moves-elsewhere]
 *
 * "short" kills at fewer moments and moves 2,000 times, for Bochs with the
 * debug kernel, where the full run takes six minutes. "moves-only" runs only
 * the moves case and "moves-elsewhere" reports it skipped: QEMU 7.2's
 * multi-threaded TCG sometimes performs a second #VMEXIT from host mode,
 * which overwrites the guest's state, so the QEMU labs run the moves in a
 * boot with single-threaded TCG (Documentation/lab.rst).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "vmtest.h"

#define OBJECTS		"/sys/kernel/debug/minivm/objects"

/* Every minivm object gone (waits up to 5 s for the last fds to be released). */
static void expect_nothing_held(const char *after)
{
	char text[256] = "";
	int tries, held = 1;

	for (tries = 0; tries < 50 && held; tries++) {
		FILE *f = fopen(OBJECTS, "r");
		char name[32];
		long v;
		size_t n = 0;

		CHECK(f, "%s: %s", OBJECTS, strerror(errno));
		if (!f)
			return;
		held = 0;
		while (fscanf(f, "%31s %ld", name, &v) == 2) {
			held |= v != 0;
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %ld ", name, v);
			if (n >= sizeof(text))
				n = sizeof(text) - 1;
		}
		fclose(f);
		if (held)
			usleep(100000);
	}
	CHECK(!held, "after %s minivm still holds: %s", after, text);
}

/* The guest spins, writing one page after another of 16 MiB, forever. */
#define BIG_MEM		(16UL << 20)
GUEST(g_toucher, ".code32",
      "1: mov $0x100000, %edi\n 2: movl %edi, (%edi)\n add $0x1000, %edi\n"
      "cmp $0x1000000, %edi\n jb 2b\n jmp 1b");
GUEST(g_spin32, ".code32", "1: jmp 1b");

/* Ends with OUT of a counter every 256 iterations: RUN keeps coming back. */
GUEST(g_counter, ".code32",
      "xor %ebx, %ebx\n 1: inc %ebx\n test $0xff, %bl\n jnz 1b\n mov %ebx, %eax\n"
      "out %eax, $0x10\n jmp 1b");

static void *discard_memory(void *arg)
{
	uint8_t *mem = arg;

	for (;;)
		madvise(mem + (1UL << 20), BIG_MEM - (1UL << 20), MADV_DONTNEED);
	return NULL;
}

static void *create_vcpus(void *arg)
{
	int sys = *(int *)arg;

	for (;;) {
		uint64_t id;
		int vm = minivm_create_vm(sys, &id), i;
		struct minivm_run *run[4];
		int vcpu[4];

		if (vm < 0)
			continue;
		for (i = 0; i < 4; i++)
			vcpu[i] = minivm_create_vcpu(vm, (uint32_t)i, &run[i]);
		close(vm);
		for (i = 0; i < 4; i++)
			if (vcpu[i] >= 0) {
				munmap(run[i], (size_t)sysconf(_SC_PAGESIZE));
				close(vcpu[i]);
			}
	}
	return NULL;
}

enum victim { IN_RUN, IN_FAULTS, CREATING_VCPUS };

/* The child: a guest running (and maybe more), until it is killed. */
static void victim(enum victim what, int ready)
{
	struct vm v;
	pthread_t t;

	if (what == IN_FAULTS) {
		struct minivm_sregs s;
		int ret;

		vm_open(&v);
		v.mem = mmap(NULL, BIG_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ret = minivm_set_memory_region(v.fd, 0, 0, 0, BIG_MEM, v.mem);
		memcpy(v.mem + CODE_GPA, g_toucher, (size_t)(g_toucher_end - g_toucher));
		v.vcpu = minivm_create_vcpu(v.fd, 0, &v.run);
		if (ret || v.vcpu < 0)
			_exit(3);
		minivm_get_sregs(v.vcpu, &s);
		set_flat(&s, flat32_code);
		s.cr0 = 0x11;
		minivm_set_sregs(v.vcpu, &s);
		{
			struct minivm_regs r = { .rip = CODE_GPA, .rflags = 2 };

			minivm_set_regs(v.vcpu, &r);
		}
		pthread_create(&t, NULL, discard_memory, v.mem);
	} else {
		vm_start(&v, g_spin32, g_spin32_end);
		to_protected_mode(&v, 0);
		if (what == CREATING_VCPUS)
			pthread_create(&t, NULL, create_vcpus, &v.sys);
	}
	if (write(ready, "r", 1) != 1)
		_exit(3);
	for (;;)
		minivm_run(v.vcpu);
}

/* Kill -9 the victim @delay_ms after it says it runs; it must die promptly. */
static void kill_victim(enum victim what, unsigned int delay_ms, const char *name)
{
	int pipefd[2], status = 0, i;
	char c;
	pid_t pid;

	CHECK(pipe(pipefd) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		victim(what, pipefd[1]);
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1, "%s: the victim did not start", name);
	close(pipefd[0]);
	usleep(delay_ms * 1000);
	kill(pid, SIGKILL);
	for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
		usleep(100000);
	CHECK(i < 100, "%s: not dead 10 s after SIGKILL", name);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s: status %#x", name, status);
	expect_nothing_held(name);
}

/*
 * The kills land 0 to 180 ms into the victim's work, every 20 ms; "short"
 * (Bochs with the debug kernel, where each victim costs seconds) every 60.
 */
static unsigned int kill_step_ms = 20;
/* How often the vCPU's thread moves: 10,000 times; "short", 2,000. */
static int nr_moves = 10000;

static void kill_9_during_run(void)
{
	unsigned int d;

	for (d = 0; d < 200; d += kill_step_ms)
		kill_victim(IN_RUN, d, "kill -9 in RUN");
}

static void kill_9_during_faults(void)
{
	unsigned int d;

	for (d = 0; d < 200; d += kill_step_ms)
		kill_victim(IN_FAULTS, d, "kill -9 while the guest faults");
}

static void kill_9_while_creating_vcpus(void)
{
	unsigned int d;

	for (d = 0; d < 200; d += kill_step_ms)
		kill_victim(CREATING_VCPUS, d, "kill -9 while vCPUs are created");
}

/* The VM fd goes first; its vCPUs keep it (and run) until they go too. */
static void vm_fd_closed_while_vcpus_live(void)
{
	struct minivm_run *run2;
	struct vm v;
	int vcpu2;

	vm_start(&v, g_counter, g_counter_end);
	to_protected_mode(&v, 0);
	vcpu2 = minivm_create_vcpu(v.fd, 1, &run2);
	CHECK(vcpu2 >= 0, "second vCPU: %s", strerror(-vcpu2));
	close(v.fd);
	v.fd = -1;
	expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x100);
	expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x200);
	close(v.vcpu);
	v.vcpu = -1;
	/* The second, never run, still can: in the reset state it fetches above RAM. */
	CHECK(minivm_run(vcpu2) == 0 && run2->exit_reason == MINIVM_EXIT_MMIO, "second vCPU: %s",
	      exit_str(run2));
	munmap(run2, (size_t)sysconf(_SC_PAGESIZE));
	close(vcpu2);
	vm_close(&v);
	expect_nothing_held("closing the VM fd first");
}

struct mover {
	pid_t tid;
	volatile int stop;
	long ncpu;
	int moves;
};

static void *move_thread(void *arg)
{
	struct mover *m = arg;
	cpu_set_t set;
	int i;

	for (i = 0; i < nr_moves && !m->stop; i++) {
		CPU_ZERO(&set);
		CPU_SET(i % m->ncpu, &set);
		if (sched_setaffinity(m->tid, sizeof(set), &set) == 0)
			m->moves++;
	}
	m->stop = 1;
	return NULL;
}

/*
 * The vCPU's thread moved to the other CPU nr_moves times while it runs a
 * guest that counts: every count must come in order, none lost or repeated.
 */
static void vcpu_thread_moves_between_cpus(void)
{
	struct mover m = { .tid = (pid_t)syscall(SYS_gettid), .ncpu = sysconf(_SC_NPROCESSORS_ONLN) };
	uint64_t want = 0x100, bad = 0, outs = 0;
	pthread_t t;
	struct vm v;

	if (m.ncpu < 2) {
		SKIP("one CPU");
		return;
	}
	vm_start(&v, g_counter, g_counter_end);
	to_protected_mode(&v, 0);
	pthread_create(&t, NULL, move_thread, &m);
	while (!m.stop) {
		int ret = minivm_run(v.vcpu);

		if (ret || v.run->exit_reason != MINIVM_EXIT_IO) {
			CHECK(0, "RUN %d after %llu exits: %s", ret, (unsigned long long)outs,
			      exit_str(v.run));
			dump_vcpu(&v);
			m.stop = 1;
			break;
		}
		outs++;
		if ((uint32_t)v.run->io.data != (uint32_t)want)
			bad++;
		want = (uint32_t)v.run->io.data + 0x100;
	}
	pthread_join(t, NULL);
	run_on_all_cpus();
	CHECK(m.moves == nr_moves, "%d moves, want %d", m.moves, nr_moves);
	CHECK(bad == 0, "%llu of %llu counts out of order", (unsigned long long)bad,
	      (unsigned long long)outs);
	printf("    # %d moves, %llu exits to userspace, all in order\n", m.moves,
	       (unsigned long long)outs);
	vm_close(&v);
	expect_nothing_held("the moves");
}

/* In a lab whose emulator cannot run it (see the top): a skip that says where it runs. */
static void vcpu_thread_moves_elsewhere(void)
{
	SKIP("QEMU's multi-threaded TCG can #VMEXIT from host mode: runs in the single-threaded TCG lab");
}

int main(int argc, char **argv)
{
	bool moves_only = false, moves_elsewhere = false;
	int i;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "short")) {
			kill_step_ms = 60;
			nr_moves = 2000;
		} else if (!strcmp(argv[i], "moves-only")) {
			moves_only = true;
		} else if (!strcmp(argv[i], "moves-elsewhere")) {
			moves_elsewhere = true;
		} else {
			break;
		}
	}
	if (argc < 2 || i < argc || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel")) ||
	    (moves_only && moves_elsewhere)) {
		fprintf(stderr,
			"usage: minivm-race-test amd|intel [short] [moves-only|moves-elsewhere]\n");
		return 2;
	}
	want_vendor = !strcmp(argv[1], "amd") ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;
	signal(SIGALRM, on_alarm);
	if (moves_only) {
		ktap_plan("minivm-race", 1);
		KTAP_RUN(vcpu_thread_moves_between_cpus);
		return ktap_failed ? 1 : 0;
	}
	ktap_plan("minivm-race", 5);
	KTAP_RUN(kill_9_during_run);
	KTAP_RUN(kill_9_during_faults);
	KTAP_RUN(kill_9_while_creating_vcpus);
	KTAP_RUN(vm_fd_closed_while_vcpus_live);
	if (moves_elsewhere)
		ktap_run("vcpu_thread_moves_between_cpus", vcpu_thread_moves_elsewhere);
	else
		KTAP_RUN(vcpu_thread_moves_between_cpus);
	return ktap_failed ? 1 : 0;
}
