// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-fuzz: syzkaller's ideas in one small program, aimed at minivm's ABI.
 *
 * A supervisor process forks a worker that runs threads doing random
 * operations on a shared pool of file descriptors (/dev/minivm, VM and vCPU
 * fds, a non-minivm fd, closed numbers): every ioctl with random and
 * boundary values in every field and bad pointers, ioctls on the wrong fd
 * type, mmap of the run page with odd offsets, sizes and protections,
 * munmap/mremap/mprotect/madvise of guest memory while vCPUs run, random
 * register, segment, control-register and EFER state followed by RUN, fork
 * with the fds used in the child, signals interrupting calls, random close
 * order. Each thread draws its operations from its own generator seeded from
 * --seed, so one thread's sequence replays exactly (--threads 1 replays a
 * whole run, up to what the kernel answers).
 *
 * The supervisor is the oracle that does not hang with the worker: any call
 * in flight longer than --watchdog seconds, a worker that dies of a signal it
 * did not expect, an answer outside the ABI (an exit reason or errno the
 * documentation does not give) fail the run, printing the last operations.
 * Afterwards every minivm object must be gone (debugfs "objects" all 0).
 * Kernel reports (KASAN, lockdep, RCU stalls, kmemleak) are the lab's part:
 * it scans the console. Prints KTAP.
 *
 *   minivm-fuzz [--seed N] [--seconds S] [--threads T] [--watchdog S] [--trace]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libminivm.h"
#include "labemu.h"

#define MAX_THREADS	8
#define CHILD_SLOT	MAX_THREADS	/* the forked child's calls */
#define NR_SLOTS	(MAX_THREADS + 1)
#define LOG_LINES	48
#define LOG_LEN		128
#define POOL		32

/*
 * Guest memory lives in an arena far below where the kernel places other
 * mappings (top-down from the stack), so unmapping a piece of it never hands
 * its addresses to malloc or a thread stack that a guest could then write.
 */
#define ARENA		((uint8_t *)0x200000000000UL)
#define CHUNK		(2UL << 20)
#define NR_CHUNKS	32
#define PAGE		4096UL

/* How many exit reasons the ABI has: counted from its one list. */
enum {
#define MINIVM_RUN_EXIT(name, words) RUN_EXIT_##name,
#include <linux/minivm_exits.h>
	NR_RUN_EXITS
};

/* --- what the supervisor sees: shared memory -------------------------- */

struct slot {
	_Atomic uint64_t start_ns;	/* 0: not in a call */
	char op[LOG_LEN];
};

enum counter {
	C_OPS, C_IOCTL, C_RUN, C_RUN_INTR, C_SREGS_RUN, C_MM, C_FORK, C_SIGNAL, C_MMAP_RUN,
	C_CLOSE, C_EINVAL, C_NR
};

static const char *const counter_names[C_NR] = {
	"operations", "ioctls", "runs", "runs interrupted", "runs after random sregs",
	"memory operations", "forks", "signals", "run-page mmaps", "closes", "EINVAL answers",
};

struct shared {
	_Atomic uint64_t log_next;
	char log[LOG_LINES][LOG_LEN];
	struct slot slot[NR_SLOTS];
	_Atomic uint64_t count[C_NR];
	_Atomic uint64_t exits[NR_RUN_EXITS];
	/* hardware reasons behind UNHANDLED and FAIL_ENTRY exits: reason, count */
	_Atomic uint64_t hw_seen[16][2];
	char failure[256];
};

static struct shared *sh;
/*
 * --trace: every operation into the kernel's log as it starts (/dev/kmsg is
 * written to the console at once; a tty's buffer dies with a hung machine).
 */
static int trace_ops, trace_fd = 2;

/* One line to the trace, one write (dprintf's lseek fails on /dev/kmsg). */
static void trace(const char *fmt, ...)
{
	char buf[LOG_LEN * 2];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "<2>minivm-fuzz: ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(trace_fd, buf, (size_t)n) < 0)
		trace_ops = 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --- per thread: generator and operation log -------------------------- */

static __thread uint64_t rng_state;
static __thread int my_slot;
static __thread uint64_t my_line;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng_state);
}

/* 0 .. n-1 */
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int percent)
{
	return below(100) < percent;
}

/* A value from the edges of a field @bits wide, or a random one. */
static uint64_t boundary(unsigned int bits)
{
	uint64_t mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;

	switch (below(8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return mask;
	case 3: return mask >> 1;
	case 4: return (mask >> 1) + 1;
	case 5: return (1ULL << below(bits)) & mask;
	case 6: return below(4096);
	default: return rnd() & mask;
	}
}

static void op_begin(const char *fmt, ...)
{
	struct slot *s = &sh->slot[my_slot];
	char *line;
	va_list ap;
	int n;

	my_line = atomic_fetch_add(&sh->log_next, 1);
	line = sh->log[my_line % LOG_LINES];
	n = snprintf(line, LOG_LEN, "[%s%d] ", my_slot == CHILD_SLOT ? "child " : "t",
		     my_slot == CHILD_SLOT ? getpid() % 100000 : my_slot);
	va_start(ap, fmt);
	vsnprintf(line + n, LOG_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	memcpy(s->op, line, LOG_LEN);
	if (trace_ops)
		trace("%s", line);
	atomic_store(&s->start_ns, now_ns());
	atomic_fetch_add(&sh->count[C_OPS], 1);
}

/* End of a call: its answer goes on its log line. */
static long op_end(long ret)
{
	char *line = sh->log[my_line % LOG_LINES];
	size_t n = strnlen(line, LOG_LEN - 1);

	atomic_store(&sh->slot[my_slot].start_ns, 0);
	if (n < LOG_LEN - 16)
		snprintf(line + n, LOG_LEN - n, " = %ld%s%s", ret < 0 ? -1L : ret,
			 ret < 0 ? " " : "", ret < 0 ? strerrorname_np(-(int)ret) ?: "?" : "");
	return ret;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->failure, sizeof(sh->failure), fmt, ap);
	va_end(ap);
	_exit(3);
}

/* Every errno the ABI documents for its ioctls, plus what any syscall may say. */
static void check_errno(const char *what, long ret)
{
	switch (-ret) {
	case EINVAL:
		atomic_fetch_add(&sh->count[C_EINVAL], 1);
		return;
	case EFAULT: case ENOTTY: case EBADF: case ENOSPC: case EEXIST: case ENOMEM:
	case EIO: case EINTR: case E2BIG: case EBUSY: case ENODEV: case EPERM:
	case EACCES: case EAGAIN: case ENXIO: case EMFILE: case EOPNOTSUPP:
	case ERANGE: case ENOENT:
		return;
	default:
		fail("%s answered %ld (%s), which the ABI does not document", what, ret,
		     strerror((int)-ret));
	}
}

/* --- the pool of fds --------------------------------------------------- */

enum kind { K_FREE, K_SYS, K_VM, K_VCPU, K_OTHER, K_CLOSED };
static const char *const kind_names[] = { "free", "sys", "vm", "vcpu", "other", "closed" };

struct ent {
	int fd;
	enum kind kind;
	struct minivm_run *run;		/* vCPU: its run page, mapped by us */
};

/*
 * Emulator limit (Documentation/lab.rst): QEMU 7.2's #VMEXIT restores the
 * host's CR0 while EFER is still the guest's, and with the guest's EFER.LME
 * set and CR4.PAE clear it skips the write: the lab's host CPU is left
 * running with paging off and dies. Hardware has no such limit; in QEMU's
 * lab the fuzzer does not set that state (lab kernels say labemu=qemu).
 */
static int qemu_lme_quirk;

/*
 * Emulator limit (Documentation/lab.rst): QEMU 7.2 keeps a nested guest's
 * hardware breakpoints after #VMEXIT and later crashes removing them (seen
 * twice: a SIGSEGV in cpu_breakpoint_remove_by_ref and in
 * cpu_watchpoint_remove_by_ref, taking the whole lab down). In QEMU's lab
 * guest code gets no MOV to a debug register: 0f 23 becomes 0f 0b (UD2).
 */
static void no_mov_to_dr(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x23)
			p[i + 1] = 0x0b;
}
#define EFER_LME	0x100ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL

