"""Zip-based inputs (.docx, .epub, .pptx, .odt), opened with limits before anything is parsed.

A 1 MB upload can inflate to gigabytes. ``open_zip`` refuses an archive whose members declare more
than ``MAX_INFLATED`` bytes in all, or a member that inflates more than ``MAX_RATIO`` times, and
``read_member`` stops reading at the member's declared size plus one byte, so a member whose
header lies about its size is refused too, before its bytes reach a parser.

``ZipPackage`` is a whole office document read that way (every member inflated and checked once,
when the file is opened), its XML parts parsed safely, and written back with only the parts that
changed serialized anew.
"""

from __future__ import annotations

import io
import re
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


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ZipPackage:
    """A zip-based document (.docx, .pptx, .odt) opened with limits, read and written by part.

    Members are read through ``read_member``; XML parts are parsed without entities or network
    access, and one that is not well-formed is an ``InputError`` naming it. ``save`` writes the
    archive back in its own member order and compression, every member byte for byte as it was
    except the parts marked changed, which are serialized again.
    """

    def __init__(self, data: bytes, name: str, kind: str) -> None:
        if data[:8] == _OLE:
            raise InputError(
                f"{name} is password-protected or an old binary Office file: save it as "
                f"{kind} without a password and try again"
            )
        self.name, self.kind = name, kind
        self._zip = open_zip(data, name, kind)
        self._order = list({i.filename: i for i in self._zip.infolist()}.values())  # and folders
        self._infos = {info.filename: info for info in self._zip.infolist() if not info.is_dir()}
        self._folded = {member.lower(): member for member in self._infos}
        # Every member inflated (within the limits) and checked now: a damaged one is refused
        # when the file is read, not when the translation is written.
        self._bytes = {m: read_member(self._zip, i, name) for m, i in self._infos.items()}
        self._trees: dict[str, object] = {}
        self.changed: set[str] = set()

    @property
    def members(self) -> list[str]:
        return list(self._infos)

    def member(self, name: str) -> str | None:
        """The member's name as stored (part names are case-insensitive), or None."""
        name = name.lstrip("/")
        return name if name in self._infos else self._folded.get(name.lower())

    def read(self, name: str) -> bytes:
        stored = self.member(name)
        if stored is None:
            raise InputError(f"{self.name} is damaged: it has no {name}")
        return self._bytes[stored]

    def xml(self, name: str):
        """The part's parsed root element (parsed once; changes are kept until ``save``)."""
        from lxml import etree

        stored = self.member(name)
        if stored is None:
            raise InputError(f"{self.name} is damaged: it has no {name}")
        if stored not in self._trees:
            parser = etree.XMLParser(
                resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
            )
            try:
                tree = etree.parse(io.BytesIO(self.read(stored)), parser)
            except etree.XMLSyntaxError as error:
                raise InputError(
                    f"{self.name} is damaged: {stored} is not well-formed XML ({error})"
                ) from error
            _drop_entities(tree.getroot())
            self._trees[stored] = tree
        return self._trees[stored].getroot()

    def put(self, name: str, data: bytes) -> None:
        """Replace a member's bytes (a part that is not XML, or that a writer rebuilt itself)."""
        stored = self.member(name)
        if stored is None:
            raise KeyError(name)
        self._bytes[stored] = data
        self._trees.pop(stored, None)
        self.changed.discard(stored)

    def touch(self, name: str) -> None:
        """Mark a parsed part as changed, so that ``save`` writes it anew."""
        stored = self.member(name)
        if stored is not None and stored in self._trees:
            self.changed.add(stored)

    def save(self) -> bytes:
        from lxml import etree

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in self._order:
                stored = info.filename
                if info.is_dir():
                    data = b""
                elif stored in self.changed:
                    tree = self._trees[stored]
                    data = etree.tostring(
                        tree,
                        xml_declaration=True,
                        encoding="UTF-8",
                        standalone=tree.docinfo.standalone,
                    )
                else:
                    data = self.read(stored)
                copy = zipfile.ZipInfo(stored, max(info.date_time, (1980, 1, 1, 0, 0, 0)))
                copy.compress_type = (
                    info.compress_type
                    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                    else zipfile.ZIP_DEFLATED
                )
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                target.writestr(copy, data)
        return out.getvalue()


def _drop_entities(root) -> None:
    """Entity references are never resolved (no file or network is read): they are dropped, so
    that the part written back is well-formed without its document type declaration."""
    from lxml import etree

    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is None:
            continue
        tail = entity.tail or ""
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(entity)


def natural(name: str) -> list:
    """Sort key for member names: ``slide2.xml`` before ``slide10.xml``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name.lower())]
