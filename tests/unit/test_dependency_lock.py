"""requirements.lock is what a fresh machine installs, so it must say what pyproject.toml asks.

`scripts/setup` installs the lock and nothing else; these tests fail when someone changes the
ranges in pyproject.toml without regenerating the lock (README: "Upgrading the lock"), when the
lock misses a package that a locked package needs, or when this environment runs other versions
than the ones CI tested.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = canonicalize_name("trial-companion")


@dataclass(frozen=True)
class Pin:
    version: Version
    requirement: Requirement

    def applies_here(self) -> bool:
        marker = self.requirement.marker
        return marker is None or marker.evaluate()


def read_lock(text: str) -> dict[NormalizedName, list[Pin]]:
    """Pins by package; a package may be pinned twice, for different platforms or Pythons."""
    pins: dict[NormalizedName, list[Pin]] = {}
    for line in text.splitlines():
        if not line or line[0] in " #-":
            continue  # hashes, comments and options follow the pin they belong to
        requirement = Requirement(line.removesuffix("\\").strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"not an exact pin: {line}"
        pin = Pin(Version(specifier.version), requirement)
        pins.setdefault(canonicalize_name(requirement.name), []).append(pin)
    return pins


@cache
def lock() -> dict[NormalizedName, list[Pin]]:
    return read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(text) for text in [*project["dependencies"], *extras["dev"]]]


def pin_here(name: str) -> Pin | None:
    here = [pin for pin in lock().get(canonicalize_name(name), []) if pin.applies_here()]
    assert len(here) <= 1, f"{name} is pinned more than once for this environment"
    return here[0] if here else None


def applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(
        requirement.marker.evaluate({**default_environment(), "extra": extra})
        for extra in extras | {""}
    )


def installed_requirements(name: str) -> list[str]:
    try:
        return metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        pytest.fail(f"{name} is not installed: run scripts/setup")


def needed_packages() -> dict[NormalizedName, set[str]]:
    """Every package the project needs here, walked from pyproject through installed metadata,
    with the extras asked of it."""
    wanted: dict[NormalizedName, set[str]] = {}
    queue = [r for r in declared_requirements() if applies(r, frozenset())]
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        before = wanted.get(name)
        if before is not None and requirement.extras <= before:
            continue
        asked = wanted[name] = (before or set()) | requirement.extras
        for text in installed_requirements(name):
            child = Requirement(text)
            if applies(child, frozenset(asked)):
                queue.append(child)
    return wanted


@pytest.mark.parametrize("requirement", declared_requirements(), ids=str)
def test_every_declared_range_is_met_by_the_locked_version(requirement: Requirement) -> None:
    pin = pin_here(requirement.name)
    assert pin is not None, f"{requirement.name} is in pyproject.toml but not in requirements.lock"
    assert requirement.specifier.contains(pin.version, prereleases=True), (
        f"pyproject.toml asks {requirement}, the lock holds {pin.version}: regenerate the lock"
    )


def test_the_lock_holds_every_package_a_locked_package_needs() -> None:
    missing = []
    for name in needed_packages():
        if name != PROJECT and pin_here(name) is None:
            missing.append(name)
    assert not missing, f"needed but not locked: {sorted(missing)}"


def test_the_lock_holds_nothing_the_project_no_longer_needs() -> None:
    needed = set(needed_packages())
    stale = [
        name
        for name, pins in lock().items()
        if name not in needed and any(pin.applies_here() for pin in pins)
    ]
    assert not stale, f"locked but needed by nothing: {sorted(stale)}: regenerate the lock"


def test_locked_versions_satisfy_what_their_dependants_ask() -> None:
    clashes = []
    for name, extras in needed_packages().items():
        for text in installed_requirements(name):
            child = Requirement(text)
            pin = pin_here(child.name)
            if not applies(child, frozenset(extras)) or pin is None:
                continue
            if not child.specifier.contains(pin.version, prereleases=True):
                clashes.append(f"{name} asks {child}, the lock holds {pin.version}")
    assert not clashes, "\n".join(clashes)


def test_this_environment_runs_the_locked_versions() -> None:
    """What the suite tests is what the lock installs (run scripts/setup after pulling)."""
    different = []
    for name in needed_packages():
        pin = pin_here(name)
        if pin is not None and Version(metadata.version(name)) != pin.version:
            different.append(f"{name} {metadata.version(name)} (lock: {pin.version})")
    assert not different, f"installed versions differ from requirements.lock: {different}"


def test_a_pin_line_with_a_platform_marker_is_read_as_a_pin_for_that_platform() -> None:
    pins = read_lock(
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:00\n    # via pytest\n"
    )
    (pin,) = pins[canonicalize_name("colorama")]
    assert pin.version == Version("0.4.6")
    assert str(pin.requirement.marker) == 'sys_platform == "win32"'
