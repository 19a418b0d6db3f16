"""Settings from the environment: a number that is not a whole one is named, in one sentence."""
import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import Config, SettingError

ROOT = Path(__file__).resolve().parents[2]


def test_whole_numbers_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TOMBSTONE_RETENTION_DAYS", " 0 ")
    monkeypatch.setenv("LOCKOUT_SHORT_AFTER", "7")

    config = Config(str(tmp_path))

    assert (config.TOMBSTONE_RETENTION_DAYS, config.LOCKOUT_SHORT_AFTER) == (0, 7)


@pytest.mark.parametrize("value", ["0.0001", "-1", "ten", "", "²"])
def test_a_setting_that_is_not_a_whole_number_is_named_with_its_value(
        monkeypatch, tmp_path, value):
    monkeypatch.setenv("TOMBSTONE_RETENTION_DAYS", value)

    with pytest.raises(SettingError) as raised:
        Config(str(tmp_path))

    assert raised.value.message == (
        f"TOMBSTONE_RETENTION_DAYS must be a whole number, 0 or more, not {value.strip()!r}.")


@pytest.mark.parametrize("value, taken", [("1048576", True), ("1048575", False), ("0", False)])
def test_the_body_limit_is_at_least_one_mib(monkeypatch, tmp_path, value, taken):
    monkeypatch.setenv("MAX_CONTENT_LENGTH", value)
    if taken:
        assert Config(str(tmp_path)).MAX_CONTENT_LENGTH == int(value)
        return
    with pytest.raises(SettingError) as raised:
        Config(str(tmp_path))
    assert raised.value.message == (
        f"MAX_CONTENT_LENGTH must be at least 1048576 (1 MiB), not {value}: a sync push of one "
        "entry must always fit.")


def test_a_flask_command_says_so_in_one_sentence_and_exits_with_1(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path),
           "TOMBSTONE_RETENTION_DAYS": "0.5"}

    done = subprocess.run([sys.executable, "-m", "flask", "--app", "backend", "sync",
                           "purge-tombstones"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)

    assert done.returncode == 1
    assert done.stderr == ("Error: TOMBSTONE_RETENTION_DAYS must be a whole number, 0 or more, "
                           "not '0.5'.\n")
