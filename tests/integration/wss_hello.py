"""A WebSocket client over TLS, standard library only: connects to 127.0.0.1:<port> trusting
only <cafile>, upgrades /ws/admin/quotas with `Authorization: Bearer <key>`, and prints the
status line of the answer and then the first text message the server sends.

Usage: python3 wss_hello.py <port> <cafile> <key>
"""

import base64
import os
import socket
import ssl
import struct
import sys


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def main():
    port, cafile, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = ssl.create_default_context(cafile=cafile)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
    nonce = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /ws/admin/quotas HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {nonce}\r\nAuthorization: Bearer {key}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += read_exact(sock, 1)
    print(head.split(b"\r\n", 1)[0].decode())
    # One unmasked server frame: FIN + opcode, then a 7-bit, 16-bit or 64-bit length.
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", read_exact(sock, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", read_exact(sock, 8))
    if first & 0x0F != 1:
        raise ValueError(f"not a text frame: opcode {first & 0x0F}")
    print(read_exact(sock, length).decode())


if __name__ == "__main__":
    main()
