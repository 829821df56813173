"""``build`` writes its set of outputs whole or not at all, keeps what others put in its folder,
removes what the new plan no longer has, and honours the umask."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import icalendar
import pytest

from tripplan import load_trip
from tripplan._cli import main
from tripplan._folder import MANIFEST, write_folder

from .support import EXAMPLES

REFERENCE = EXAMPLES / "santiago-customer-visit.yaml"
DINNER = "meeting-dinner-with-andes-partners"


def build(trip: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> int:
    code = main(["build", str(trip), "--out", str(out)])
    capsys.readouterr()
    return code


def leftovers(out: Path) -> list[str]:
    return sorted(
        p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.tripplan-")
    )


def without_dinner(tmp_path: Path) -> Path:
    trip = load_trip(REFERENCE)
    changed = tmp_path / "changed.json"
    changed.write_text(trip.remove_item(DINNER).model_dump_json(by_alias=True, exclude_unset=True))
    return changed


def test_a_removed_meeting_leaves_a_cancellation_not_its_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert build(REFERENCE, out, capsys) == 0
    assert (out / "invites" / f"{DINNER}.ics").exists()
    assert build(without_dinner(tmp_path), out, capsys) == 0
    invites = sorted(p.name for p in (out / "invites").iterdir())
    assert f"{DINNER}.ics" not in invites and f"{DINNER}-cancel.ics" in invites
    cancel = icalendar.Calendar.from_ical((out / "invites" / f"{DINNER}-cancel.ics").read_bytes())
    event = cancel.walk("VEVENT")[0]
    assert cancel["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert int(str(event["SEQUENCE"])) > 0 and event.get("ATTENDEE")
    assert build(without_dinner(tmp_path), out, capsys) == 0  # the cancellation stays
    assert (out / "invites" / f"{DINNER}-cancel.ics").exists()
    assert build(REFERENCE, out, capsys) == 0  # the meeting is back: its request, no cancellation
    assert (out / "invites" / f"{DINNER}.ics").exists()
    assert not (out / "invites" / f"{DINNER}-cancel.ics").exists()
    assert leftovers(out) == []


def test_files_others_put_in_the_folder_stay(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, {"a.txt": b"one", "sub/b.txt": b"two"})
    (out / "notes.md").write_text("mine")
    write_folder(out, {"c.txt": b"three"})
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        MANIFEST,
        "c.txt",
        "notes.md",
    ]
    assert (out / "notes.md").read_text() == "mine"


def test_a_folder_of_someone_elses_files_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    assert main(["build", str(REFERENCE), "--out", str(out)]) == 2
    assert "was not written by tripplan" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"] and leftovers(out) == []


def test_a_failure_half_way_leaves_the_old_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_folder(out, {f"{n}.txt": b"old" for n in range(5)})
    from tripplan import _folder

    written = 0
    real = _folder._write_file

    def failing(path: Path, data: bytes, replaced: Path) -> None:
        nonlocal written
        written += 1
        if written == 3:
            raise OSError(28, "No space left on device", str(path))
        real(path, data, replaced)

    monkeypatch.setattr(_folder, "_write_file", failing)
    with pytest.raises(OSError, match="No space left") as caught:
        write_folder(out, {f"{n}.txt": b"new" for n in range(5)})
    assert caught.value.filename == str(out)  # the user's folder, not the staging one
    assert {p.read_bytes() for p in out.glob("*.txt")} == {b"old"} and leftovers(out) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        write_folder(tmp_path / "out", {"trip.ics": b"x", "invites/a.ics": b"y"})
    finally:
        os.umask(previous)
    assert (tmp_path / "out" / "trip.ics").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out" / "invites" / "a.ics").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out").stat().st_mode & 0o777 == mode | (mode & 0o444) >> 2


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, {"trip.ics": b"x"})
    (out / "trip.ics").chmod(0o640)
    write_folder(out, {"trip.ics": b"y"})
    assert (out / "trip.ics").stat().st_mode & 0o777 == 0o640


def _consistent(out: Path) -> str | None:
    """Which run the folder is from ('A' or 'B'), asserting every file is from the same one."""
    if not out.exists():
        return None
    calendar = (out / "trip.ics").read_text(encoding="utf-8")
    sheet = (out / "briefing-en.html").read_text(encoding="utf-8")
    runs = {run for run in "AB" if f"Run {run} visit" in calendar}
    assert len(runs) == 1 and f"Run {runs.pop()} visit" in sheet
    return "A" if "Run A visit" in calendar else "B"


def _titled(tmp_path: Path, run: str) -> Path:
    path = tmp_path / f"{run}.json"
    trip = load_trip(REFERENCE).replace(title=f"Run {run} visit")
    path.write_text(trip.model_dump_json(by_alias=True, exclude_unset=True))
    return path


def _command(trip: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "tripplan", "build", str(trip), "--out", str(out)]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_build_killed_at_any_moment_leaves_one_whole_set(tmp_path: Path, how: int) -> None:
    out = tmp_path / "out"
    subprocess.run(_command(_titled(tmp_path, "A"), out), check=True, capture_output=True)
    second = _titled(tmp_path, "B")
    seen = set()
    for n in range(12):
        process = subprocess.Popen(
            _command(second, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(0.05 + n * 0.05)
        process.send_signal(how)
        _, err = process.communicate()
        assert b"Traceback" not in err
        seen.add(_consistent(out))
        if how == signal.SIGTERM:
            assert leftovers(out) == []  # unwound: the stage is removed on the way out
        subprocess.run(_command(_titled(tmp_path, "A"), out), check=True, capture_output=True)
        assert leftovers(out) == [] and _consistent(out) == "A"
    assert seen <= {"A", "B"}


def test_two_builds_at_once_into_one_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            _command(_titled(tmp_path, r), out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for r in "AB"
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert _consistent(out) in {"A", "B"} and leftovers(out) == []
