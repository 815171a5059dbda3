"""The bench's load generator: a small asyncio HTTP/1.1 client in a process of its own, told
what to send by JSON lines on its standard input, answering with a JSON line each.

Each of ``concurrency`` connections is kept alive and sends its requests one after the
other, as a browser or a calendar does. Nothing here knows the application: the harness
(agmtool.bench.harness) says what to request and reads what came back.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time

HEADER_END = b"\r\n\r\n"


class Connection:
    """One keep-alive connection to 127.0.0.1:``port``, opened again when the server
    closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookie: str | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", self.port, limit=1 << 20)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, spec: dict, first_byte: bool = False) -> dict:
        """Send ``spec`` (method, path, headers, body) and read the whole answer."""
        for attempt in (1, 2):
            if self.writer is None:
                await self.open()
            started = time.perf_counter()
            self.writer.write(encode(spec, self.port, self.cookie))
            try:
                return await self.read(started, first_byte)
            except (asyncio.IncompleteReadError, ConnectionError):
                # The server closed a kept-alive connection: open another and send again.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def read(self, started: float, first_byte: bool) -> dict:
        head = await self.reader.readuntil(HEADER_END)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        cookies = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
                if name.strip().lower() == "set-cookie":
                    cookies.append(value.strip().split(";", 1)[0])
        first = None
        if status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if first_byte and length:
                start = await self.reader.readexactly(1)
                first = time.perf_counter()
                body = start + await self.reader.readexactly(length - 1)
            else:
                body = await self.reader.readexactly(length)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")  # no trailers are sent
                    break
                parts.append(await self.reader.readexactly(size))
                if first is None:
                    first = time.perf_counter()
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            self.close()
        done = time.perf_counter()
        if headers.get("connection", "").lower() == "close":
            self.close()
        if cookies:
            self.cookie = "; ".join(cookies)
        return {"status": status, "headers": headers, "body": body,
                "ms": (done - started) * 1000,
                "first_byte_ms": ((first or done) - started) * 1000}


def encode(spec: dict, port: int, cookie: str | None) -> bytes:
    body = spec.get("body", "").encode()
    headers = {"Host": f"127.0.0.1:{port}", **spec.get("headers", {})}
    if cookie and "Cookie" not in headers and spec.get("keep_cookie", True):
        headers["Cookie"] = cookie
    if body or spec.get("method", "GET") == "POST":
        headers["Content-Length"] = str(len(body))
    lines = [f"{spec.get('method', 'GET')} {spec['path']} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def run(port: int, requests: list[dict], count: int, concurrency: int,
              capture: str | None = None, fields: list[str] | None = None,
              fresh: bool = False) -> dict:
    """Send ``count`` requests from ``concurrency`` clients at once, taking ``requests`` in
    turn (each once when ``count`` is their number). A client keeps its connection alive,
    or with ``fresh`` opens one per request, as people who send a form minutes after they
    opened it do. Returns the time taken, each request's status and time, and what
    ``capture`` (a pattern) or ``fields`` (hidden inputs, with the connection's cookie)
    found in each answer."""
    pattern = re.compile(capture.encode()) if capture else None
    inputs = {name: re.compile(
        rb'name="' + name.encode() + rb'"[^>]*value="([^"]*)"') for name in fields or []}
    results: list[dict | None] = [None] * count
    position = 0

    async def worker() -> None:
        nonlocal position
        connection = Connection(port)
        try:
            while position < count:
                index = position
                position += 1
                request = requests[index % len(requests)]
                if fresh:
                    connection.close()
                if not request.get("keep_cookie", True):
                    connection.cookie = None  # a new browser, with no cookie yet
                try:
                    answer = await connection.send(request)
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    connection.close()
                    results[index] = {"status": 0, "ms": 0.0, "bytes": 0,
                                      "error": type(error).__name__}
                    continue
                found: dict = {"status": answer["status"], "ms": answer["ms"],
                               "bytes": len(answer["body"])}
                if pattern is not None:
                    match = pattern.search(answer["body"])
                    found["capture"] = (match.group(match.re.groups and 1).decode()
                                        if match else None)
                if inputs:
                    found["fields"] = {name: _unescape(match.group(1).decode())
                                       for name, regex in inputs.items()
                                       if (match := regex.search(answer["body"]))}
                    found["fields"]["cookie"] = connection.cookie
                results[index] = found
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, count))))
    return {"seconds": time.perf_counter() - started, "results": results}


def _unescape(value: str) -> str:
    return (value.replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')
            .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


async def first_byte(port: int, request: dict) -> dict:
    """One request on a new connection: the time to its first byte of body, and in all."""
    connection = Connection(port)
    try:
        answer = await connection.send(request, first_byte=True)
    finally:
        connection.close()
    return {"status": answer["status"], "ms": answer["ms"],
            "first_byte_ms": answer["first_byte_ms"], "bytes": len(answer["body"])}


def main() -> None:
    for line in sys.stdin:
        command = json.loads(line)
        operation = command.pop("op")
        if operation == "run":
            answer = asyncio.run(run(**command))
        elif operation == "first_byte":
            answer = asyncio.run(first_byte(**command))
        else:
            answer = {"error": f"unknown operation {operation}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
