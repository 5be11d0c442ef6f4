// SPDX-License-Identifier: GPL-2.0
/*
 * labctl: the guest side of the lab runner's exit protocol.
 *
 *   labctl exit STATUS   end the emulated PC: QEMU's isa-debug-exit (port
 *                        0xf4, QEMU exits with (STATUS << 1) | 1) or Bochs'
 *                        shutdown port (0x8900); the runner reads STATUS
 *                        from the console line the guest /init prints.
 *   labctl insmod FILE [PARAMS]
 *                        load a module with one finit_module() call and print
 *                        the errno on failure (busybox insmod retries with
 *                        init_module(), so the module's init runs twice)
 *   labctl nobody CMD... run CMD as user and group 65534 with no capabilities
 *                        (the tracing tools' "no permission" test)
 *
 * The emulator is named by the labemu= kernel parameter, which the kernel
 * hands to /init as the environment variable "labemu".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static int lab_exit(int status)
{
	const char *emu = getenv("labemu");
	const char *msg = "Shutdown";

	fflush(NULL);
	sync();
	/* The console is an interrupt-driven UART: let it send what is queued. */
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	usleep(100000);
	if (ioperm(0xf4, 4, 1) || ioperm(0x8900, 1, 1)) {
		perror("labctl: ioperm");
		return 1;
	}
	if (emu && !strcmp(emu, "bochs")) {
		while (*msg)
			outb(*msg++, 0x8900);
	} else {
		outb(status & 0xff, 0xf4);
	}
	/* Not reached on either emulator; a bare metal host ends up here. */
	fprintf(stderr, "labctl: emulator did not exit (labemu=%s)\n", emu ? emu : "unset");
	return 1;
}

static int lab_insmod(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "labctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		fprintf(stderr, "labctl: insmod %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int lab_nobody(char **argv)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("labctl: dropping privileges");
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "labctl: %s: %s\n", argv[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "exit"))
		return lab_exit(atoi(argv[2]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "insmod"))
		return lab_insmod(argv[2], argc == 4 ? argv[3] : "");
	if (argc >= 3 && !strcmp(argv[1], "nobody"))
		return lab_nobody(argv + 2);
	fprintf(stderr, "usage: labctl exit STATUS | labctl insmod FILE [PARAMS] | labctl nobody CMD...\n");
	return 2;
}
