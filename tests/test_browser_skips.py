"""Browser tests never skip silently (tests/conftest.py): a pytest run of the browser tests with chromium
made unavailable (HAJAR_CHROMIUM pointing at nothing), as a developer and as CI would run it."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

BROWSER_TESTS = ["tests/test_web_browser.py::test_home_search_and_read_an_article",
                 "tests/test_web_browser.py::test_scraped_html_runs_no_script"]
MISSING = "/nonexistent/chromium"


def run_without_chromium(ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["HAJAR_CHROMIUM"] = MISSING
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_web_browser.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def summary(output: str) -> list[str]:
    """The run's last lines, from the browser tests' banner on."""
    lines = output.splitlines()
    return lines[max(i for i, line in enumerate(lines) if line.startswith("=") and "browser tests" in line):]


def test_without_chromium_the_run_ends_naming_the_skipped_tests_and_the_install_command():
    result = run_without_chromium(None)
    assert result.returncode == 0, result.stdout[-3000:]
    lines = summary(result.stdout)
    assert lines[0].strip("= ") == f"2 browser tests SKIPPED: no chromium at {MISSING}"
    assert lines[1:4] == [f"  {test}" for test in BROWSER_TESTS] + [
        "Install chromium with `bash .ci/install-browser`, then run them again."]
    assert len(lines) == 5 and lines[4].strip("= ").startswith("2 skipped in ")  # then pytest's own last line


def test_in_ci_a_missing_chromium_fails_the_browser_tests():
    result = run_without_chromium("true")
    assert result.returncode == 1, result.stdout[-3000:]
    lines = summary(result.stdout)
    assert lines[0].strip("= ") == f"2 browser tests FAILED (CI is set): no chromium at {MISSING}"
    assert lines[1:3] == [f"  {test}" for test in BROWSER_TESTS]
    assert len(lines) == 5 and lines[4].strip("= ").startswith("2 errors in ")  # they fail in their setup
    assert (f"ERROR {BROWSER_TESTS[0]} - Failed: {MISSING} is missing: install it with bash .ci/install-browser "
            "(CI is set: the browser tests must run)") in result.stdout


def test_ci_set_to_false_is_not_ci():
    assert run_without_chromium("false").returncode == 0