static struct ent pool[POOL];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
/* Held for reading while a run page is used, for writing to unmap one. */
static pthread_rwlock_t run_pages;
static uint32_t max_vcpus = 1, max_regions = 1;

/* A random entry of @kind (any kind if K_FREE); -1 if there is none. */
static int pick(enum kind kind)
{
	int idx[POOL], n = 0, i;

	for (i = 0; i < POOL; i++)
		if (pool[i].kind != K_FREE && (kind == K_FREE || pool[i].kind == kind))
			idx[n++] = i;
	return n ? idx[below((uint64_t)n)] : -1;
}

/* The fd an operation on @kind uses: usually one of that kind, sometimes anything. */
static int pick_fd(enum kind kind, enum kind *got)
{
	int i;

	pthread_mutex_lock(&pool_lock);
	i = pick(chance(85) ? kind : K_FREE);
	*got = i < 0 ? K_CLOSED : pool[i].kind;
	i = i < 0 ? (chance(50) ? -1 : 1000) : pool[i].fd;
	pthread_mutex_unlock(&pool_lock);
	return i;
}

static void pool_add(int fd, enum kind kind, struct minivm_run *run)
{
	int i, victim = -1;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL; i++)
		if (pool[i].kind == K_FREE || pool[i].kind == K_CLOSED) {
			victim = i;
			break;
		}
	if (victim < 0) {
		/* Full: the new fd goes back (closing fds is its own operation). */
		pthread_mutex_unlock(&pool_lock);
		if (run)
			munmap(run, PAGE);
		close(fd);
		return;
	}
	pool[victim] = (struct ent){ .fd = fd, .kind = kind, .run = run };
	pthread_mutex_unlock(&pool_lock);
}

/* --- guest memory: the arena ------------------------------------------ */

/* Set while a thread touches memory that may not be there: a fault jumps back. */
static __thread volatile sig_atomic_t touching;
static __thread sigjmp_buf touch_jmp;

static int chunk_prot[NR_CHUNKS];	/* -1: not mapped */
static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;

static uint8_t *chunk_addr(unsigned int c)
{
	return ARENA + (size_t)c * CHUNK;
}

/* Guest code: random bytes, or a few shapes that make guests run and exit. */
static void fill_guest(uint8_t *p, size_t len)
{
	static const uint8_t shapes[][8] = {
		{ 0xeb, 0xfe },				/* jmp . */
		{ 0xfa, 0xf4 },				/* cli; hlt */
		{ 0xe6, 0x80, 0xeb, 0xfc },		/* out %al, $0x80; jmp -4 */
		{ 0x0f, 0xa2, 0xf4 },			/* cpuid; hlt */
		{ 0x0f, 0x32, 0x0f, 0x30, 0xf4 },	/* rdmsr; wrmsr; hlt */
		{ 0xcc, 0xcc, 0xcc, 0xcc },		/* int3 */
		{ 0x0f, 0x0b },				/* ud2 */
		{ 0x8a, 0x07, 0xeb, 0xfc },		/* mov (%bx), %al; jmp -4 */
	};
	size_t i;

	if (chance(50)) {
		for (i = 0; i + 8 <= len; i += 8) {
			uint64_t r = rnd();

			memcpy(p + i, &r, 8);
		}
		if (qemu_lme_quirk)
			no_mov_to_dr(p, len);
		return;
	}
	for (i = 0; i + 8 <= len; i += 8)
		memcpy(p + i, shapes[below(sizeof(shapes) / sizeof(shapes[0]))], 8);
}

/*
 * Guest code written where the arena's book says the memory is writable.
 * The book can be wrong (a failed mremap has already unmapped its target,
 * and mremap moves what a partial mprotect left), so a fault only corrects it.
 */
static void write_guest(unsigned int c, size_t off, size_t len)
{
	if (chunk_prot[c] != (PROT_READ | PROT_WRITE) &&
	    chunk_prot[c] != (PROT_READ | PROT_WRITE | PROT_EXEC))
		return;
	op_begin("write guest code chunk %u +%#zx len %#zx", c, off, len);
	touching = 1;
	if (!sigsetjmp(touch_jmp, 1))
		fill_guest(chunk_addr(c) + off, len);
	else
		chunk_prot[c] = -1;
	touching = 0;
	op_end(chunk_prot[c] < 0 ? -EFAULT : 0);
}

static void op_memory(void)
{
	unsigned int c = (unsigned int)below(NR_CHUNKS), d = (unsigned int)below(NR_CHUNKS);
	size_t off = below(CHUNK / PAGE) * PAGE, len = (below(CHUNK / PAGE - off / PAGE) + 1) * PAGE;
	uint8_t *p = chunk_addr(c);
	static const int advice[] = { MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
				      MADV_MERGEABLE, MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED,
				      MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK };
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE };
	void *q;
	long ret;

	atomic_fetch_add(&sh->count[C_MM], 1);
	pthread_mutex_lock(&arena_lock);
	switch (below(7)) {
	case 0:
		op_begin("mmap chunk %u", c);
		q = mmap(p, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | (chance(20) ? MAP_POPULATE : 0), -1, 0);
		op_end(q == MAP_FAILED ? -errno : 0);
		if (q != MAP_FAILED) {
			chunk_prot[c] = PROT_READ | PROT_WRITE;
			write_guest(c, 0, chance(50) ? PAGE : CHUNK);
		}
		break;
	case 1:
		op_begin("munmap chunk %u +%#zx len %#zx", c, off, len);
		ret = munmap(p + off, len);
		op_end(ret < 0 ? -errno : 0);
		if (!ret)
			chunk_prot[c] = -1;	/* partly: treated as gone */
		break;
	case 2:
		op_begin("mremap chunk %u -> %u", c, d);
		q = c == d ? MAP_FAILED : mremap(p, CHUNK, CHUNK, MREMAP_MAYMOVE | MREMAP_FIXED,
						 chunk_addr(d));
		op_end(q == MAP_FAILED ? -errno : 0);
		if (q != MAP_FAILED) {
			chunk_prot[d] = chunk_prot[c];
			chunk_prot[c] = -1;
		} else if (c != d) {
			chunk_prot[d] = -1;	/* MREMAP_FIXED unmaps the target first */
		}
		break;
	case 3: {
		int prot = prots[below(sizeof(prots) / sizeof(prots[0]))];

		op_begin("mprotect chunk %u +%#zx len %#zx prot %d", c, off, len, prot);
		ret = mprotect(p + off, len, prot);
		op_end(ret < 0 ? -errno : 0);
		if (!ret && chunk_prot[c] >= 0)
			chunk_prot[c] = off == 0 && len == CHUNK ? prot : PROT_NONE;
		break;
	}
	case 4: {
		int adv = advice[below(sizeof(advice) / sizeof(advice[0]))];

		op_begin("madvise chunk %u +%#zx len %#zx advice %d", c, off, len, adv);
		ret = madvise(p + off, len, adv);
		op_end(ret < 0 ? -errno : 0);
		break;
	}
	default:
		/* New guest code where a vCPU may be running. */
		write_guest(c, off, PAGE);
		break;
	}
	pthread_mutex_unlock(&arena_lock);
}

/* --- ioctl arguments --------------------------------------------------- */

static uint8_t *guard;	/* two pages: read-write, then PROT_NONE */

/* Where an ioctl's argument is: usually @good, sometimes somewhere bad. */
static void *bad_pointer(void *good, size_t size)
{
	switch (below(12)) {
	case 0: return NULL;
	case 1: return (void *)0xffff888000000000UL;		/* the kernel's */
	case 2: return ARENA + NR_CHUNKS * CHUNK;		/* never mapped */
	case 3: return guard + PAGE - (size > 1 ? size / 2 : 1);	/* runs into PROT_NONE */
	case 4: return (uint8_t *)good + 1;			/* misaligned */
	case 5: return (void *)(uintptr_t)rnd();
	default: return good;
	}
}

static void fill_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd();
}

static const unsigned long all_ioctls[] = {
	MINIVM_GET_API_VERSION, MINIVM_CHECK_CAP, MINIVM_CREATE_VM, MINIVM_SET_MEMORY_REGION,
	MINIVM_CREATE_VCPU, MINIVM_RUN, MINIVM_GET_REGS, MINIVM_SET_REGS, MINIVM_GET_SREGS,
	MINIVM_SET_SREGS, MINIVM_GET_MSRS, MINIVM_SET_MSRS, MINIVM_INTERRUPT, MINIVM_NMI,
	MINIVM_GET_EVENTS, MINIVM_SET_EVENTS, MINIVM_SIGNAL_MSI, MINIVM_GET_MP_STATE,
	MINIVM_SET_MP_STATE, MINIVM_SET_UNCLAIMED_PORTS,
};
#define NR_IOCTLS (sizeof(all_ioctls) / sizeof(all_ioctls[0]))

static const char *ioctl_name(unsigned long cmd)
{
	static const char *const names[] = {
		"GET_API_VERSION", "CHECK_CAP", "CREATE_VM", "SET_MEMORY_REGION", "CREATE_VCPU",
		"RUN", "GET_REGS", "SET_REGS", "GET_SREGS", "SET_SREGS", "GET_MSRS", "SET_MSRS",
		"INTERRUPT", "NMI", "GET_EVENTS", "SET_EVENTS", "SIGNAL_MSI", "GET_MP_STATE",
		"SET_MP_STATE", "SET_UNCLAIMED_PORTS",
	};
	size_t i;

	for (i = 0; i < NR_IOCTLS; i++)
		if (all_ioctls[i] == cmd)
			return names[i];
	return "random";
}

/* An fd a successful ioctl returned: into the pool, mapped if it is a vCPU. */
static void took_fd(unsigned long cmd, long ret)
{
	struct minivm_run *run = NULL;

	if (ret <= 0)
		return;
	if (cmd == MINIVM_CREATE_VCPU) {
		run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, (int)ret, 0);
		if (run == MAP_FAILED)
			fail("mmap of a new vCPU's run page: %s", strerror(errno));
	}
	if (cmd == MINIVM_CREATE_VM || cmd == MINIVM_CREATE_VCPU)
		pool_add((int)ret, cmd == MINIVM_CREATE_VM ? K_VM : K_VCPU, run);
}

static long do_ioctl(int fd, enum kind kind, unsigned long cmd, void *arg)
{
	long ret;

	op_begin("ioctl(%d %s, %s %#lx, %p)", fd, kind_names[kind], ioctl_name(cmd), cmd, arg);
	ret = ioctl(fd, cmd, arg);
	ret = op_end(ret < 0 ? -errno : ret);
	atomic_fetch_add(&sh->count[C_IOCTL], 1);
	if (ret < 0)
		check_errno(ioctl_name(cmd), ret);
	return ret;
}

/* A random ioctl: any number, any fd, an argument of random bytes at a random place. */
static void op_random_ioctl(void)
{
	/* As large as the largest argument (SET_UNCLAIMED_PORTS's). */
	static __thread uint8_t buf[sizeof(struct minivm_unclaimed_ports)] __attribute__((aligned(16)));
	enum kind kind;
	int fd = pick_fd(K_FREE, &kind);
	unsigned long cmd;

	if (chance(70))
		cmd = all_ioctls[below(NR_IOCTLS)];
	else if (chance(50))
		cmd = _IOC(below(4), MINIVM_IOCTL_TYPE, below(256), below(512));
	else
		cmd = (unsigned long)(uint32_t)rnd();
	if (cmd == MINIVM_RUN || cmd == MINIVM_CREATE_VM)
		return;		/* their own operations: RUN needs a timer, VMs the pool */
	fill_random(buf, _IOC_SIZE(cmd) < sizeof(buf) ? _IOC_SIZE(cmd) : sizeof(buf));
	took_fd(cmd, do_ioctl(fd, kind, cmd, bad_pointer(buf, _IOC_SIZE(cmd))));
}

static void op_create_vm(void)
{
	struct minivm_create_vm a = { 0 };
	enum kind kind;
	int fd = pick_fd(K_SYS, &kind);
	long ret;

	/* Half the VMs have the in-kernel APIC, for guests to misuse. */
	if (chance(50))
		a.flags = MINIVM_VM_LAPIC;
	if (chance(15))
		a.flags = (uint32_t)boundary(32);
	if (chance(10))
		a.reserved[below(5)] = (uint32_t)boundary(32);
	ret = do_ioctl(fd, kind, MINIVM_CREATE_VM, bad_pointer(&a, sizeof(a)));
	took_fd(MINIVM_CREATE_VM, ret);
}

