"""environment.yml (conda) and pyproject.toml (pip) pin the same versions."""

import re
import tomllib

import yaml

from .conftest import ROOT


def _name(n: str) -> str:
    return re.sub(r"[-_.]+", "-", n).lower()


def pyproject_pins() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    pins = {}
    for req in reqs:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^;\s]*)", req.strip())
        assert m, f"pyproject.toml: {req!r} is not pinned with =="
        pins[_name(m.group(1))] = m.group(2)
    return pins


def environment_pins() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in data["dependencies"]:
        if isinstance(dep, dict):
            for req in dep.get("pip", []):
                m = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", req)
                if m:
                    pins[_name(m.group(1))] = m.group(2)
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)=(\S+)", dep)
        if m and _name(m.group(1)) not in ("python",):
            pins[_name(m.group(1))] = m.group(2)
    return pins


def test_environment_yml_and_pyproject_agree():
    assert environment_pins() == pyproject_pins()


def test_lock_file_agrees_with_pyproject():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            lock[_name(name)] = version.strip()
    lab_only = {"jupyterlab"}  # installed in .venv-lab only (see pyproject.toml)
    for name, version in pyproject_pins().items():
        if name not in lab_only:
            assert lock.get(name) == version, f"requirements.lock pins {name}=={lock.get(name)}, pyproject {version}"


def test_pipeline_venv_has_no_rfc3987_syntax():
    """jsonschema would pay ~1.6 s at every import for rfc3987-syntax (pulled by JupyterLab)."""
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").lower()
    assert "rfc3987-syntax" not in lock and "jupyterlab==" not in lock
