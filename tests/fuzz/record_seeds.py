#!/usr/bin/env python3
"""Records what the wire fixtures send and stores it as seeds of the two
client-side fuzz targets, in the input format each one reads:
  corpus/fuzz_http2_session/wire_<behaviour>: byte 0 = 0x08 (one GET
    stream, a FIN after the bytes), byte 1 = 0xff (reads of 256 bytes), then the
    bytes an h2_wire_fixture sent a client whose only request was a GET
    (what came within 300 ms, at most 4094 bytes: scripts/fuzz's -max_len).
  corpus/fuzz_tls_layer/wire_<behaviour>: byte 0 = 0xf8 (mode 0, a FIN, reads
    of 32 KiB), then a tls_wire_fixture's raw answer to a ClientHello
    (Python's ssl module made it; the fuzz target's own hello differs, so a
    ServerHello is read as any server's would be).
  tests/fuzz/record_seeds.py BUILD_DIR     (the folder holding tests/h2_wire_fixture)"""

import os
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_LEN = 4096
H2_BEHAVIOURS = ["complete_keepalive", "rst_mid_data", "goaway_below_ours", "idle_goaway_then_fin_300ms",
                 "window_update_overflow", "data_beyond_content_length", "push_promise_despite_disabled",
                 "rst_stream_zero", "frame_over_max_size", "data_on_unopened_stream", "continuation_flood",
                 "hpack_bomb", "settings_flood", "ping_flood", "endless_data"]
TLS_BEHAVIOURS = ["close_notify_then_fin", "alert_handshake_failure", "alert_unrecognized_name",
                  "garbage_after_server_hello", "unknown_alert"]

# The client preface, an empty SETTINGS, and HEADERS (END_STREAM, END_HEADERS)
# on stream 1: :method GET, :scheme http, :path / from HPACK's static table,
# :authority "a" as a literal.
H2_GET = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00" +
          b"\x00\x00\x06\x01\x05\x00\x00\x00\x01" + b"\x82\x86\x84\x01\x01a")


def start(executable, behaviour, *options):
    fixture = subprocess.Popen([executable, behaviour, *options], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    return fixture, int(fixture.stdout.readline())


def read_for(sock, seconds, limit):
    data = b""
    deadline = time.monotonic() + seconds
    while len(data) < limit and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(limit - len(data))
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def h2_answer(port):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(H2_GET)
        return read_for(sock, 0.3, MAX_LEN - 2)


def tls_answer(port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(outgoing.read())
        return read_for(sock, 0.3, MAX_LEN - 1)


def record(executable, behaviours, answer, prefix, corpus):
    os.makedirs(corpus, exist_ok=True)
    for behaviour in behaviours:
        fixture, port = start(executable, behaviour)
        try:
            data = answer(port)
        finally:
            fixture.stdin.close()
            fixture.wait(timeout=10)
        with open(os.path.join(corpus, "wire_" + behaviour), "wb") as seed:
            seed.write(prefix + data)
        print(f"{os.path.basename(corpus)}/wire_{behaviour}: {len(data)} bytes")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build")
    record(os.path.join(build, "tests", "h2_wire_fixture"), H2_BEHAVIOURS, h2_answer, b"\x08\xff",
           os.path.join(HERE, "corpus", "fuzz_http2_session"))
    record(os.path.join(build, "tests", "tls_wire_fixture"), TLS_BEHAVIOURS, tls_answer, b"\xf8",
           os.path.join(HERE, "corpus", "fuzz_tls_layer"))


if __name__ == "__main__":
    main()