static void op_create_vcpu(void)
{
	struct minivm_create_vcpu a = { .vcpu_id = (uint32_t)below(max_vcpus + 1) };
	enum kind kind;
	int fd = pick_fd(K_VM, &kind);

	if (chance(10))
		a.vcpu_id = (uint32_t)boundary(32);
	if (chance(10))
		a.flags = (uint32_t)boundary(32);
	if (chance(10))
		a.reserved[below(3)] = boundary(64);
	took_fd(MINIVM_CREATE_VCPU, do_ioctl(fd, kind, MINIVM_CREATE_VCPU, bad_pointer(&a, sizeof(a))));
}

static void op_set_region(void)
{
	static const uint64_t sizes[] = { PAGE, 2 * PAGE, CHUNK, 2 * CHUNK, 0, 1, PAGE + 1 };
	static const uint64_t gpas[] = { 0, 0x100000, 0x200000, 0xfee00000, 0xfffff000,
					 0x100000000ULL, 0xffffffffff000ULL, 0x10000000000000ULL };
	struct minivm_memory_region r = {
		.slot = (uint32_t)below(max_regions + 1),
		.flags = chance(20) ? MINIVM_MEM_READONLY : 0,
		.guest_phys_addr = chance(50) ? gpas[below(8)] : below(64) * CHUNK,
		.memory_size = chance(70) ? (below(4) + 1) * CHUNK : sizes[below(7)],
		.userspace_addr = (uint64_t)(uintptr_t)chunk_addr((unsigned int)below(NR_CHUNKS)),
	};
	enum kind kind;
	int fd = pick_fd(K_VM, &kind);

	if (chance(10))
		r.userspace_addr += chance(50) ? PAGE : below(PAGE);
	if (chance(5))
		r.userspace_addr = chance(50) ? 0xffff888000000000ULL : boundary(64);
	if (chance(10))
		r.flags = (uint32_t)boundary(32);
	if (chance(5))
		r.slot = (uint32_t)boundary(32);
	if (chance(5))
		r.guest_phys_addr = boundary(64);
	if (chance(5))
		r.memory_size = boundary(64);
	do_ioctl(fd, kind, MINIVM_SET_MEMORY_REGION, bad_pointer(&r, sizeof(r)));
}

static void op_regs(void)
{
	struct minivm_regs r;
	enum kind kind;
	int fd = pick_fd(K_VCPU, &kind);

	if (chance(30)) {
		do_ioctl(fd, kind, MINIVM_GET_REGS, bad_pointer(&r, sizeof(r)));
		return;
	}
	fill_random(&r, sizeof(r));
	if (chance(70)) {
		r.rip = below(64) * CHUNK + below(CHUNK);
		r.rflags = (chance(80) ? 2 : boundary(64)) | (chance(10) ? 0x100 : 0);
		r.rsp = below(64) * CHUNK;
	}
	do_ioctl(fd, kind, MINIVM_SET_REGS, bad_pointer(&r, sizeof(r)));
}

/* Bits worth setting in the control registers and EFER, and some that are reserved. */
static uint64_t random_cr(int which)
{
	static const uint64_t cr0_bits[] = { 1, 2, 4, 8, 0x10, 0x20, 0x10000, 0x40000,
					     0x20000000, 0x40000000, 0x80000000, 1ULL << 32 };
	static const uint64_t cr4_bits[] = { 1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200,
					     0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x10000,
					     0x20000, 0x40000, 0x100000, 0x200000, 0x400000,
					     0x800000, 1ULL << 40 };
	static const uint64_t efer_bits[] = { 1, 0x100, 0x400, 0x800, 0x1000, 0x2000,
					      0x4000, 0x8000, 1ULL << 63 };
	const uint64_t *bits = which == 0 ? cr0_bits : which == 4 ? cr4_bits : efer_bits;
	size_t n = which == 0 ? 12 : which == 4 ? 23 : 9, i;
	uint64_t v = 0;

	for (i = 0; i < n; i++)
		if (chance(30))
			v |= bits[i];
	return chance(5) ? boundary(64) : v;
}

static void mutate_segment(struct minivm_segment *s)
{
	switch (below(4)) {
	case 0: s->attrib = (uint16_t)boundary(16); break;
	case 1: s->limit = (uint32_t)boundary(32); break;
	case 2: s->base = boundary(64); break;
	default: s->selector = (uint16_t)boundary(16); break;
	}
}

static void run_vcpu(int fd, enum kind kind, struct minivm_run *run);

static void trace_seg(const char *name, const struct minivm_segment *g)
{
	trace("  %s sel %#x base %#llx limit %#x attrib %#x", name,
		g->selector, (unsigned long long)g->base, g->limit, g->attrib);
}

/* What SET_SREGS took, for --trace: a state that hangs can be rebuilt from it. */
static void trace_sregs(const struct minivm_sregs *s)
{
	trace_seg("cs", &s->cs);
	trace_seg("ds", &s->ds);
	trace_seg("es", &s->es);
	trace_seg("fs", &s->fs);
	trace_seg("gs", &s->gs);
	trace_seg("ss", &s->ss);
	trace_seg("tr", &s->tr);
	trace_seg("ldt", &s->ldt);
	trace("  gdt %#llx/%#x idt %#llx/%#x cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx",
		(unsigned long long)s->gdt.base, s->gdt.limit, (unsigned long long)s->idt.base,
		s->idt.limit, (unsigned long long)s->cr0, (unsigned long long)s->cr2,
		(unsigned long long)s->cr3, (unsigned long long)s->cr4, (unsigned long long)s->efer);
}

/* GET_SREGS, change a few fields to random or boundary values, SET_SREGS, then RUN. */
static void op_sregs(void)
{
	struct minivm_sregs s;
	struct minivm_segment *segs[] = { &s.cs, &s.ds, &s.es, &s.fs, &s.gs, &s.ss, &s.tr, &s.ldt };
	struct minivm_run *run = NULL;
	enum kind kind;
	int fd, i, n, idx;
	long ret;

	pthread_mutex_lock(&pool_lock);
	idx = pick(K_VCPU);
	fd = idx < 0 ? -1 : pool[idx].fd;
	kind = idx < 0 ? K_CLOSED : K_VCPU;
	pthread_mutex_unlock(&pool_lock);
	if (idx < 0)
		return;
	if (do_ioctl(fd, kind, MINIVM_GET_SREGS, &s) < 0)
		return;
	for (i = 0, n = (int)below(4) + 1; i < n; i++) {
		switch (below(9)) {
		case 0: s.cr0 = random_cr(0); break;
		case 1: s.cr4 = random_cr(4); break;
		case 2: s.efer = random_cr(8); break;
		case 3: s.cr3 = chance(50) ? below(64) * CHUNK : boundary(64); break;
		case 4: s.cr2 = boundary(64); break;
		case 5: s.gdt.base = boundary(64); s.gdt.limit = (uint16_t)boundary(16); break;
		case 6: s.idt.base = boundary(64); s.idt.limit = (uint16_t)boundary(16); break;
		case 7: s.reserved[below(3)] = boundary(64); break;
		default: mutate_segment(segs[below(8)]); break;
		}
	}
	if (qemu_lme_quirk && (s.efer & EFER_LME) && !(s.cr0 & CR0_PG))
		s.cr4 |= CR4_PAE;
	ret = do_ioctl(fd, kind, MINIVM_SET_SREGS, bad_pointer(&s, sizeof(s)));
	if (ret < 0)
		return;
	if (trace_ops)
		trace_sregs(&s);
	/* The state was taken: running it must end with an exit, never a hang. */
	pthread_rwlock_rdlock(&run_pages);
	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL; i++)
		if (pool[i].kind == K_VCPU && pool[i].fd == fd)
			run = pool[i].run;
	pthread_mutex_unlock(&pool_lock);
	atomic_fetch_add(&sh->count[C_SREGS_RUN], 1);
	run_vcpu(fd, kind, run);
	pthread_rwlock_unlock(&run_pages);
}

