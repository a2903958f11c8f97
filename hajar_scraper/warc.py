"""Raw captures kept as WARC (warcio): every response with its request, so any page can be parsed again."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Scrapy hands over bodies already decompressed and de-chunked; these headers would describe other bytes.
_TRANSFER_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


@dataclass(frozen=True)
class Capture:
    """Where one response record sits: file (relative to the archive's folder), offset, length, digest."""

    warc_file: str
    offset: int
    length: int
    digest: str


class WarcLog:
    """One gzipped WARC file per crawl run, appended record by record (each member seekable on its own)."""

    def __init__(self, root: Path, relative: str, software: str, run_info: dict):
        self.root, self.relative = Path(root), relative
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "ab")
        self._writer = WARCWriter(self._file, gzip=True)
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, {
            "software": software, "format": "WARC File Format 1.1", **{k: str(v) for k, v in run_info.items()}}))
        self._file.flush()

    def write(self, url: str, status: int, headers: dict, body: bytes, fetched_at: str,
              request_headers: dict | None = None) -> Capture:
        """A request record and its response record; returns where the response landed."""
        date = fetched_at.replace("+00:00", "Z")
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Unknown"
        kept = [(k, v) for k, v in headers.items() if k.lower() not in _TRANSFER_HEADERS]
        http = StatusAndHeaders(f"{status} {phrase}", kept + [("Content-Length", str(len(body)))],
                                protocol="HTTP/1.1")
        response = self._writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http,
                                                   warc_headers_dict={"WARC-Date": date})
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_http = StatusAndHeaders(f"GET {target} HTTP/1.1",
                                        [("Host", parts.netloc), *(request_headers or {}).items()],
                                        is_http_request=True)
        request = self._writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request_http,
                                                  warc_headers_dict={"WARC-Date": date})
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        offset = self._file.tell()
        self._writer.write_record(response)
        length = self._file.tell() - offset
        self._writer.write_record(request)
        self._file.flush()
        return Capture(self.relative, offset, length, response.rec_headers.get_header("WARC-Payload-Digest"))

    def close(self) -> None:
        self._file.close()


def read_response(root: Path, warc_file: str, offset: int) -> tuple[int, dict, bytes]:
    """(status, headers, body) of the response record at `offset`."""
    with open(Path(root) / warc_file, "rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        status = int(record.http_headers.get_statuscode())
        return status, dict(record.http_headers.headers), record.content_stream().read()
