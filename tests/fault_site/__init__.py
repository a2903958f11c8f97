"""The fault-injecting site, started the way tests use it: a subprocess on 127.0.0.1 that counts its hits."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

SERVER = Path(__file__).resolve().with_name("server.py")


def start_fault_site(*options: str) -> tuple[subprocess.Popen, str]:
    """Start server.py on a free port with the given options; return the process and the base URL."""
    process = subprocess.Popen([sys.executable, str(SERVER), "--port", "0", *options], stdout=subprocess.PIPE,
                               text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("Serving fault site on "), line
    process.stdout.readline()  # "Elsewhere on …"
    return process, line.rsplit(" ", 1)[-1].rstrip("/")


def hits(base_url: str) -> dict[str, dict[str, int]]:
    """{"site": {path: requests}, "elsewhere": {path: requests}} as the server counted them."""
    with urllib.request.urlopen(f"{base_url}/_faults/hits", timeout=10) as response:
        return json.load(response)