static void op_msrs(void)
{
	static const uint32_t interesting[] = {
		0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0xe7, 0xe8, 0x174, 0x175, 0x176, 0x1d9,
		0x277, 0x2ff, 0x345, 0x480, 0x6e0, 0x800, 0x80f, 0x8ff, 0xc0000080, 0xc0000081,
		0xc0000082, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
		0xc0010114, 0xc0010117, 0x40000000, 0xffffffff,
	};
	struct minivm_msr_entry e[MINIVM_MAX_MSRS + 2];
	struct minivm_msrs m;
	enum kind kind;
	int fd = pick_fd(K_VCPU, &kind);
	uint32_t i;

	m.nmsrs = chance(80) ? (uint32_t)below(8) + 1 : (uint32_t)boundary(32);
	m.reserved = chance(5) ? (uint32_t)boundary(32) : 0;
	for (i = 0; i < MINIVM_MAX_MSRS + 2; i++) {
		e[i].index = chance(80) ? interesting[below(32)] : (uint32_t)rnd();
		e[i].reserved = chance(5) ? (uint32_t)boundary(32) : 0;
		e[i].data = chance(50) ? boundary(64) : rnd() & 0x0707070707070707ULL;
		if (qemu_lme_quirk && e[i].index == 0xc0000080)
			e[i].data &= ~EFER_LME;
	}
	m.entries = (uint64_t)(uintptr_t)bad_pointer(e, sizeof(e));
	do_ioctl(fd, kind, chance(50) ? MINIVM_SET_MSRS : MINIVM_GET_MSRS, bad_pointer(&m, sizeof(m)));
}

/*
 * Events: interrupts and NMIs queued, and event states that are mostly what
 * a CPU could be in (a type, a vector, an error code where one belongs),
 * now and then not (EINVAL): the guest may take any of them at any time.
 */
/*
 * The in-kernel APIC from outside: MSIs of every delivery mode to any
 * destination (INIT and start-up included, while other threads run the
 * vCPUs), and the vCPU's MP state set to anything.
 */
static void op_apic(void)
{
	struct minivm_msi msi = {
		.address = 0xfee00000 | below(256) << 12 | (chance(30) ? 4 : 0),
		.data = (uint32_t)(below(256) | below(8) << 8 | (chance(50) ? 0x4000 : 0) |
				   (chance(20) ? 0x8000 : 0)),
	};
	struct minivm_mp_state mp = { .state = (uint32_t)below(4) };
	enum kind kind;
	int fd;

	if (chance(50)) {
		fd = pick_fd(K_VM, &kind);
		if (chance(10))
			msi.address = boundary(64);
		if (chance(10))
			msi.data = (uint32_t)boundary(32);
		if (chance(5))
			msi.reserved[below(2)] = boundary(64);
		do_ioctl(fd, kind, MINIVM_SIGNAL_MSI, bad_pointer(&msi, sizeof(msi)));
		return;
	}
	fd = pick_fd(K_VCPU, &kind);
	if (chance(50)) {
		do_ioctl(fd, kind, MINIVM_GET_MP_STATE, bad_pointer(&mp, sizeof(mp)));
		return;
	}
	if (chance(10))
		mp.reserved = (uint32_t)boundary(32);
	do_ioctl(fd, kind, MINIVM_SET_MP_STATE, bad_pointer(&mp, sizeof(mp)));
}

/*
 * The VM's unclaimed ports replaced while its vCPUs run: none, all, random
 * bytes or a few ports, with flags and reserved now and then not zero.
 */
static void op_ports(void)
{
	static struct minivm_unclaimed_ports u;
	enum kind kind;
	int fd = pick_fd(K_VM, &kind);
	unsigned int i;

	u.flags = chance(5) ? (uint32_t)boundary(32) : 0;
	u.reserved = chance(5) ? (uint32_t)boundary(32) : 0;
	switch (below(4)) {
	case 0:
		memset(u.bitmap, 0, sizeof(u.bitmap));
		break;
	case 1:
		memset(u.bitmap, 0xff, sizeof(u.bitmap));
		break;
	case 2:
		for (i = 0; i < sizeof(u.bitmap); i++)
			u.bitmap[i] = (uint8_t)below(256);
		break;
	default:
		memset(u.bitmap, 0, sizeof(u.bitmap));
		for (i = 0; i < 8; i++)
			u.bitmap[below(sizeof(u.bitmap))] |= (uint8_t)(1U << below(8));
		break;
	}
	do_ioctl(fd, kind, MINIVM_SET_UNCLAIMED_PORTS, bad_pointer(&u, sizeof(u)));
}

static void op_events(void)
{
	struct minivm_interrupt irq = { .vector = (uint32_t)below(256) };
	struct minivm_events e;
	enum kind kind;
	int fd = pick_fd(K_VCPU, &kind);

	switch (below(4)) {
	case 0:
		if (chance(5))
			irq.vector = (uint32_t)boundary(32);
		if (chance(5))
			irq.reserved = (uint32_t)boundary(32);
		do_ioctl(fd, kind, MINIVM_INTERRUPT, bad_pointer(&irq, sizeof(irq)));
		return;
	case 1:
		do_ioctl(fd, kind, MINIVM_NMI, chance(5) ? (void *)(uintptr_t)rnd() : NULL);
		return;
	case 2:
		do_ioctl(fd, kind, MINIVM_GET_EVENTS, bad_pointer(&e, sizeof(e)));
		return;
	}
	memset(&e, 0, sizeof(e));
	if (chance(50)) {
		e.exception.type = MINIVM_EVENT_EXCEPTION;
		e.exception.vector = (uint8_t)below(32);
		e.exception.has_error_code =
			(MINIVM_EXCEPTIONS_WITH_ERROR_CODE >> e.exception.vector) & 1;
		e.exception.error_code = e.exception.has_error_code ? (uint32_t)rnd() : 0;
		if (e.exception.vector == 14 && chance(50)) {
			e.flags |= MINIVM_EVENTS_EXCEPTION_CR2;
			e.exception_cr2 = boundary(64);
		}
	} else if (chance(50)) {
		e.injected.type = (uint8_t)(1 + below(3));
		e.injected.vector = e.injected.type == MINIVM_EVENT_NMI ? 2 : (uint8_t)below(256);
		if (e.injected.type == MINIVM_EVENT_EXCEPTION) {
			e.injected.vector &= 31;
			e.injected.has_error_code =
				(MINIVM_EXCEPTIONS_WITH_ERROR_CODE >> e.injected.vector) & 1;
		}
	}
	e.interrupt_pending = chance(30);
	e.interrupt_vector = e.interrupt_pending ? (uint8_t)below(256) : 0;
	e.nmi_pending = chance(20);
	e.nmi_masked = chance(20);
	e.flags |= chance(10) ? (uint32_t)below(4) : 0;
	if (chance(5))
		fill_random(&e, sizeof(e));
	do_ioctl(fd, kind, MINIVM_SET_EVENTS, bad_pointer(&e, sizeof(e)));
}

