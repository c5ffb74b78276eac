"""The code passes ruff with the rule set in pyproject.toml ([tool.ruff]).

Run by hand: ``python -m ruff check lunarviz tests benchmarks scripts``
(``--fix`` repairs import order, pyupgrade findings and stale noqa markers).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("lunarviz", "tests", "benchmarks", "scripts")


def test_ruff_is_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                        *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "No module named ruff" not in r.stderr, "ruff is missing: pip install -e '.[test]'"
    assert r.returncode == 0, f"ruff check {' '.join(CHECKED)}:\n{r.stdout}{r.stderr}"


NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)$")
JUSTIFIED = re.compile(r":\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*\s+-\s+\S")


def test_every_noqa_names_its_rule_and_says_why():
    # e.g. "noqa: BLE001 - network errors come in many types" after a hash; ruff's RUF100 removes stale ones
    unjustified = []
    for folder in CHECKED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = NOQA.search(line)
                if m and not JUSTIFIED.match(m.group("rest")):
                    unjustified.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not unjustified, "noqa without a rule code and a reason:\n" + "\n".join(unjustified)
