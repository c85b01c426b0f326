# SPDX-License-Identifier: MIT
"""Sends a UDP flood at a port: random bytes, malformed STUN and STUN with unknown ufrags.

  flood.py PORT SECONDS     (run as a separate process so the test can measure meanwhile)
Prints how many datagrams it sent.
"""
import os
import socket
import struct
import sys
import time


def stun(username):
    name = username.encode()
    pad = (4 - len(name) % 4) % 4
    attrs = struct.pack("!HH", 0x0006, len(name)) + name + b"\0" * pad
    return struct.pack("!HHI", 0x0001, len(attrs), 0x2112A442) + os.urandom(12) + attrs


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(16)]
    kinds = [lambda: os.urandom(100), lambda: b"\x80\x60" + os.urandom(200), lambda: b"\x16\xfe\xfd" + os.urandom(60),
             lambda: stun("flood%d:x" % (sent % 1000)), lambda: b"\x00\x01\x00\x40" + os.urandom(40)]
    sent = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        for s in socks:
            try:
                s.sendto(kinds[sent % len(kinds)](), ("127.0.0.1", port))
                sent += 1
            except OSError:
                pass
    print(sent)


if __name__ == "__main__":
    main()