/* --- RUN, with a timer that interrupts it ---------------------------- */

static __thread timer_t my_timer;
static __thread int have_timer;

/*
 * The timer repeats until disarmed: a first expiry that lands before the
 * thread has entered the RUN ioctl (a lab CPU descheduled by its host for a
 * few milliseconds is enough) is consumed by the handler, and a guest that
 * never exits would then hold the RUN forever and look like a kernel that
 * ignores signals. A later expiry is one the kernel must answer.
 */
static void arm_timer(void)
{
	struct itimerspec it = {
		.it_value.tv_nsec = (long)(below(20) + 1) * 1000000L,
		.it_interval.tv_nsec = 10 * 1000000L,
	};

	if (!have_timer) {
		struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };

		sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &sev, &my_timer))
			fail("timer_create: %s", strerror(errno));
		have_timer = 1;
	}
	timer_settime(my_timer, 0, &it, NULL);
}

static void disarm_timer(void)
{
	struct itimerspec it = { 0 };

	if (have_timer)
		timer_settime(my_timer, 0, &it, NULL);
}


/* Which hardware exits end as UNHANDLED or FAIL_ENTRY: the summary names them. */
static void count_hw_reason(uint32_t reason, uint64_t hw)
{
	uint64_t key = (uint64_t)reason << 32 | (uint32_t)hw, zero;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		zero = 0;
		if (atomic_load(&sh->hw_seen[i][0]) == key + 1 ||
		    atomic_compare_exchange_strong(&sh->hw_seen[i][0], &zero, key + 1)) {
			atomic_fetch_add(&sh->hw_seen[i][1], 1);
			return;
		}
	}
}
static void run_vcpu(int fd, enum kind kind, struct minivm_run *run)
{
	long ret;

	if (trace_ops) {
		struct minivm_regs r;

		if (!ioctl(fd, MINIVM_GET_REGS, &r))
			trace("  rip %#llx rflags %#llx rsp %#llx rax %#llx", (unsigned long long)r.rip,
			      (unsigned long long)r.rflags, (unsigned long long)r.rsp,
			      (unsigned long long)r.rax);
	}
	/*
	 * The page's in fields: often a request for the interrupt window,
	 * sometimes an immediate exit, now and then a value or a reserved byte
	 * that is not allowed (EINVAL).
	 */
	if (run) {
		uint8_t in[8] = { 0 };

		in[0] = chance(30);
		in[1] = chance(5);
		if (chance(3))
			in[below(8)] = (uint8_t)(2 + below(254));
		run->request_interrupt_window = in[0];
		run->immediate_exit = in[1];
		memcpy(run->reserved_in, in + 2, sizeof(run->reserved_in));
	}
	arm_timer();
	ret = do_ioctl(fd, kind, MINIVM_RUN, NULL);
	disarm_timer();
	atomic_fetch_add(&sh->count[C_RUN], 1);
	if (ret == -EINTR)
		atomic_fetch_add(&sh->count[C_RUN_INTR], 1);
	if (!run || ret < 0)
		return;
	/* A concurrent RUN may be writing the page: only the reason's range is checked. */
	if (run->exit_reason >= NR_RUN_EXITS || run->exit_reason == MINIVM_EXIT_NONE)
		fail("RUN returned 0 with exit reason %u, which the ABI does not have",
		     run->exit_reason);
	atomic_fetch_add(&sh->exits[run->exit_reason], 1);
	if (run->exit_reason == MINIVM_EXIT_UNHANDLED ||
	    run->exit_reason == MINIVM_EXIT_FAIL_ENTRY)
		count_hw_reason(run->exit_reason, run->hw_reason);
	if (run->exit_reason == MINIVM_EXIT_IO && run->io.direction == MINIVM_IO_IN)
		run->io.data = rnd();
}

static void op_run(void)
{
	struct minivm_run *run = NULL;
	enum kind kind = K_CLOSED;
	int fd = -1, i;

	pthread_rwlock_rdlock(&run_pages);
	pthread_mutex_lock(&pool_lock);
	i = pick(chance(95) ? K_VCPU : K_FREE);
	if (i >= 0) {
		fd = pool[i].fd;
		kind = pool[i].kind;
		run = pool[i].run;
	}
	pthread_mutex_unlock(&pool_lock);
	run_vcpu(fd, kind, run);
	pthread_rwlock_unlock(&run_pages);
}

/* --- fds themselves ---------------------------------------------------- */

static void op_open(void)
{
	int fd;

	op_begin("open /dev/minivm");
	fd = open(MINIVM_DEVICE, O_RDWR | O_CLOEXEC);
	op_end(fd < 0 ? -errno : fd);
	if (fd >= 0)
		pool_add(fd, K_SYS, NULL);
}

static void op_close(void)
{
	struct ent e;
	int i;

	pthread_mutex_lock(&pool_lock);
	i = pick(K_FREE);
	if (i < 0 || pool[i].kind == K_CLOSED) {
		pthread_mutex_unlock(&pool_lock);
		return;
	}
	e = pool[i];
	/* The number stays in the pool for a while: a closed fd to call. */
	pool[i].kind = K_CLOSED;
	pool[i].run = NULL;
	pthread_mutex_unlock(&pool_lock);
	op_begin("close(%d %s)", e.fd, kind_names[e.kind]);
	op_end(close(e.fd) < 0 ? -errno : 0);
	atomic_fetch_add(&sh->count[C_CLOSE], 1);
	if (!e.run)
		return;
	if (chance(50)) {
		/* The mapping outlives the fd, and keeps the vCPU, until the end. */
		return;
	}
	pthread_rwlock_wrlock(&run_pages);
	op_begin("munmap run page %p", (void *)e.run);
	op_end(munmap(e.run, PAGE) < 0 ? -errno : 0);
	pthread_rwlock_unlock(&run_pages);
}

static void op_dup(void)
{
	enum kind kind;
	int fd = pick_fd(K_FREE, &kind), nfd;

	op_begin("dup(%d %s)", fd, kind_names[kind]);
	nfd = dup(fd);
	op_end(nfd < 0 ? -errno : nfd);
	if (nfd >= 0)
		pool_add(nfd, kind == K_CLOSED ? K_OTHER : kind, NULL);	/* a vCPU dup: no run page */
}


