"""Inline markup (bold runs, links, ``code``, tags) moved from German words onto English ones.

A unit's markup is a list of ``Mark``s over its plain text: paired marks (emphasis, a link, a
Word run's formatting) cover a stretch; atoms (an inline code span, an image, ``<br>``) sit at a
point and are never translated. ``transfer`` decides for every English character which marks
cover it, and where each atom goes:

* Each paired mark follows its own German words. With word alignment (``Sentence.links``) it
  covers the English words linked to them wherever they landed, with the unlinked words and the
  spaces between them; so a mark may come out in several pieces, or nested differently.
* A mark over a whole sentence (all of its letters and digits) covers the whole translation,
  less the punctuation it left outside: a link over a sentence doesn't swallow its full stop.
* A sentence that came back unchanged (a name, a number) keeps every mark on its characters.
* A mark over part of a word (the ``2`` of ``m2``, a note marker, two links written together)
  stays on the same characters where the English word still holds them; a part with letters of
  a word that was translated takes its share of the English (the same letters if they are
  there, else whole words in order); a part without letters that the English lacks is left out
  rather than spread over a word.
* Essential marks (links: losing one loses content) are exclusive (a character is in at most
  one) and never end up without text: a link whose words lost every English word falls back to
  a word it shares with another link, then to the words at its place in the sentence, then to
  the whole sentence. Without any alignment, essential marks are placed in proportion to their
  place in the sentence; the others (bold, italic) are dropped unless they cover a sentence.
* Kept marks (every element of an HTML page: the file must keep it) are never dropped either,
  but share their characters: one that found no English of its own takes the words at its
  place in the sentence, else the whole sentence.
* A paired mark without text of its own (a link around only ``code`` or an image, an empty
  ``<span>``) is kept whole as an atom.
* An atom goes after the English of the German word it touches on the left, else before the
  word it touches on the right, else after the nearest word before it; at a sentence's end it
  stays there. Where it can't stay beside the word it touched, it is written apart from its new
  neighbours; a line break never lands at the start or end. It stays inside the marks that held
  it in German (their pieces reach over spaces to take it in).

The result is always well nested: where marks overlap, the one that runs further is opened
first and the other is split around it; a piece never begins or ends with a space.

The stages, one module each: ``marks`` (the data model, and writing marks out), ``unit`` (the
unit and its sentences as every stage reads them), ``covers`` and ``subwords`` (which English
characters each paired mark covers), ``exclusive`` (links and kept marks: never lost), ``atoms``
(where atoms go), ``nesting`` (the well-nested result).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...document import Document, Paragraph, Span
from ..base import unit_english
from .atoms import Atoms
from .covers import Covers
from .exclusive import settle
from .marks import Mark, pieces, render, with_padding
from .nesting import nest
from .unit import Unit

__all__ = ["Mark", "pieces", "render", "transfer"]


def transfer(
    document: Document, unit: Span, paragraph: Paragraph | None, marks: Sequence[Mark]
) -> tuple[str, list[Mark]]:
    """The unit's English, and the marks on it (English coordinates), well nested.

    The returned marks are in document order (a mark before the marks inside it); their
    ``parent`` indices point into the returned list. A German mark may become several.
    """
    english = unit_english(document, unit, paragraph)
    plain = unit.of(document.source)
    marks = [with_padding(m, plain) for m in marks]
    if paragraph is None:  # nothing was translated: everything stays where it was
        return english, list(marks)
    seen = Unit(document, unit, paragraph, english, plain, marks)
    atoms = Atoms(seen)  # paired marks without text, with everything inside them, become atoms
    covers = Covers(seen)
    for m in seen.paired:
        covers.place(m)
    settle(covers, atoms)
    return english, nest(seen, covers, atoms)
