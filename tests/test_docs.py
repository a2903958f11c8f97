"""Docs that cannot drift: the README and docs/ against the real `hajar` CLI, the Makefile, the files and imports.

- every `hajar` command and option the README or docs/ name exists in `hajar --help` / `hajar CMD --help`
  (the real CLI, run as a subprocess), and every command is in the README's commands table;
- every `make` target they name is in the Makefile, every repository path and link they name exists;
- the generated tables (cog blocks) are what `make docs` would write today;
- every module sits in one room of docs/architecture.md and imports only what its room may.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_MAX_BYTES = 10_240  # issue 16: a README for users, at most ~10 KB; the rest goes to docs/

_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_SPAN = re.compile(r"`([^`\n]+)`")
_COMMAND = re.compile(r"(?:^|[\s/])hajar ([a-z][a-z-]*)(.*)")
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
_CHOICES = re.compile(r"(--?[A-Za-z][\w-]*)[ =]\[?([a-z0-9]+(?:\\?\|[a-z0-9]+)+)")
_MAKE = re.compile(r"(?:^|[\s`(])make ([a-z][\w-]*)")
_PATH = re.compile(r"(?<![\w./-])((?:hajar_scraper|bench|tests|docs|deploy|archive)/[^\s`'\"),;:|\]]*)")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the real CLI ---------------------------------------------------------------------------------

def _run_help(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", *args, "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"`hajar {' '.join(args)} --help` failed:\n{result.stderr}"
    return result.stdout


def _section(help_text: str, title: str) -> list[str]:
    """The indented lines under `Title:` in click's help, up to the next unindented line."""
    lines = help_text.splitlines()
    if f"{title}:" not in lines:
        return []
    section = []
    for line in lines[lines.index(f"{title}:") + 1:]:
        if line and not line.startswith(" "):
            break
        section.append(line)
    return section


@cache
def commands() -> dict[str, str]:
    """`hajar --help`'s commands, each with its short help."""
    found = {}
    for line in _section(_run_help(), "Commands"):
        match = re.match(r"^  ([a-z][\w-]*)(?:\s+(.*))?$", line)
        if match:
            found[match[1]] = match[2] or ""
    assert found, "`hajar --help` lists no commands"
    return found


@cache
def options(command: str) -> dict[str, set[str]]:
    """`hajar COMMAND --help`'s options, each with its choices (`--format [jsonl|csv|warc]`)."""
    found: dict[str, set[str]] = {}
    for line in _section(_run_help(command), "Options"):
        if not re.match(r"^  -", line):  # a wrapped description, not an option
            continue
        names = re.split(r"\s{2,}", line.strip())[0]
        choices = re.search(r"\[([\w|]+)\]", names)
        for name in _OPTION.findall(names):
            found[name] = set(choices[1].split("|")) if choices else set()
    return found


@cache
def all_options() -> set[str]:
    return {name for command in commands() for name in options(command)}


# --- what the pages name --------------------------------------------------------------------------

def _code(text: str) -> list[str]:
    """Code as it appears: each line of a fenced block (its `# comment` cut) and each inline span."""
    pieces = []
    for block in _FENCE.findall(text):
        pieces += [re.sub(r"\s#.*$", "", line) for line in block.splitlines()[1:-1]]
    pieces += _SPAN.findall(_FENCE.sub("", text))
    return pieces


