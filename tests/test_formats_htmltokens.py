"""HTML tokens with offsets: the browsers' tokenizer tests, token by token, and the tree builder's
say over the tokenizer (raw text, foreign content)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from html5lib.constants import tokenTypes

from translator.formats.htmltokens import _Run, tokenize

SUITE = Path(__file__).parent / "data" / "html" / "html5lib-tests" / "tokenizer"
STATES = {
    "Data state": "dataState",
    "PLAINTEXT state": "plaintextState",
    "RCDATA state": "rcdataState",
    "RAWTEXT state": "rawtextState",
    "Script data state": "scriptDataState",
    "CDATA section state": "cdataSectionState",
}
# html5lib turns NUL into U+FFFD inside CDATA sections, which the standard leaves alone; a page's
# CDATA is only ever inside SVG or MathML, which are not translated.
KNOWN = {"NUL in CDATA section"}


def _unescape_double(value):
    if isinstance(value, str):
        return re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), value)
    if isinstance(value, list):
        return [_unescape_double(v) for v in value]
    if isinstance(value, dict):
        return {_unescape_double(k): _unescape_double(v) for k, v in value.items()}
    return value


def _cases(path: Path):
    for number, test in enumerate(json.loads(path.read_text("utf-8")).get("tests", [])):
        if test["description"] in KNOWN:
            continue
        if test.get("doubleEscaped"):
            test = {**test, **_unescape_double({k: test[k] for k in ("input", "output")})}
        for state in test.get("initialStates", ["Data state"]):
            yield number, test, state


def _merged(tokens):
    out = []
    for token in tokens:
        if token[0] == "Character" and out and out[-1][0] == "Character":
            out[-1] = ["Character", out[-1][1] + token[1]]
        elif token[0] == "DOCTYPE":
            out.append(["DOCTYPE"])
        else:
            out.append(list(token))
    return out


def _check(test: dict, state: str) -> str:
    """Empty if the tokens are the standard's and tile the input with right offsets."""
    text = test["input"]
    run = _Run(text.replace("\r", "\n"), 0)
    tokenizer = run.tokenizer
    tokenizer.state = getattr(tokenizer, STATES[state])
    run.text_states.add(tokenizer.state)
    if "lastStartTag" in test:
        tokenizer.currentToken = {"type": tokenTypes["StartTag"], "name": test["lastStartTag"]}
        run.raw_name = test["lastStartTag"]
    tokens = list(run.tokens())
    position = 0
    for token in tokens:
        if token.start != position:
            return f"a gap or overlap before {token}"
        position = token.end
    if position != len(text):
        return f"the tokens end at {position}, not {len(text)}"
    got = []
    for token in tokens:
        raw = text[token.start : token.end]
        if token.kind == "text":
            got.append(["Character", token.data])
        elif token.kind == "start":
            if not (raw.startswith("<") and raw.endswith(">")):
                return f"start tag at {raw!r}"
            got.append(
                ["StartTag", token.name, token.attrs, *([True] if token.self_closing else [])]
            )
            for name, (start, end, _) in token.values.items():
                value = text[start:end].replace("\r", "\n").replace("\0", "\ufffd")
                if "&" not in value and value != token.attrs[name]:
                    return f"value of {name} at {value!r}"
        elif token.kind == "end":
            got.append(["EndTag", token.name])
        elif token.kind == "comment":
            got.append(["Comment", token.data])
        elif token.kind == "doctype":
            got.append(["DOCTYPE"])
    # CR becomes one LF each here (so offsets stay); the standard folds CR LF into one LF
    if "\r" not in text and _merged(got) != _merged(test["output"]):
        return f"tokens {_merged(got)!r}, not {_merged(test['output'])!r}"
    return ""


@pytest.mark.parametrize("path", sorted(SUITE.glob("*.test")), ids=lambda p: p.stem)
def test_tokens_are_the_standards_and_their_offsets_tile_the_input(path):
    failures = [
        f"{number} ({state}) {test['input']!r}: {problem}"
        for number, test, state in _cases(path)
        if (problem := _check(test, state))
    ]
    assert not failures, "\n".join(failures[:5])


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, text[t.start : t.end]) for t in tokenize(text)]


def test_markup_a_browser_drops_is_hidden():
    assert _kinds("a</>b<di") == [
        ("text", "a"),
        ("hidden", "</>"),
        ("text", "b"),
        ("hidden", "<di"),
    ]
    assert _kinds("<p title='x") == [("hidden", "<p title='x")]
    assert _kinds("</ x >y")[0] == ("comment", "</ x >")


def test_script_data_ends_where_a_browser_ends_it():
    page = "<script><!--<script></script> a </script>--> b"
    assert _kinds(page) == [
        ("start", "<script>"),
        ("text", "<!--<script></script> a "),
        ("end", "</script>"),
        ("text", "--> b"),
    ]
    self_closing = "<script/>var a = '<p>';</script>"
    assert [t.name for t in tokenize(self_closing)] == ["script", "script", "script"]


@pytest.mark.parametrize(
    ("element", "kind"),
    [("title", "title"), ("textarea", "textarea"), ("style", "style"), ("noscript", "noscript")],
)
def test_raw_text_elements_hold_markup_as_text(element, kind):
    page = f"<{element}><b>x</b></{element}><b>"
    tokens = list(tokenize(page))
    assert [(t.kind, t.name) for t in tokens] == [
        ("start", element),
        ("text", kind),
        ("end", element),
        ("start", "b"),
    ]


def test_foreign_content_is_not_raw_text_and_ends_where_html_takes_over():
    page = (
        "<svg><style><![CDATA[a<b]]></style><title>T</title></svg><p><math><mi><b>x</b></mi></math>"
    )
    tokens = list(tokenize(page))
    foreign = [page[t.start : t.end] for t in tokens if t.foreign]
    assert foreign[:4] == ["<svg>", "<style>", "<![CDATA[a<b]]>", "</style>"]
    assert "<p>" not in foreign and "</svg>" in foreign and "</math>" in foreign
    breakout = list(tokenize("<svg><g><p>Text</p>"))
    assert [(t.name, t.foreign) for t in breakout][:3] == [("svg", True), ("g", True), ("p", False)]


def test_attribute_values_are_found_in_every_quoting():
    page = """<a title="Ein &quot;Tipp&quot;" alt='zwei' lang=de data-x>"""
    (token,) = tokenize(page)
    spans = {name: page[a:b] for name, (a, b, _) in token.values.items()}
    assert spans == {"title": "Ein &quot;Tipp&quot;", "alt": "zwei", "lang": "de"}
    assert token.attrs["title"] == 'Ein "Tipp"' and token.attrs["data-x"] == ""
    assert {name: q for name, (_, _, q) in token.values.items()} == {
        "title": '"',
        "alt": "'",
        "lang": "",
    }


def test_tokens_of_a_part_have_offsets_in_the_whole():
    page = "<noscript><p>Hallo</p></noscript>"
    inner = list(tokenize(page, 10, 22))
    assert [page[t.start : t.end] for t in inner] == ["<p>", "Hallo", "</p>"]
