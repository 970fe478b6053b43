"""A cluster's state directory, ports and subnets."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cluster.layout import Layout, Ports, Settings
from drillbook.errors import DrillbookError


def test_free_ports_are_distinct_and_high() -> None:
    ports = Ports.free()
    values = list(ports.__dict__.values())
    assert len(set(values)) == len(values)
    assert all(1024 < v < 65536 for v in values)


def test_settings_survive_the_round_trip(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "state")
    settings = Settings(Ports(*range(40001, 40010)), "10.200.4.0/24", "10.201.4.0/24")
    layout.write_settings(settings)
    again = layout.read_settings()
    assert again == settings
    assert again.gateway == "10.200.4.1"
    assert again.kubernetes_service_ip == "10.201.4.1"


def test_no_settings_file_means_no_cluster(tmp_path: Path) -> None:
    assert Layout(tmp_path).read_settings() is None


def test_a_damaged_settings_file_says_how_to_recover(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    layout.settings_file.write_text("{not json")
    with pytest.raises(DrillbookError, match=r"cluster\.json: not a cluster settings file") as e:
        layout.read_settings()
    assert "cluster down" in str(e.value.hint)


def test_names_are_per_state_directory_and_fit_an_interface_name(tmp_path: Path) -> None:
    one, two = Layout(tmp_path / "one"), Layout(tmp_path / "two")
    assert one.bridge != two.bridge
    assert len(one.bridge) <= 15
    assert one.bridge == Layout(tmp_path / "one").bridge
