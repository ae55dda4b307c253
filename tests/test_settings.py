"""Settings are checked before anything runs: a bad value is refused with its name and what is
expected, never a traceback and never written into the site."""

import pytest

from conftest import copy_project
from pcpbook.cli import commands
from pcpbook.contracts import settings
from pcpbook.contracts.settings import SettingsError


@pytest.mark.parametrize("value", ["javascript:alert(1)//", "//evil.example/", "/no-trailing-slash", "http:/x/",
                                   "/a b/", "https://example.org/path"])
def test_a_base_url_must_be_a_path_or_web_address_ending_in_a_slash(value):
    with pytest.raises(SettingsError, match="--base-url"):
        settings.base_url(value)


@pytest.mark.parametrize("value", ["/", "/pcpbook/", "https://example.org/pcpbook/", "http://localhost:8000/"])
def test_good_base_urls_are_kept(value):
    assert settings.base_url(value) == value


@pytest.mark.parametrize("argv, words", [
    (["build", "--workers", "-1"], "--workers: got -1: expected a whole number from 1 to 64"),
    (["build", "--workers", "99999999999999999999"], "--workers: got 99999999999999999999: expected a whole number"),
    (["build", "--workers", "0"], "--workers: got 0"),
    (["build", "--base-url", "javascript:alert(1)//"], "--base-url: got 'javascript:alert(1)//'"),
    (["closure", "--plan", "2016-2021", "--workers", "-3"], "--workers: got -3"),
])
def test_the_cli_refuses_bad_settings_before_building(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path / "project"))
    assert commands.main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "project" / "_build" / "site").exists()


def test_a_marking_must_be_one_plain_line(tmp_path):
    project = copy_project(tmp_path / "project")
    config = project / "_config.yml"
    text = config.read_text()
    config.write_text(text.replace("  marking: OFFICIAL ", '  marking: "OFFICIAL\\"; } body { display: none " ', 1))
    with pytest.raises(SettingsError, match="pcpbook.marking"):
        settings.load_project(project)
    config.write_text(text.replace("  marking: OFFICIAL ", "  marking: OFFICIAL\n  marking: SECRET ", 1))
    with pytest.raises(SettingsError, match="appears twice"):
        settings.load_project(project)