def _named(page: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(command, rest of its line, the code piece) for each `hajar CMD …`, and options named on their own."""
    invocations, alone = [], []
    for piece in _code(page.read_text(encoding="utf-8")):
        match = _COMMAND.search(piece)
        if match:
            invocations.append((match[1], match[2], piece))
        elif piece.startswith("-"):
            alone += _OPTION.findall(piece.split()[0])
    return invocations, alone


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_every_hajar_command_and_option_named_exists(page):
    invocations, _ = _named(page)
    for command, rest, piece in invocations:
        assert command in commands(), f"{_rel(page)} names `hajar {command}` ({piece!r}); `hajar --help` has " \
                                      f"{', '.join(commands())}"
        known = options(command)
        for name in _OPTION.findall(rest):
            assert name in known, f"{_rel(page)}: `hajar {command}` has no option {name} ({piece!r}); " \
                                  f"`hajar {command} --help` has {', '.join(sorted(known))}"
        for name, values in _CHOICES.findall(rest):
            listed = set(values.replace("\\", "").split("|"))
            assert listed <= known.get(name, set()), \
                f"{_rel(page)}: `hajar {command} {name}` takes {sorted(known.get(name, ()))}, not {sorted(listed)}"


def test_every_option_the_readme_names_alone_is_a_hajar_option():
    _, alone = _named(README)
    assert alone, "the README names no option on its own: is the parsing of code spans broken?"
    missing = sorted(set(alone) - all_options())
    assert not missing, f"README.md names {missing}, which no `hajar` command has"


def test_every_command_has_help_and_a_row_in_the_readme_table():
    readme = README.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `hajar ([a-z][\w-]*)", readme, re.M))
    for command, short_help in commands().items():
        assert short_help.strip(), f"`hajar {command}` has no help text"
        assert command in rows, f"`hajar {command}` has no row in the README's commands table"
    assert rows <= set(commands()), f"the README's table lists {sorted(rows - set(commands()))}, unknown to hajar"


def test_readme_is_short_and_names_the_two_setup_commands():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size:,} bytes (at most {README_MAX_BYTES:,}): move detail to docs/"
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


@cache
def make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_every_make_target_named_exists(page):
    for piece in _code(page.read_text(encoding="utf-8")):
        for target in _MAKE.findall(piece):
            assert target in make_targets(), f"{_rel(page)} names `make {target}`; the Makefile has " \
                                             f"{', '.join(sorted(make_targets()))}"


def _generated(path: str) -> bool:
    """Patterns and files a run makes: `tests/fixtures/<site>/`, `archive/SITE.db`, `archive/warc/…`."""
    return (any(mark in path for mark in ("<", "*", "…", "PATH", "SITE", "{"))
            or path.endswith((".db", ".lock", ".log")) or path.startswith("archive/warc"))


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_every_repository_path_named_exists(page):
    text = page.read_text(encoding="utf-8")
    for path in sorted({p.rstrip(".") for p in _PATH.findall(text)}):
        if not _generated(path):
            assert (ROOT / path).exists(), f"{_rel(page)} names {path}, which is not in the repository"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", _FENCE.sub("", page.read_text(encoding="utf-8")), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_every_relative_link_resolves(page):
    for link in _LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{_rel(page)} links to {link}, which does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{_rel(page)} links to {link}: no such heading in {path.name}"


# --- generated tables -----------------------------------------------------------------------------

COGGED = [page for page in PAGES if "[[[cog" in page.read_text(encoding="utf-8")]


def test_there_is_a_generated_table():
    assert ROOT / "docs" / "adding-an-outlet.md" in COGGED


@pytest.mark.parametrize("page", COGGED, ids=_rel)
def test_generated_tables_are_current(page):
    """The committed output of each cog block equals what `make docs` would write now."""
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", "--diff", _rel(page)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"{_rel(page)} holds a stale generated table (the parsers or fixtures changed): run `make docs` "
        f"and commit the result.\n{result.stdout}{result.stderr}")


# --- rooms and walls ------------------------------------------------------------------------------

ARCHITECTURE = ROOT / "docs" / "architecture.md"


@cache
def rooms() -> dict[str, dict]:
    """docs/architecture.md's rooms table: {room: {modules, may, never}}."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text[text.index("| room | modules |"):].split("\n\n", 1)[0].splitlines()[2:]
    found = {}
    for row in table:
        room, modules, _owns, may, never = [cell.strip() for cell in row.strip().strip("|").split("|")]
        found[room] = {"modules": _SPAN.findall(modules),
                       "may": {m.strip() for m in may.split(",")} - {"nothing", ""},
                       "never": set(_SPAN.findall(never))}
    assert found, "no rooms table in docs/architecture.md"
    return found


def _files(entry: str) -> list[Path]:
    """A table entry as files: `record.py` and `parsers/` under hajar_scraper/, else from the root."""
    path = ROOT / "hajar_scraper" / entry
    if not path.exists():
        path = ROOT / entry
    assert path.exists(), f"docs/architecture.md names {entry}, which does not exist"
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@cache
def room_of_file() -> dict[Path, str]:
    found: dict[Path, str] = {}
    for room, spec in rooms().items():
        for entry in spec["modules"]:
            for path in _files(entry):
                assert path not in found, f"{_rel(path)} is in two rooms: {found[path]} and {room}"
                found[path] = room
    return found


def _module_file(name: str) -> Path | None:
    """The file of `hajar_scraper.a.b`, or of its nearest package or module (`from x import function`)."""
    parts = name.split(".")
    while parts:
        base = ROOT.joinpath(*parts)
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path
        parts.pop()
    return None


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _project_files() -> list[Path]:
    package = [p for p in (ROOT / "hajar_scraper").rglob("*.py") if p != ROOT / "hajar_scraper" / "__init__.py"]
    return sorted(package)


def test_every_module_is_in_a_room():
    placed = room_of_file()
    missing = [_rel(p) for p in _project_files() if p not in placed]
    assert not missing, f"{missing} belong to no room: add them to the rooms table of docs/architecture.md"
    for room, spec in rooms().items():
        unknown = spec["may"] - set(rooms()) - {"any room"}
        assert not unknown, f"room {room} may import {unknown}, which are no rooms"


@pytest.mark.parametrize("path", _project_files(), ids=_rel)
def test_imports_stay_within_the_walls(path):
    room = room_of_file().get(path)
    if room is None:
        pytest.skip("in no room: test_every_module_is_in_a_room fails for it")
    spec = rooms()[room]
    for name in sorted(_imports(path)):
        if name.split(".")[0] == "hajar_scraper":
            target = _module_file(name)
            if target is None or target == ROOT / "hajar_scraper" / "__init__.py":
                continue
            other = room_of_file().get(target)
            assert other == room or other in spec["may"] or "any room" in spec["may"], (
                f"{_rel(path)} ({room}) imports {name} ({other}); docs/architecture.md lets {room} import "
                f"{', '.join(sorted(spec['may'])) or 'nothing of the project'}")
        else:
            banned = {n for n in spec["never"] if name == n or name.startswith(n + ".")}
            assert not banned, f"{_rel(path)} ({room}) imports {name}; docs/architecture.md: {room} never imports it"
