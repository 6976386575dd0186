"""A persistent sentence cache, so that translating an edited document only translates what changed.

One SQLite file (``$TRANSLATOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/translator``, else
``~/.cache/translator``; ``sentences.sqlite3``) maps a key — the normalised source sentence plus
everything that decides its translation — to a JSON value the engine wrote. It is only ever an
optimisation: a damaged file is rebuilt, a locked or unwritable one is bypassed, each with a logged
warning, and no error from it ever reaches a translation. WAL mode and a short busy timeout let a
server's threads and a command in another process share one file; one connection serves all
threads of a process behind a lock (SQLite calls take microseconds next to a model call).

A value is a sentence's translation in its own coordinates, in the Document's JSON layout
(``to_value``); ``from_value`` checks every field and places it on the sentence being translated,
which may differ from the stored one in spacing and Unicode composition. A row that doesn't fit
is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import config
from .document import COPIED, FLAGS, Sentence, Span, sentence_from_dict, sentence_to_dict
from .surrogates import has_surrogates
from .words import word_spans

if TYPE_CHECKING:
    from .describe import Translation

FILE_NAME = "sentences.sqlite3"
TABLE = "sentences_v2"  # a new value layout gets a new table; old rows are then simply unused
MAX_OUTPUT_RATIO = 20  # a stored English this many times longer than its German is not ours
BUSY_TIMEOUT_S = 0.2  # wait this long for another writer, then go without the cache
MAX_ENTRIES = 200_000  # about 200 MB of values; the oldest rows go first
KEYS_PER_QUERY = 500  # below SQLite's limit on bound parameters
MAX_ALTERNATIVES = 64  # a stored sentence with more than this many alternatives is not ours

log = logging.getLogger(__name__)
T = TypeVar("T")


def default_cache_dir() -> Path:
    return config.folder(config.CACHE_DIR, config.cache_home())


def default_cache_path() -> Path:
    return default_cache_dir() / FILE_NAME


def enabled_by_default() -> bool:
    """False when ``$TRANSLATOR_CACHE`` says off (for tests, read-only deployments)."""
    return config.switch(config.CACHE)


def normalise(sentence: str) -> str:
    """What the model sees of a sentence: NFC, whitespace runs as one space, no outer spaces."""
    return " ".join(unicodedata.normalize("NFC", sentence).split())


def cache_key(sentence: str, context: str) -> str:
    """The key of ``sentence`` translated under ``context`` (signature and decoding options)."""
    text = f"{context}\n{normalise(sentence)}"
    return hashlib.sha256(
        text.encode("utf-8", "surrogatepass")
    ).hexdigest()  # API text may hold one


def to_value(german: str, translation: Translation) -> dict[str, Any]:
    """What the cache keeps of a sentence's translation (``uncertain`` follows from the scores)."""
    record = sentence_to_dict(translation.sentence)
    del record["uncertain"]
    return {"sentence": german, "english": translation.english, "record": record}


def from_value(german: str, value: Any) -> tuple[str, Sentence] | None:
    """A stored translation placed on ``german``: (English, local Sentence), or None.

    None (a miss) for anything that isn't what ``to_value`` wrote for a sentence with the same
    words: a field of the wrong type, a score that is not finite, an unknown flag or one never
    stored (copied), a span or link out of its text, words out of order or overlapping, an empty,
    far too long or NUL-bearing English or alternative, too many alternatives, other words.
    """
    try:
        stored, english = value["sentence"], value["english"]
        if not isinstance(stored, str) or not isinstance(english, str):
            return None
        sentence = sentence_from_dict(value["record"])
    except (KeyError, TypeError, ValueError):
        return None
    longest = MAX_OUTPUT_RATIO * len(german) + 100
    if (
        not _plausible(english, german, longest)
        or not english.strip()  # only sentences with text are stored: each has its English
        or len(sentence.alternatives) > MAX_ALTERNATIVES
        or not all(_plausible(a, german, longest) for a in sentence.alternatives)
        or any(flag not in FLAGS or flag == COPIED for flag in sentence.flags)
        or not _fits(sentence, stored, english)
    ):
        return None
    if stored != german:
        try:
            sentence.source_words = _same_words(stored, german, sentence.source_words)
        except ValueError:
            return None
    sentence.source = Span(0, len(german))
    return english, sentence


def _plausible(english: str, german: str, longest: float) -> bool:
    return len(english) <= longest and ("\0" not in english or "\0" in german)


def _in_order(words: list[Span]) -> bool:
    """Word spans one after another, none overlapping (as ``word_spans`` finds them)."""
    return all(a.end <= b.start for a, b in itertools.pairwise(words))


def _same_words(stored: str, sentence: str, words: list[Span]) -> list[Span]:
    """``words`` of ``stored`` moved onto the same words of ``sentence`` (ValueError if unsure)."""
    before, after = word_spans(stored), word_spans(sentence)
    if [normalise(w.of(stored)) for w in before] != [normalise(w.of(sentence)) for w in after]:
        raise ValueError("the stored sentence has other words")
    index = {span: i for i, span in enumerate(before)}
    if any(w not in index for w in words):
        raise ValueError("a stored word is not one of the sentence's words")
    return [after[index[w]] for w in words]


