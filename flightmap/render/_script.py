"""Text that goes into the page's scripts as it is: JSON that no input can break out of, and
elements whose rendered output skips branca's second Jinja pass."""

from __future__ import annotations

import json
import re
from typing import Any

from branca.element import Element, Figure, MacroElement

__all__ = ["Prerendered", "Text", "encoded_json", "page_json", "script_json"]

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACES = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def _braces(m: re.Match[str]) -> str:
    text = m.group(0)
    return text.translate(_BRACES) if "{" in text or "}" in text else text


def script_json(value: Any) -> str:
    r"""Compact JSON for a ``<script>`` that no string in it can break out of.

    The escaping of :func:`flightmap.render.safe_json`, without spaces: ``< > &`` and
    U+2028/2029 are escaped, so no string can close the script element, and braces inside
    strings become ``\u007b``/``\u007d``, so no string can open a Jinja expression.

    >>> print(script_json({"a": ["{{7*7}}</script>", 1]}))
    {"a":["\u007b\u007b7*7\u007d\u007d\u003c/script\u003e",1]}
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    return _JSON_STRING.sub(_braces, text)


def page_json(value: Any) -> str:
    r"""Compact JSON that no string in it can turn into markup or a Jinja tag, for large
    payloads (the basemap's): cheaper and smaller than :func:`script_json`, which escapes
    every brace inside strings.

    ``< > &`` and U+2028/2029 are escaped, so no string closes the ``<script>``; a ``{``
    before ``{``, ``%`` or ``#`` (which would open a Jinja tag when branca compiles the
    rendered script again) becomes ``\u007b``. Outside strings this JSON has no such pair.

    >>> print(page_json(["</script>{{7*7}}"]))
    ["\u003c/script\u003e\u007b{7*7}}"]
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES:
        text = text.replace(raw, escaped)
    return _JINJA_OPEN.sub(r"\\u007b", text)


def encoded_json(text: str) -> str:
    r"""An encoded polyline or integer string as a JSON string for a script.

    Its characters are ``?`` (63) to ``~`` (126): JSON escapes only the backslash, and none
    can close a script. Of the braces, which are about one character in 30, only a ``{``
    that would open a Jinja tag (``{{``; ``%`` and ``#`` never occur) is escaped: escaping
    them all would make the page about 8 % larger.

    >>> print(encoded_json("_p{{iF\\~}"))
    "_p\u007b{iF\\~}"
    """
    return '"' + _JINJA_OPEN.sub(r"\\u007b", text.replace("\\", "\\\\")) + '"'


class Text(Element):
    """Already-rendered text, inserted into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class Prerendered(MacroElement):
    """A MacroElement whose rendered macros go into the page as text.

    branca wraps each rendered macro in a new ``Element``, which compiles it as a Jinja
    template again; for a script holding a large payload that re-parse cost more than
    building the payload. The output is the same.
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure)
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Text(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""
