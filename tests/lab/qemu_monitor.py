"""A client for QEMU's human monitor on a unix socket, shared by the lab's
helpers (qemu-wake, qemu-stall-report): connect, send a command, read what it
printed up to the next "(qemu) " prompt, with the console's \\r removed.
"""
import socket


class Monitor:
    PROMPT = b"(qemu) "

    def __init__(self, path, timeout=5):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
            self._prompt()	# the greeting
        except OSError:
            self.sock.close()
            raise

    def _prompt(self):
        out = b""
        while not out.endswith(self.PROMPT):
            d = self.sock.recv(65536)
            if not d:
                raise OSError("the monitor closed")
            out += d
        return out[:-len(self.PROMPT)].decode(errors="replace").replace("\r", "")

    def command(self, c):
        """What the monitor printed for command c (its echo first)."""
        self.sock.sendall(c.encode() + b"\n")
        return self._prompt()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()
