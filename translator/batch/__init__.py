"""Many files and big corpora: ``translate_many()`` and ``translator batch``.

Planning (``plan``), the manifest that makes a batch resumable (``manifest``), corpora
(``corpus``), what a worker does (``work``), the workers on one machine (``local``) and on a Ray
cluster (``cluster``), the progress bar (``progress``), and the run that ties them (``run``).
"""

from __future__ import annotations

from .run import Summary, translate_many
from .work import Settings

__all__ = ["Settings", "Summary", "translate_many"]
