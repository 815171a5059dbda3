"""Reading PDFs back for the tests: poppler's tools and pypdf, and a canary HTTP server."""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader


def poppler(tool: str, data: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          check=True, capture_output=True, text=True).stdout


def page_texts(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, as pdftotext reads it (pages end with a form feed)."""
    return poppler("pdftotext", data, tmp_path).split("\f")[:-1]


def flowing_text(data: bytes, tmp_path: Path) -> str:
    """The whole text on one line: line ends joined, hyphenation at line ends undone."""
    text = poppler("pdftotext", data, tmp_path, "-raw")
    return " ".join(text.replace("-\n", "").replace("\f", "\n").split())


def fonts(data: bytes, tmp_path: Path) -> list[dict]:
    """pdffonts' table as one dict a font."""
    lines = poppler("pdffonts", data, tmp_path).splitlines()[2:]
    return [{"name": line.split()[0], "emb": line.split()[-5]} for line in lines]


def attachments(data: bytes, tmp_path: Path) -> str:
    return poppler("pdfdetach", data, tmp_path, "-list").strip()


def outline_titles(data: bytes) -> list[str]:
    reader = PdfReader(BytesIO(data))

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title
    return list(walk(reader.outline))


def structure(data: bytes) -> list[tuple[str, str | None]]:
    """The structure tree in document order as (role, /Lang), without WeasyPrint's text
    leaves (Span, and the elements of margin boxes, which are not in the tree)."""
    reader = PdfReader(BytesIO(data))
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    out: list[tuple[str, str | None]] = []

    def kids(element):
        k = element.get("/K")
        if k is None:
            return []
        return k if isinstance(k, list) else [k]

    def walk(element):
        for kid in kids(element):
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if not hasattr(kid, "get") or "/S" not in kid:
                continue
            role = kid["/S"][1:]
            if role != "Span":
                lang = kid.get("/Lang")
                out.append((role, None if lang is None else str(lang)))
            walk(kid)

    for document in kids(root):
        walk(document.get_object())
    return out


class Canary:
    """An HTTP server on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def hostile_texts(canary_url: str) -> list[str]:
    """Texts a hostile submitter could type, each aimed at a renderer that does not escape."""
    return [
        '<img src="file:///etc/passwd">',
        f'<img src="{canary_url}/img">',
        f"url({canary_url}/canary)",
        f'<div style="background: url({canary_url}/style)">x</div>',
        f"<style>@import url({canary_url}/import);</style>",
        f"@import url({canary_url}/import2);",
        '<link rel="attachment" href="pdf/pack.css">',
        f'<link rel="stylesheet" href="{canary_url}/sheet.css">',
        '<a rel="attachment" href="fonts/NotoSans-Regular.ttf">fonts</a>',
        "</p></div><h1 class=section-title>Injected</h1>",
        '" lang="x" onload="',
    ]
