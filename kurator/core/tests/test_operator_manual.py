"""The README is the operator's manual: it names the two commands and every setting Kurator reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_readme_documents_every_environment_variable_the_settings_read():
    settings_source = (ROOT / "kurator" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', settings_source))
    assert names, "no environment variables found in settings.py"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"


def test_the_readme_quick_start_has_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
