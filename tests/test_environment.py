"""The pinned lock is the one source of truth for versions; environment.yml must follow it."""

from __future__ import annotations

import re

import pytest

from analysis.build import environment


@pytest.fixture(scope="module")
def lock_pins() -> dict[str, str]:
    return environment.read_pins(environment.LOCK.read_text(encoding="utf-8"))


def test_environment_yml_installs_exactly_the_lock_pins(lock_pins: dict[str, str]) -> None:
    env_pins = environment.read_pins(environment.ENVIRONMENT_YML.read_text(encoding="utf-8"))
    only_in_lock = sorted(set(lock_pins) - set(env_pins))
    only_in_env = sorted(set(env_pins) - set(lock_pins))
    differing = sorted(n for n in set(lock_pins) & set(env_pins) if lock_pins[n] != env_pins[n])
    assert not (only_in_lock or only_in_env or differing), (
        f"environment.yml drifted from the lock (run `make lock`): missing {only_in_lock}, "
        f"extra {only_in_env}, different versions {differing}"
    )


def test_environment_yml_is_exactly_what_the_generator_renders() -> None:
    rendered = environment.render_environment(environment.LOCK.read_text(encoding="utf-8"))
    assert environment.ENVIRONMENT_YML.read_text(encoding="utf-8") == rendered


def test_drift_is_detected() -> None:
    lock_text = environment.LOCK.read_text(encoding="utf-8")
    drifted = re.sub(r"^pandas==\S+", "pandas==0.0.1", lock_text, flags=re.MULTILINE)
    assert environment.read_pins(environment.render_environment(drifted))["pandas"] == "0.0.1"
    assert environment.read_pins(drifted) != environment.read_pins(lock_text)


def test_every_line_of_the_lock_is_an_exact_pin() -> None:
    for line in environment.LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[^\s=]+", line.strip()), line


@pytest.mark.parametrize(
    "package",
    [
        "jupyter-book",
        "jupytext",
        "jieba",
        "sphinx-mathjax-offline",
        "mplfonts",
        "pandas",
        "statsmodels",
        "linearmodels",
        "matplotlib",
        "pytest",
        "ipykernel",
    ],
)
def test_lock_carries_the_packages_the_book_needs(lock_pins: dict[str, str], package: str) -> None:
    assert package in lock_pins


def test_jupyter_book_is_version_one(lock_pins: dict[str, str]) -> None:
    # Version 2 downloads its theme at build time, which this network forbids.
    assert lock_pins["jupyter-book"].startswith("1.")


def test_binder_installs_the_local_package() -> None:
    text = environment.ENVIRONMENT_YML.read_text(encoding="utf-8")
    assert "- -e ." in text
    assert "python=3.11" in text


def test_installed_versions_match_the_lock(lock_pins: dict[str, str]) -> None:
    from importlib import metadata

    mismatched = {}
    for name, version in lock_pins.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            mismatched[name] = "not installed"
            continue
        if installed != version:
            mismatched[name] = installed
    assert not mismatched, f"the running environment is not the lock: {mismatched}"
