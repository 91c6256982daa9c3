"""coopplan.workbook.intake: every bad upload is refused with a clear Italian message, fast; good
workbooks pass; the raw sheet scan finds merged ranges and formulas without cached values."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.badfiles import CORPUS, EXTRA, BadFile, build, patched_xlsx, valid_xlsx

from coopplan.workbook.intake import (
    MAX_BYTES,
    IntakeError,
    check_workbook_bytes,
    read_source,
)
from coopplan.workbook.schema import MAX_UPLOAD_MB

NOT_USER_TEXT = ("Traceback", "Error", "Exception", "zipfile", "BadZip", "\n", 'File "')
ACTIONS = ("caricalo di nuovo", "Carica il file")  # every message says what to do
VALID = valid_xlsx()


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("badfiles")


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(IntakeError) as caught:
        check_workbook_bytes(data, name)
    return caught.value.message


def assert_user_message(message: str, bad: BadFile) -> None:
    assert bad.fragment in message
    assert message.startswith(f"Il file «{bad.filename}»")
    assert message.endswith(".")
    assert any(action in message for action in ACTIONS), message
    assert not any(text in message for text in NOT_USER_TEXT), message


@pytest.mark.parametrize("name", CORPUS + EXTRA)
def test_bad_file_is_refused_with_its_italian_message(name: str, corpus_dir: Path) -> None:
    bad = build(name, corpus_dir)
    message = refusal(bad.data, bad.filename)  # time and memory: benchmarks/bad_files.py
    assert_user_message(message, bad)


@pytest.mark.parametrize("name", CORPUS)
def test_bad_file_on_disk_is_refused_through_read_source(
    name: str, corpus_dir: Path, tmp_path: Path
) -> None:
    bad = build(name, corpus_dir)
    path = tmp_path / bad.filename
    path.write_bytes(bad.data)
    with pytest.raises(IntakeError) as caught:
        data, display = read_source(path)
        check_workbook_bytes(data, display)
    assert_user_message(caught.value.message, bad)


def test_bad_file_unpacks_as_a_triple(corpus_dir: Path) -> None:
    filename, data, fragment = build("pdf", corpus_dir)
    assert filename == "piano.pdf" and data.startswith(b"%PDF") and fragment == "PDF"


def test_message_without_a_name_still_reads_well() -> None:
    assert refusal(b"", "") == (
        "Il file è vuoto (0 byte). Controlla di aver scelto il file giusto e caricalo di nuovo."
    )


def test_limits_are_said_in_megabytes(corpus_dir: Path) -> None:
    assert f"il limite è {MAX_UPLOAD_MB} MB" in refusal(build("too_big", corpus_dir).data, "x")


def test_valid_workbook_passes() -> None:
    check_workbook_bytes(valid_xlsx(), "piano.xlsx")


def test_valid_workbook_with_images_and_printer_settings_passes() -> None:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>'
    data = patched_xlsx({}, add={"xl/media/image1.svg": svg, "xl/printerSettings/p1.bin": b"\0"})
    check_workbook_bytes(data, "piano.xlsx")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=1, max_value=6000),
    flips=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 255)), max_size=4),
)
def test_damaged_workbook_is_accepted_or_refused_never_crashes(
    cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(VALID[:cut])
    for position, value in flips:
        if position < len(data):
            data[position] = value
    try:
        check_workbook_bytes(bytes(data), "piano.xlsx")
    except IntakeError as error:
        assert error.message.startswith("Il file «piano.xlsx»")


# read_source -------------------------------------------------------------------------------


def test_read_source_from_path_bytes_and_file_objects(tmp_path: Path) -> None:
    path = tmp_path / "Piano 2023.xlsx"
    path.write_bytes(VALID)
    assert read_source(path) == (VALID, "Piano 2023.xlsx")
    assert read_source(str(path), name="caricato.xlsx") == (VALID, "caricato.xlsx")
    assert read_source(VALID) == (VALID, "")
    assert read_source(VALID, name="piano.xlsx") == (VALID, "piano.xlsx")
    assert read_source(io.BytesIO(VALID), name="piano.xlsx") == (VALID, "piano.xlsx")
    with path.open("rb") as stream:
        assert read_source(stream) == (VALID, "Piano 2023.xlsx")


def test_read_source_missing_path_and_folder(tmp_path: Path) -> None:
    missing = tmp_path / "non_ce.xlsx"
    with pytest.raises(IntakeError, match="non esiste\\."):
        read_source(missing)
    with pytest.raises(IntakeError, match="è una cartella"):
        read_source(tmp_path)


class EndlessZeros(io.RawIOBase):
    """A file object that never ends; counts what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), 8192)  # short reads, like a socket
        buffer[:size] = bytes(size)
        self.given += size
        return size


def test_read_source_refuses_oversize_file_object_without_reading_it_whole() -> None:
    stream = EndlessZeros()
    with pytest.raises(IntakeError, match=f"il limite è {MAX_UPLOAD_MB} MB"):
        read_source(stream, name="enorme.xlsx")
    assert stream.given <= MAX_BYTES + 1


def test_read_source_refuses_oversize_bytes_and_accepts_the_limit() -> None:
    with pytest.raises(IntakeError, match="troppo grande"):
        read_source(bytes(MAX_BYTES + 1))
    assert len(read_source(bytes(MAX_BYTES))[0]) == MAX_BYTES


def test_text_starting_with_pk_is_not_taken_for_a_zip() -> None:
    message = refusal(b"PK;Nome progetto\r\nP1;Cooperazione\r\n", "chiavi.xlsx")
    assert "CSV" in message


def test_old_office_file_mentions_password_as_a_possibility(corpus_dir: Path) -> None:
    message = refusal(build("xls", corpus_dir).data, "piano.xlsx")
    assert ".xls" in message and "protetto da password" in message