/* mmap of any fd with odd offsets, sizes and protections; touch what says it is readable. */
static void op_mmap(void)
{
	static const size_t sizes[] = { PAGE, 0, 1, 2 * PAGE, CHUNK };
	static const off_t offs[] = { 0, 0, 1, (off_t)PAGE, (off_t)(1ULL << 40), -(off_t)PAGE };
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_EXEC, PROT_WRITE };
	enum kind kind;
	int fd = pick_fd(K_VCPU, &kind);
	size_t size = sizes[below(5)];
	off_t off = offs[below(6)];
	int prot = prots[below(5)], flags = chance(80) ? MAP_SHARED : MAP_PRIVATE;
	uint8_t *p;

	atomic_fetch_add(&sh->count[C_MMAP_RUN], 1);
	op_begin("mmap(%d %s, size %zu, prot %d, %s, off %#llx)", fd, kind_names[kind], size,
		 prot, flags == MAP_SHARED ? "shared" : "private", (long long)off);
	p = mmap(NULL, size, prot, flags, fd, off);
	op_end(p == MAP_FAILED ? -errno : 0);
	if (p == MAP_FAILED)
		return;
	if (prot & PROT_READ) {
		volatile uint8_t sink;

		op_begin("read the mapping");
		touching = 1;
		if (!sigsetjmp(touch_jmp, 1))
			sink = p[0];
		else if (kind == K_VCPU && off == 0)
			fail("reading the first byte of a vCPU's run page mapping faulted");
		touching = 0;
		(void)sink;
		op_end(0);
	}
	munmap(p, size);
}

/* fork: the child uses what it inherited (every call must be refused or work), then exits. */
static void op_fork(void)
{
	struct ent copy[POOL];
	int status, i;
	pid_t pid;

	pthread_mutex_lock(&pool_lock);
	memcpy(copy, pool, sizeof(copy));
	pthread_mutex_unlock(&pool_lock);
	atomic_fetch_add(&sh->count[C_FORK], 1);
	op_begin("fork");
	pid = fork();
	if (pid == 0) {
		/* One thread now: no locks (another thread may have held one at fork). */
		my_slot = CHILD_SLOT;
		have_timer = 0;		/* timers are not inherited */
		for (i = 0; i < 16; i++) {
			struct ent *e = &copy[below(POOL)];
			uint8_t buf[512] __attribute__((aligned(16)));
			unsigned long cmd = all_ioctls[below(NR_IOCTLS)];
			long ret;

			if (e->kind == K_FREE)
				continue;
			if (e->kind == K_VCPU && chance(50)) {
				arm_timer();
				do_ioctl(e->fd, e->kind, MINIVM_RUN, NULL);
				disarm_timer();
				continue;
			}
			fill_random(buf, sizeof(buf));
			ret = do_ioctl(e->fd, e->kind, cmd, buf);
			if (ret > 0 && (cmd == MINIVM_CREATE_VM || cmd == MINIVM_CREATE_VCPU))
				close((int)ret);
		}
		_exit(0);
	}
	op_end(pid < 0 ? -errno : pid);
	if (pid < 0)
		return;
	op_begin("waitpid(%d)", pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	op_end(0);
	if (WIFSIGNALED(status))
		fail("forked child died of signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status))
		_exit(WEXITSTATUS(status));	/* the child said why in sh->failure */
}

/* --- the worker -------------------------------------------------------- */

struct op {
	void (*fn)(void);
	unsigned int weight;
};

static const struct op ops[] = {
	{ op_open, 2 }, { op_create_vm, 3 }, { op_create_vcpu, 4 }, { op_set_region, 5 },
	{ op_memory, 6 }, { op_regs, 3 }, { op_sregs, 4 }, { op_msrs, 3 }, { op_events, 3 }, { op_apic, 2 }, { op_ports, 1 }, { op_run, 8 },
	{ op_random_ioctl, 5 }, { op_close, 3 }, { op_dup, 1 }, { op_mmap, 2 }, { op_fork, 1 },
};
#define NR_OPS (sizeof(ops) / sizeof(ops[0]))

static uint64_t seed, deadline_ns;
static unsigned int nr_threads = 3;
static pthread_t threads[MAX_THREADS];
static _Atomic int stop;

static void on_sigusr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&sh->count[C_SIGNAL], 1);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (touching)
		siglongjmp(touch_jmp, 1);
	snprintf(sh->failure, sizeof(sh->failure), "%s %d got signal %d (address %p) in: %s",
		 my_slot == CHILD_SLOT ? "forked child" : "thread", my_slot, sig, si->si_addr,
		 sh->slot[my_slot].op);
	_exit(4);
}

static void *worker_thread(void *arg)
{
	unsigned int total = 0, i;
	uint64_t x;

	my_slot = (int)(uintptr_t)arg;
	rng_state = seed * 1000003ULL + (uint64_t)my_slot;
	for (i = 0; i < NR_OPS; i++)
		total += ops[i].weight;
	while (!atomic_load(&stop) && now_ns() < deadline_ns) {
		x = below(total);
		for (i = 0; i < NR_OPS && x >= ops[i].weight; i++)
			x -= ops[i].weight;
		ops[i].fn();
	}
	disarm_timer();
	return NULL;
}

static void worker(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART: calls see EINTR */
	pthread_rwlockattr_t attr;
	uint64_t v;
	unsigned int i;
	int fd;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&run_pages, &attr);

	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (mmap(ARENA, NR_CHUNKS * CHUNK, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != ARENA)
		fail("cannot map the guest memory arena at %p: %s", (void *)ARENA, strerror(errno));
	for (i = 0; i < NR_CHUNKS; i++)
		chunk_prot[i] = PROT_READ | PROT_WRITE;
	rng_state = seed;
	for (i = 0; i < NR_CHUNKS; i++)
		fill_guest(chunk_addr(i), PAGE);
	guard = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + PAGE, PAGE, PROT_NONE))
		fail("guard pages: %s", strerror(errno));

	fd = minivm_open();
	if (fd < 0)
		fail("cannot open %s: %s", MINIVM_DEVICE, strerror(-fd));
	if (!minivm_check_cap(fd, MINIVM_CAP_MAX_VCPUS, &v))
		max_vcpus = (uint32_t)v;
	if (!minivm_check_cap(fd, MINIVM_CAP_MAX_MEMORY_REGIONS, &v))
		max_regions = (uint32_t)v;
	pool_add(fd, K_SYS, NULL);
	fd = open("/dev/null", O_RDWR);
	pool_add(fd, K_OTHER, NULL);

	for (i = 0; i < nr_threads; i++)
		if (pthread_create(&threads[i], NULL, worker_thread, (void *)(uintptr_t)i))
			fail("pthread_create");
	/* This thread sends signals that interrupt whatever call a thread is in. */
	rng_state = seed ^ 0x5151;
	while (now_ns() < deadline_ns) {
		struct timespec ts = { .tv_nsec = (long)(below(20) + 1) * 1000000L };

		nanosleep(&ts, NULL);
		pthread_kill(threads[below(nr_threads)], SIGUSR1);
	}
	for (i = 0; i < nr_threads; i++)
		pthread_join(threads[i], NULL);
	/* Random close order for what is left, then everything goes with the process. */
	rng_state = seed ^ 0xc105e;
	my_slot = 0;
	while ((i = (unsigned int)pick(K_FREE)) != (unsigned int)-1) {
		op_begin("close(%d %s) at the end", pool[i].fd, kind_names[pool[i].kind]);
		op_end(pool[i].kind == K_CLOSED ? 0 : close(pool[i].fd));
		pool[i].kind = K_FREE;
	}
	_exit(0);
}

