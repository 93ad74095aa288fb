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


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_circle():
    """No two modules import each other, directly or round a loop (imports at module level:
    the ones that run when a module loads)."""
    modules = {_module(f): f for p in PACKAGES for f in (ROOT / p).rglob("*.py")}
    graph = {}
    for name, f in modules.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        targets = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        graph[name] = {t for t in targets if t in modules and t != name}
    # Tarjan's strongly connected components: a component of more than one module is a circle.
    index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == []
