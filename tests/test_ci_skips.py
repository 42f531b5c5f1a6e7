"""tests/ci_skips.py: with CI set, a skip of any kind fails the run; without it, skips stay skips.
Run on a small suite of its own in a child pytest, as CI would run the real one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SUITE = '''
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("no browser here")

@pytest.mark.skipif(True, reason="the corpus is absent")
def test_skipif():
    pass

@pytest.mark.parametrize("case", [])
def test_no_cases(case):
    pass

@pytest.mark.xfail(strict=True, reason="a known bug, reported")
def test_known_bug():
    assert False
'''


def run_suite(directory, ci):
    # no third-party plugins: they take seconds to load and play no part here
    env = {**os.environ, "PYTHONPATH": str(REPO), "CI": ci, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.ci_skips", "-p",
                             "no:cacheprovider", "-q", "-rA", str(directory)],
                            cwd=directory, env=env, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout.splitlines()[-1]


@pytest.fixture
def suite(tmp_path):
    (tmp_path / "test_suite.py").write_text(SUITE)
    return tmp_path


@pytest.mark.parametrize("ci", ["1", "true"])
def test_in_ci_every_skip_fails(suite, ci):
    code, summary = run_suite(suite, ci)
    assert code == 1 and "skipped" not in summary, summary
    # a skip in the test body fails it; one in setup (a mark, no cases) is an error
    assert "1 failed, 1 passed, 1 xfailed, 2 errors" in summary, summary


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_elsewhere_skips_stay_skips(suite, ci):
    code, summary = run_suite(suite, ci)
    assert code == 0 and "1 passed, 3 skipped, 1 xfailed" in summary, summary


def test_a_module_skipped_at_import_fails_in_ci(suite):
    (suite / "test_module.py").write_text('import pytest\npytest.importorskip("no_such_module")\n')
    code, summary = run_suite(suite, "1")
    assert code != 0 and "error" in summary, summary