/* --- the supervisor ---------------------------------------------------- */

static void print_log(void)
{
	uint64_t end = atomic_load(&sh->log_next), i;

	printf("# the last operations, oldest first:\n");
	for (i = end > LOG_LINES ? end - LOG_LINES : 0; i < end; i++)
		printf("#   %s\n", sh->log[i % LOG_LINES]);
}

/* Every minivm object must be gone once the worker is; 0 if so (or no debugfs). */
static int objects_left(char *buf, size_t len)
{
	int tries, left = 0;

	for (tries = 0; tries < 50; tries++) {
		FILE *f = fopen("/sys/kernel/debug/minivm/objects", "r");
		char name[32];
		long v;
		size_t n = 0;

		if (!f)
			return 0;
		left = 0;
		buf[0] = 0;
		while (fscanf(f, "%31s %ld", name, &v) == 2) {
			left |= v != 0;
			n += (size_t)snprintf(buf + n, len - n, "%s %ld ", name, v);
			if (n >= len)
				n = len - 1;
		}
		fclose(f);
		if (!left)
			return 0;
		usleep(100000);
	}
	return left;
}

static void usage(void)
{
	fprintf(stderr, "usage: minivm-fuzz [--seed N] [--seconds S] [--threads T] [--watchdog S] [--trace]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int seconds = 30, watchdog = 5, i;
	uint64_t start, last_progress, stuck_ns = 0;
	int status = 0, ok = 1, stuck = -1, reaped = 0;
	char objects[256];
	pid_t pid;

	seed = (uint64_t)time(NULL);
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--trace")) {
			trace_ops = 1;
			continue;
		}
		if (i + 1 >= (unsigned int)argc)
			usage();
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			nr_threads = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--watchdog"))
			watchdog = (unsigned int)strtoul(argv[++i], NULL, 0);
		else
			usage();
	}
	if (!nr_threads || nr_threads > MAX_THREADS || !seconds || !watchdog)
		usage();
	qemu_lme_quirk = lab_emulator_is_qemu();

	if (trace_ops) {
		trace_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		if (trace_fd < 0)
			trace_fd = 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	printf("KTAP version 1\n1..1\n");
	printf("# minivm-fuzz --seed %" PRIu64 " --seconds %u --threads %u --watchdog %u\n",
	       seed, seconds, nr_threads, watchdog);
	if (qemu_lme_quirk)
		printf("# QEMU's lab: EFER.LME with paging off gets CR4.PAE, guest code no MOV to DRn (emulator limits)\n");
	fflush(stdout);

	start = now_ns();
	last_progress = start;
	deadline_ns = start + (uint64_t)seconds * 1000000000ULL;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		worker();

	/* Watch every call in flight; none may take longer than the watchdog allows. */
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		uint64_t now = now_ns();

		/* A long run says how far it got every 5 minutes (of the guest's time). */
		if (seconds > 600 && now - last_progress >= 300 * 1000000000ULL) {
			last_progress = now;
			printf("# progress: %.0f s, %" PRIu64 " operations, %" PRIu64 " runs\n",
			       (double)(now - start) / 1e9, atomic_load(&sh->count[C_OPS]),
			       atomic_load(&sh->count[C_RUN]));
			fflush(stdout);
		}

		if (done == pid) {
			reaped = 1;
			break;
		}
		for (i = 0; i < NR_SLOTS && stuck < 0; i++) {
			uint64_t t = atomic_load(&sh->slot[i].start_ns);

			if (t && now > t && now - t > (uint64_t)watchdog * 1000000000ULL) {
				stuck = (int)i;
				stuck_ns = now - t;
			}
		}
		if (stuck >= 0)
			break;
		if (now - start > ((uint64_t)seconds + 60) * 1000000000ULL) {
			snprintf(sh->failure, sizeof(sh->failure),
				 "the worker did not finish 60 s after its time");
			break;
		}
		usleep(100000);
	}
	if (stuck >= 0 || sh->failure[0]) {
		ok = 0;
		if (stuck >= 0)
			printf("# watchdog: a call has not returned after %.1f s: %s\n",
			       (double)stuck_ns / 1e9, sh->slot[stuck].op);
		else
			printf("# %s\n", sh->failure);
		if (!reaped)
			kill(pid, SIGKILL);
		for (i = 0; !reaped && i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
			usleep(100000);
		if (!reaped && i == 100)
			printf("# the worker did not die of SIGKILL within 10 s: a task stuck in the kernel\n");
	} else if (WIFSIGNALED(status)) {
		ok = 0;
		printf("# the worker died of signal %d\n", WTERMSIG(status));
	} else if (WEXITSTATUS(status)) {
		ok = 0;
		printf("# %s\n", sh->failure[0] ? sh->failure : "the worker failed");
	}
	if (objects_left(objects, sizeof(objects))) {
		printf("# minivm objects left after every fd closed: %s\n", objects);
		ok = 0;
	}
	printf("# %.0f s,", (double)(now_ns() - start) / 1e9);
	for (i = 0; i < C_NR; i++)
		printf(" %s %" PRIu64 "%s", counter_names[i], atomic_load(&sh->count[i]),
		       i + 1 < C_NR ? "," : "\n");
	printf("# run exits:");
	for (i = 1; i < NR_RUN_EXITS; i++)
		printf(" %s %" PRIu64, minivm_exit_reason_name(i), atomic_load(&sh->exits[i]));
	printf("\n");
	for (i = 0; i < 16 && atomic_load(&sh->hw_seen[i][0]); i++) {
		uint64_t key = atomic_load(&sh->hw_seen[i][0]) - 1;

		printf("# %s hw_reason %#" PRIx64 ": %" PRIu64 "\n",
		       minivm_exit_reason_name(key >> 32), key & 0xffffffff,
		       atomic_load(&sh->hw_seen[i][1]));
	}
	if (!ok) {
		print_log();
		printf("# replay: minivm-fuzz --seed %" PRIu64 " --threads 1 --seconds %u\n", seed,
		       seconds);
	}
	printf("%s 1 fuzz_seed_%" PRIu64 "\n", ok ? "ok" : "not ok", seed);
	return ok ? 0 : 1;
}