def _fits(sentence: Sentence, german: str, english: str) -> bool:
    """Whether every span and link of a stored sentence lies inside its texts."""
    return (
        sentence.target == Span(0, len(english))
        and all(w.end <= len(german) for w in sentence.source_words)
        and all(w.end <= len(english) for w in sentence.target_words)
        and _in_order(sentence.source_words)
        and _in_order(sentence.target_words)
        and all(
            0 <= k.source < len(sentence.source_words)
            and 0 <= k.target < len(sentence.target_words)
            for k in sentence.links
        )
        and (not sentence.word_scores or len(sentence.word_scores) == len(sentence.target_words))
    )


class SentenceCache:
    """Translations by key, in an SQLite file; every failure means a miss, never an error."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._warned: set[str] = set()

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values stored under those of ``keys`` that are present (unreadable ones: absent)."""
        wanted = list(dict.fromkeys(keys))

        def read(connection: sqlite3.Connection) -> dict[str, Any]:
            found: dict[str, Any] = {}
            for start in range(0, len(wanted), KEYS_PER_QUERY):
                chunk = wanted[start : start + KEYS_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value FROM {TABLE} WHERE key IN ({marks})"
                for key, value in connection.execute(query, chunk):
                    try:
                        found[key] = json.loads(value)
                    except ValueError:
                        continue  # a damaged row is a miss; the next store replaces it
            return found

        return self._use(read, {}, "read from") if wanted else {}

    def lookup(
        self, sentences: Mapping[int, str], context: str
    ) -> tuple[dict[int, str], dict[int, tuple[str, Sentence]]]:
        """Each sentence's key under ``context``, and the stored translations that fit.

        A found translation is (English, Sentence in local coordinates) placed on the given
        sentence; a row that doesn't fit is left out, so the sentence is translated again.
        """
        keys = {i: cache_key(s, context) for i, s in sentences.items()}
        stored = self.get_many(keys.values()) if keys else {}
        found = {}
        for i, key in keys.items():
            if key in stored and (placed := from_value(sentences[i], stored[key])) is not None:
                found[i] = placed
        return keys, found

    def put_many(self, items: Mapping[str, Any]) -> None:
        """Store JSON-serialisable values; a store that can't be made is skipped."""
        if not items:
            return
        now = time.time()
        rows = [(key, _dumps(value), now) for key, value in items.items()]

        def write(connection: sqlite3.Connection) -> None:
            with connection:
                connection.executemany(
                    f"INSERT OR REPLACE INTO {TABLE} (key, value, stored) VALUES (?, ?, ?)", rows
                )

        self._use(write, None, "write to")

    def clear(self) -> int:
        """Remove every cached sentence; the number removed (a damaged file is just deleted)."""
        if not self.path.exists():
            return 0

        def delete(connection: sqlite3.Connection) -> int:
            with connection:
                return connection.execute(f"DELETE FROM {TABLE}").rowcount

        return self._use(delete, 0, "clear")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- failure handling -------------------------------------------------------------------

    def _use(self, operation: Callable[[sqlite3.Connection], T], fallback: T, verb: str) -> T:
        """Run ``operation`` on the connection; rebuild a damaged file once, else ``fallback``."""
        with self._lock:
            for attempt in range(2):
                try:
                    connection = self._open()
                    if connection is None:
                        return fallback
                    return operation(connection)
                except sqlite3.Error as error:
                    if _is_damaged(error) and attempt == 0:
                        self._warn(
                            "damaged",
                            f"the sentence cache {self.path} is damaged "
                            f"({error}); starting a new one",
                        )
                        self._remove_files()
                        continue
                    self._warn(
                        f"{verb}:{error}",
                        f"can't {verb} the sentence cache "
                        f"{self.path} ({error}); translating without it",
                    )
                    if _is_damaged(error):
                        self._drop_connection()
                    return fallback
            return fallback

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._warn(
                "mkdir",
                f"can't create {self.path.parent} for the sentence cache "
                f"({error.strerror}); translating without it",
            )
            return None
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL, stored REAL NOT NULL)"
            )
            _prune(connection)
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _remove_files(self) -> None:
        self._drop_connection()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            except OSError as error:
                log.warning("can't remove %s%s: %s", self.path, suffix, error.strerror)

    def _warn(self, reason: str, message: str) -> None:
        """Log each kind of trouble once per cache, not once per sentence."""
        if reason not in self._warned:
            self._warned.add(reason)
            log.warning(message)


def _dumps(value: Any) -> str:
    """JSON for a row: UTF-8 as is, or escaped where a lone surrogate (API text) can't be."""
    text = json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if has_surrogates(text) else text


def _prune(connection: sqlite3.Connection) -> None:
    """Keep the file bounded: beyond ``MAX_ENTRIES`` rows, the oldest stored go."""
    (count,) = connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    if count > MAX_ENTRIES:
        with connection:
            connection.execute(
                f"DELETE FROM {TABLE} WHERE key IN "
                f"(SELECT key FROM {TABLE} ORDER BY stored LIMIT ?)",
                (count - MAX_ENTRIES,),
            )


def _is_damaged(error: sqlite3.Error) -> bool:
    """Not a database, or a malformed one (as opposed to locked, read-only or full)."""
    name = getattr(error, "sqlite_errorname", "")
    if name:
        return name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
    return type(error) is sqlite3.DatabaseError
