"""The layout's rules, read from the source: the core imports nothing above it, the packages
depend on the core and not sideways, and what runs in production imports nothing from the
lab. Every import counts, those inside functions too."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("escucha", "classifiers", "alerting", "collectors", "stores", "dashboards", "replay", "demo", "lab")
# The packages a pipeline stage is made of: each may import the core only.
STAGES = ("classifiers", "alerting", "collectors", "stores", "dashboards")


def _imports(path: Path, top_level_only=False):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
        for name in names:
            yield name.split(".")[0], node.lineno


def _crossings(package, allowed, top_level_only=False):
    return [f"{f.relative_to(ROOT)}:{line} imports {top}"
            for f in sorted((ROOT / package).rglob("*.py"))
            for top, line in _imports(f, top_level_only)
            if top in PACKAGES and top != package and top not in allowed]


@pytest.mark.parametrize("package", STAGES)
def test_a_stage_depends_on_the_core_only(package):
    assert _crossings(package, {"escucha"}) == []


def test_the_core_imports_nothing_above_it():
    # The packages' own commands (demo, replay, serve, the lab's) join the command line
    # through the escucha.commands entry points, as a plugin's would.
    assert _crossings("escucha", set()) == []


def test_production_never_imports_the_lab():
    for package in (*STAGES, "replay", "demo"):
        assert not [c for c in _crossings(package, set(PACKAGES) - {"lab"})], package


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from lab.training import train\n")
    assert ("lab", 2) in list(_imports(f))
    assert list(_imports(f, top_level_only=True)) == []
