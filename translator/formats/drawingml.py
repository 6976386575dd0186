"""DrawingML text (``a:p``): slides, and the charts and diagrams inside Word and PowerPoint files.

A paragraph holds runs (``a:r``: properties ``a:rPr``, where a hyperlink is a property too, and
text ``a:t``), line breaks (``a:br``, read as a newline in the formatting of its own ``a:rPr``,
else of the run before it), fields (``a:fld``: a slide number, a
date, kept as atoms) and its end properties (``a:endParaRPr``, always last). See ``xmltext`` for
how the English is put back. A line break between sentences stays where it was; one inside a
sentence gives way to the English sentence, which is translated whole.

A diagram (SmartArt) keeps its text in its data part and a drawn copy in its drawing part; the
drawing's paragraphs are twins of the data's, so both show the same English.
"""

from __future__ import annotations

import copy
from collections import deque

from .archive import natural
from .xmltext import Atom, Flavor, Leaf, Unit

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P, _R, _BR, _T = f"{{{A}}}p", f"{{{A}}}r", f"{{{A}}}br", f"{{{A}}}t"
_PPR, _RPR, _END = f"{{{A}}}pPr", f"{{{A}}}rPr", f"{{{A}}}endParaRPr"
_LINK = f"{{{A}}}hlinkClick"

CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CHART_EX = "application/vnd.ms-office.chartex+xml"
DIAGRAM_DATA = "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"
DIAGRAM_DRAWING = "application/vnd.ms-office.drawingml.diagramDrawing+xml"


def drawing_parts(types: dict[str, str]) -> list[str]:
    """Charts, then diagram data, then diagram drawings, each in name order."""
    found = []
    for kinds in ((CHART, CHART_EX), (DIAGRAM_DATA,), (DIAGRAM_DRAWING,)):
        found += sorted((m for m, k in types.items() if k in kinds), key=natural)
    return found


def diagram_twin(types: dict[str, str]):
    """For ``xmltext.collect``: a diagram drawing's paragraph is a shadow of its data's."""

    def shadow_of(unit: Unit) -> tuple[object, bool] | None:
        kind = types.get(unit.part)
        if kind == DIAGRAM_DATA:
            return "diagram", False
        if kind == DIAGRAM_DRAWING:
            return "diagram", True
        return None

    return shadow_of


class DrawingFlavor(Flavor):
    def __init__(self) -> None:
        self._ends: dict[int, object] = {}

    def paragraphs(self, root):
        return list(root.iter(_P))

    def walk(self, paragraph, counter):
        from lxml import etree

        items: list = []
        previous = None
        for child in paragraph:
            if not isinstance(child.tag, str) or child.tag in (_PPR, _END):
                continue
            if child.tag == _R:
                props = child.find(_RPR)
                key = "" if props is None else etree.tostring(props, encoding="unicode")
                text = "".join(t.text or "" for t in child.iter(_T))
                link = props is not None and props.find(_LINK) is not None
                items.append(Leaf(text, (), key, child, link))
                previous = key
            elif child.tag == _BR:
                if previous is None:  # a break before any run: formatted as the next run
                    following = child.getnext()
                    while following is not None and following.tag != _R:
                        following = following.getnext()
                    props = None if following is None else following.find(_RPR)
                    previous = "" if props is None else etree.tostring(props, encoding="unicode")
                own = child.find(_RPR)  # a break's own properties, where it has them
                key = previous if own is None else etree.tostring(own, encoding="unicode")
                items.append(Leaf("\n", (), key, child))
            else:
                items.append(Atom([child], ()))
        return items

    def clear(self, paragraph):
        for child in list(paragraph):
            if child.tag == _END:
                self._ends[id(paragraph)] = child
            if child.tag != _PPR:
                paragraph.remove(child)
        return paragraph

    def finish(self, paragraph):
        end = self._ends.pop(id(paragraph), None)
        if end is not None:
            paragraph.append(end)

    def emit(self, parent, text, leaves: deque, prototype: Leaf, state):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line:
                run = _take(leaves, _R)
                if run is None:
                    run = _new_run(prototype)
                for t in list(run.iter(_T)):
                    t.getparent().remove(t)
                from lxml import etree

                etree.SubElement(run, _T).text = line
                parent.append(run)
            if i < len(lines) - 1:
                br = _take(leaves, _BR)
                parent.append(_new_break(prototype) if br is None else br)


def _take(leaves: deque, tag: str):
    for element in leaves:
        if element.tag == tag:
            leaves.remove(element)
            return element
    return None


def _new_run(prototype: Leaf):
    from lxml import etree

    if prototype.element is not None and prototype.element.tag == _R:
        return copy.deepcopy(prototype.element)
    run = etree.Element(_R)
    props = None if prototype.element is None else prototype.element.find(_RPR)
    if props is not None:
        run.append(copy.deepcopy(props))
    return run


def _new_break(prototype: Leaf):
    from lxml import etree

    br = etree.Element(_BR)
    props = None if prototype.element is None else prototype.element.find(_RPR)
    if props is not None:
        br.append(copy.deepcopy(props))
    return br
