"""Where a model's files come from: a local directory, the Hugging Face cache, or the hub.

The hub client retries a failed connection for minutes; a user without network should hear so at
once. So: a local directory is used as it is; a hub id is looked up in the cache first (no
network at all), then with one quick metadata request, and only then downloaded.

A hub model's revision is its commit; a local folder's is a hash of the files that decide a
translation (``fingerprint``), so a model changed in place gets a new signature, a new
conversion and new cached sentences. Every file a load reads must be a regular file of a sane
size: a device or FIFO in the folder would make a read that never ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import InputError, ModelLoadError
from ..files import read_capped, sha256_of

REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
METADATA_PATTERNS = ["*.json", "*.spm"]
SMALL_SUFFIXES = (".json", ".spm")  # configs, vocabularies, SentencePiece models: read whole
MAX_SMALL_FILE = 64 * 2**20  # opus-mt's largest is 1.3 MB; more is a damaged or wrong folder
FINGERPRINTS = "model-fingerprints.json"  # in the cache folder: file hashes by file identity
MAX_FINGERPRINTS = 2000  # files remembered (oldest forgotten first)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    model_id: str  # as the user named it
    path: Path  # a local directory holding the files
    revision: str  # hub commit, or a fingerprint of the local files


def resolve_model(name: str) -> ResolvedModel:
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelLoadError(name, f"{path} is a file, not a model directory")
        _check_files(name, path)
        return ResolvedModel(name, path, "local-" + fingerprint(path))
    if _looks_like_path(name):
        raise ModelLoadError(name, f"the directory {path} does not exist")
    return _from_hub(name)


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") != 1 or "\\" in name


def _check_files(name: str, path: Path) -> None:
    """The files a load reads are there, regular (not a device or FIFO: a read would never end)
    and, except the weights, of a sane size."""
    missing = [f for f in REQUIRED_FILES if not (path / f).exists()]
    if not any((path / f).exists() for f in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelLoadError(name, f"{path} lacks {', '.join(missing)}")
    for file in _model_files(path, regular_only=False):
        try:
            info = file.stat()
        except OSError as error:
            raise ModelLoadError(name, f"{file} can't be read ({error.strerror})") from error
        if not stat.S_ISREG(info.st_mode):
            raise ModelLoadError(name, f"{file} is not a regular file (a device or a FIFO?)")
        if file.name not in WEIGHT_FILES and info.st_size > MAX_SMALL_FILE:
            raise ModelLoadError(
                name,
                f"{file} is {info.st_size // 2**20} MB, more than any model's {file.name} "
                f"({MAX_SMALL_FILE // 2**20} MB at most): is the folder damaged?",
            )


def _model_files(path: Path, *, regular_only: bool = True) -> list[Path]:
    """The files that decide a translation: the weights, configs, vocabularies, SentencePiece
    models (not a README or the weights of other frameworks)."""
    found = []
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if not (entry.name in WEIGHT_FILES or entry.name.endswith(SMALL_SUFFIXES)):
            continue
        try:
            if entry.is_dir():
                continue
            if regular_only and not entry.is_file():
                continue
        except OSError:
            continue
        found.append(Path(entry.path))
    return found


def fingerprint(path: Path) -> str:
    """What the model folder holds, as 16 hex digits: a hash over every file that decides a
    translation, each hashed whole.

    Hashing the weights takes a moment (about a second for opus-mt), so each file's hash is kept
    in the cache folder by the file's identity (device, inode, size, modification and change
    times): a file changed in place, even with its size and modification time kept, is hashed
    anew; an unchanged one is not read again.
    """
    store = _HashStore.open()
    digest = hashlib.sha256()
    for file in _model_files(path):
        info = file.stat()
        file_hash = store.get(info)
        if file_hash is None:
            file_hash = _hash_file(file)
            store.put(info, file_hash)
        digest.update(f"{file.name}\0{info.st_size}\0{file_hash}\0".encode())
    store.save()
    return digest.hexdigest()[:16]


def _hash_file(file: Path) -> str:
    return sha256_of(file)


class _HashStore:
    """File hashes by identity, in a small JSON file; unreadable or unwritable: hash again."""

    def __init__(self, path: Path, entries: dict[str, list]) -> None:
        self.path = path
        self.entries = entries
        self.changed = False

    @classmethod
    def open(cls) -> _HashStore:
        path = config.folder(config.CACHE_DIR, config.cache_home()) / FINGERPRINTS
        entries: dict[str, list] = {}
        try:
            data = json.loads(read_capped(path, MAX_SMALL_FILE))
            if isinstance(data, dict) and isinstance(data.get("files"), dict):
                entries = data["files"]
        except (InputError, ValueError):
            pass  # none yet, or damaged: start afresh
        return cls(path, entries)

    @staticmethod
    def _key(info: os.stat_result) -> str:
        return f"{info.st_dev}:{info.st_ino}"

    @staticmethod
    def _stamp(info: os.stat_result) -> list:
        return [info.st_size, info.st_mtime_ns, info.st_ctime_ns]

    def get(self, info: os.stat_result) -> str | None:
        entry = self.entries.get(self._key(info))
        if (
            isinstance(entry, list)
            and len(entry) == 4
            and entry[:3] == self._stamp(info)
            and isinstance(entry[3], str)
        ):
            return entry[3]
        return None

    def put(self, info: os.stat_result, file_hash: str) -> None:
        key = self._key(info)
        self.entries.pop(key, None)
        self.entries[key] = [*self._stamp(info), file_hash]
        while len(self.entries) > MAX_FINGERPRINTS:
            del self.entries[next(iter(self.entries))]
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        self.changed = False
        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".fingerprints-", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"version": 1, "files": self.entries}, out)
            os.replace(temporary, self.path)
        except OSError as error:  # a read-only cache: the files are hashed again next time
            log.debug("can't keep model fingerprints in %s: %s", self.path, error)
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _from_hub(repo_id: str) -> ResolvedModel:
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.utils import HfHubHTTPError

    try:
        cached = Path(snapshot_download(repo_id, local_files_only=True))
        _check_files(repo_id, cached)
        return ResolvedModel(repo_id, cached, cached.name)
    except (OSError, ValueError, ModelLoadError):
        pass  # not (completely) cached: ask the hub
    if os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0") or os.environ.get(
        "TRANSFORMERS_OFFLINE", ""
    ) not in ("", "0"):
        raise ModelLoadError(repo_id, "it is not in the local cache and HF_HUB_OFFLINE is set")
    try:
        info = HfApi().model_info(repo_id, timeout=15)
    except HfHubHTTPError as error:
        raise ModelLoadError(repo_id, f"the Hugging Face hub refused it ({error})") from error
    except Exception as error:  # httpx and socket errors vary by version
        raise ModelLoadError(
            repo_id, f"the Hugging Face hub could not be reached ({error})"
        ) from error
    files = {s.rfilename for s in info.siblings or []}
    weights = next((w for w in WEIGHT_FILES if w in files), None)
    if weights is None:
        raise ModelLoadError(repo_id, "the hub repository holds no PyTorch weights")
    try:
        local = Path(
            snapshot_download(
                repo_id, revision=info.sha, allow_patterns=[*METADATA_PATTERNS, weights]
            )
        )
    except Exception as error:
        raise ModelLoadError(repo_id, f"the download failed ({error})") from error
    _check_files(repo_id, local)
    return ResolvedModel(repo_id, local, info.sha or local.name)
