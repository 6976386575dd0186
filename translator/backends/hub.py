"""Where a model's files come from: a local directory, the Hugging Face cache, or the hub.

The hub client retries a failed connection for minutes; a user without network should hear so at
once. So: a local directory is used as it is; a hub id is looked up in the cache first (no
network at all), then with one quick metadata request, and only then downloaded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelLoadError

REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
METADATA_PATTERNS = ["*.json", "*.spm"]


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
        return ResolvedModel(name, path, "local-" + _fingerprint(path))
    if _looks_like_path(name):
        raise ModelLoadError(name, f"the directory {path} does not exist")
    return _from_hub(name)


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") != 1 or "\\" in name


def _check_files(name: str, path: Path) -> None:
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if not any((path / f).is_file() for f in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelLoadError(name, f"{path} lacks {', '.join(missing)}")


def _fingerprint(path: Path) -> str:
    """Cheap identity of local files: small files whole, weights by size and their ends."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in path.iterdir() if p.is_file()):
        file = path / name
        size = file.stat().st_size
        digest.update(f"{name}\0{size}\0".encode())
        with file.open("rb") as handle:
            if size <= 2 << 20:
                digest.update(handle.read())
            else:
                digest.update(handle.read(1 << 20))
                handle.seek(-(1 << 20), os.SEEK_END)
                digest.update(handle.read())
    return digest.hexdigest()[:12]


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
