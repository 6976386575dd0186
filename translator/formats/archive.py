"""Zip-based inputs (.docx, .epub, .pptx, .odt), opened with limits before anything is parsed.

A 1 MB upload can inflate to gigabytes. ``open_zip`` refuses an archive whose members declare more
than ``MAX_INFLATED`` bytes in all, or a member that inflates more than ``MAX_RATIO`` times, and
``read_member`` stops reading at the member's declared size plus one byte, so a member whose
header lies about its size is refused too, before its bytes reach a parser.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import InputError

MAX_INFLATED = 256 * 2**20  # all members together, as declared by the archive
MAX_MEMBER = 128 * 2**20  # one member
MAX_RATIO = 200  # inflated / compressed of one member (text XML compresses 5–20×)
MAX_MEMBERS = 20_000
_SMALL = 64 * 2**10  # tiny members may compress far better (runs of one byte): no ratio check


def open_zip(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """``data`` as a zip archive whose declared sizes are within the limits (else ``InputError``).

    ``kind`` names what the file should be (".docx", "an EPUB book") for the messages.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise InputError(f"{name} is not {kind}: it is not a readable zip archive") from error
    if len(members) > MAX_MEMBERS:
        raise InputError(f"{name} holds {len(members)} files: too many for {kind}")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if (
            member.file_size > MAX_MEMBER
            or total > MAX_INFLATED
            or (member.file_size > _SMALL and ratio > MAX_RATIO)
        ):
            raise InputError(
                f"{name} inflates to more than it may ({member.filename}: "
                f"{member.file_size:,} bytes from {member.compress_size:,}): "
                f"refused as a possible zip bomb"
            )
    return archive


def read_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, name: str) -> bytes:
    """One member's bytes, never more than it declared (a lying header is an ``InputError``)."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        raise InputError(f"{name} is damaged: {info.filename} can't be read ({error})") from error
    if len(data) > info.file_size:
        raise InputError(f"{name} is damaged: {info.filename} is longer than it says")
    return data


def check_zip(data: bytes, name: str, kind: str) -> None:
    """Refuse a bomb before a library (python-docx, …) inflates the archive its own way.

    Reads every member through ``read_member``, so a lying header is caught too; memory stays
    bounded by ``MAX_MEMBER`` at a time.
    """
    archive = open_zip(data, name, kind)
    with archive:
        for info in archive.infolist():
            if not info.is_dir():
                read_member(archive, info, name)
