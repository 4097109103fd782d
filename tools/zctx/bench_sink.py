#!/usr/bin/env python3
"""TCP sink of make bench's real-NIC mode (tools/zctx/bench-lib.sh).

  bench_sink.py ADDR PORT

Runs on the host, inside the network namespace made for the run: accepts
connections from the guest's virtio-net NIC, reads each stream to its end,
checks the stream pattern of tools/zctx/guest/zctx_send.c (the byte at
every offset that is a multiple of 251 is 1), closes (so the sender sees
the FIN) and prints "sink: bytes=N csum_errors=N" per connection.
"""
import socket
import sys
import threading

PERIOD = 251


def serve(conn):
    off = err = 0
    with conn:
        while True:
            data = conn.recv(1 << 20)
            if not data:
                break
            seg = data[(-off) % PERIOD::PERIOD]
            err += len(seg) - seg.count(1)
            off += len(data)
    print(f"sink: bytes={off} csum_errors={err}", flush=True)


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
