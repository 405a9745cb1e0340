"""A PostgreSQL server on 127.0.0.1 that refuses every login as a wrong password does (28P01):
the bot's start must say so in one line and exit, not retry or print a traceback."""

from __future__ import annotations

import asyncio
import struct


def _error(code: str, message: str) -> bytes:
    fields = b"".join(kind + value.encode() + b"\0" for kind, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message)))
    body = fields + b"\0"
    return b"E" + struct.pack("!I", len(body) + 4) + body


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            length = struct.unpack("!I", await reader.readexactly(4))[0]
            packet = await reader.readexactly(length - 4)
            if struct.unpack("!I", packet[:4])[0] == 80877103:  # SSLRequest: no TLS here
                writer.write(b"N")
                await writer.drain()
                continue
            writer.write(_error("28P01", 'password authentication failed for user "bot"'))
            await writer.drain()
            return
    except (asyncio.IncompleteReadError, ConnectionError):
        return
    finally:
        writer.close()


async def refusing_server() -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1])
