"""Zip bombs: a workbook whose members inflate past the bounds is refused before openpyxl opens it.

The bomb is a real, valid zip: its sheet XML is a header, ~1 GB of spaces and a footer. It is built
by hand in a streaming way (one 1 MB deflate segment, flushed so that it stands alone, repeated
1024 times), so building it takes well under a second and ~1 MB of memory.
"""

import io
import struct
import time
import zipfile
import zlib

import pytest

from basesys.core.errors import DomainError
from basesys.courses.enrollment_file import read_enrollment_file
from basesys.courses.services import import_enrollments
from tests.courses.test_import import row, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _padded_sheet(real_sheet: bytes, megabytes: int) -> tuple[bytes, int, int]:
    """(raw deflate data, crc, size) of `real_sheet` with `megabytes` MB of spaces inside <sheetData>."""
    head, tail = real_sheet.split(b"<sheetData>", 1)
    head += b"<sheetData>"
    pad = b" " * MB
    segment = _deflate(pad)  # stands alone after a full flush: repeating it is a valid stream
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(pad, crc)
    crc = zlib.crc32(tail, crc)
    finish = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = _deflate(head) + segment * megabytes + finish.compress(tail) + finish.flush()
    return body, crc, len(head) + megabytes * MB + len(tail)


def bomb(megabytes: int = 1024, declared_size: int | None = None) -> bytes:
    """A workbook of one data row whose sheet XML inflates by `megabytes` MB of whitespace
    (`declared_size`: what the zip directory claims the sheet's size is, if it lies)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([row(1)])))
    out, directory = io.BytesIO(), []
    for item in source.infolist():
        plain = source.read(item.filename)
        if item.filename == SHEET:
            body, crc, size = _padded_sheet(plain, megabytes)
        else:
            body, crc, size = (
                _deflate(plain) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(),
                zlib.crc32(plain),
                len(plain),
            )
        size = declared_size if item.filename == SHEET and declared_size is not None else size
        name = item.filename.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(body), size, len(name), 0))
        out.write(name + body)
        directory.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(body),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), out.tell() - start, start, 0))
    return out.getvalue()


@pytest.fixture(scope="module")
def gigabyte_bomb():
    return bomb(1024)


def test_the_crafted_bomb_is_a_real_zip_of_a_gigabyte(gigabyte_bomb):
    archive = zipfile.ZipFile(io.BytesIO(gigabyte_bomb))
    sheet = archive.getinfo(SHEET)
    assert len(gigabyte_bomb) < 2 * MB and sheet.file_size > 1024 * MB
    with archive.open(SHEET) as stream:  # inflates correctly (the first megabytes, cheaply)
        assert stream.read(MB).rstrip().endswith(b"<sheetData>")
    small = zipfile.ZipFile(io.BytesIO(bomb(2)))
    assert small.testzip() is None  # every CRC right: openpyxl would read all of it


def _refused_quickly(data: bytes) -> str:
    started = time.monotonic()
    with pytest.raises(DomainError) as error:
        read_enrollment_file(data, "名单.xlsx")
    assert time.monotonic() - started < 10  # inflating it takes ~30 s: refused before, not after
    assert error.value.code == "import_invalid" and error.value.status == 422
    rows = error.value.details["rows"]
    assert len(rows) == 1 and rows[0]["row"] == 1
    return rows[0]["reason"]


def test_a_gigabyte_bomb_is_refused_within_a_second(gigabyte_bomb):
    assert "解压后超过 50 MB" in _refused_quickly(gigabyte_bomb)


def test_a_member_compressed_beyond_the_ratio_is_refused():
    data = bomb(20)  # 20 MB of spaces: under the size bound, ~1000:1
    assert "压缩比异常" in _refused_quickly(data)


def test_a_directory_that_understates_the_size_does_not_inflate_the_bomb():
    # zipfile stops at the declared size and the CRC then fails: a bad file, found at once.
    assert "无法读取" in _refused_quickly(bomb(1024, declared_size=30_000))


def test_a_zip_of_too_many_members_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(1001):
            archive.writestr(f"part{n}.xml", "")
    assert "部件过多" in _refused_quickly(out.getvalue())


def test_the_api_refuses_the_bomb_with_import_invalid(client, tenants, api_headers, make_course, gigabyte_bomb):
    course = make_course(base=tenants.base_a, status="draft")
    started = time.monotonic()
    response = client.post(
        f"/api/v1/courses/{course.id}/enrollments/import",
        data={"file": (io.BytesIO(gigabyte_bomb), "名单.xlsx")},
        headers=api_headers(tenants.admin_a),
        content_type="multipart/form-data",
    )
    assert time.monotonic() - started < 10  # inflating it takes ~30 s
    assert response.status_code == 422, response.text
    error = response.json["error"]
    assert error["code"] == "import_invalid" and "解压后超过" in error["rows"][0]["reason"]


def test_the_import_page_refuses_the_bomb(client, login, tenants, make_course, gigabyte_bomb):
    course = make_course(base=tenants.base_a, status="draft")
    login(tenants.admin_a)
    response = client.post(
        f"/courses/{course.id}/enrollments/import",
        data={"file": (io.BytesIO(gigabyte_bomb), "名单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "解压后超过" in response.text


def test_service_refuses_before_touching_the_course(db, now, tenants, make_course, gigabyte_bomb):
    course = make_course(base=tenants.base_a, status="draft")
    with pytest.raises(DomainError) as error:
        import_enrollments(tenants.admin_a, course, gigabyte_bomb, filename="名单.xlsx", now=now)
    assert error.value.code == "import_invalid"
