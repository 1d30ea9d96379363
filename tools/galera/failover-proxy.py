#!/usr/bin/env python3
"""A minimal TCP failover proxy, used by tools/galera-check.sh.

    python3 tools/galera/failover-proxy.py LISTEN BACKEND [BACKEND ...]

LISTEN and each BACKEND are HOST:PORT. Every client connection is joined to
the first backend, in the order given, that accepts a TCP connection within
one second; the bytes are copied both ways until either side closes, then
both are closed. Nothing is inspected: a backend that accepts connections
but is not ready (a Galera node still joining answers error 1047) is used
anyway. A production balancer should health-check the node's
wsrep_local_state instead (HAProxy with a clustercheck script, MaxScale's
galeramon, ProxySQL's Galera host groups). One line is printed to stdout
when the backend chosen for new connections changes.
"""

import asyncio
import sys
import time


def addr(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


LISTEN = addr(sys.argv[1])
BACKENDS = [addr(a) for a in sys.argv[2:]]
current = None


def note(msg):
    now = time.time()
    print(f"{time.strftime('%H:%M:%S', time.localtime(now))}.{int(now * 1000) % 1000:03d} {msg}", flush=True)


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    global current
    for backend in BACKENDS:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(*backend), 1.0)
        except (OSError, asyncio.TimeoutError):
            continue
        if backend != current:
            note(f"new connections go to {backend[0]}:{backend[1]}")
            current = backend
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))
        return
    if current is not None:
        note("no backend accepts connections")
        current = None
    client_writer.close()


async def main():
    server = await asyncio.start_server(handle, *LISTEN)
    note(f"listening on {LISTEN[0]}:{LISTEN[1]}")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    asyncio.run(main())
