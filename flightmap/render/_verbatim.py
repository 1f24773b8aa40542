"""Finished text in a branca page without compiling it as a Jinja template.

When a page renders, every folium element renders its own Jinja template and wraps the result
in ``branca.element.Element(text)``, whose constructor compiles ``text`` as a *new* Jinja
template, rendered once more when the page is assembled. For a map most of the page is such
text (popups, GeoJSON, the encoded tracks), so about 0.15 s of a ~1.3 s ``flightmap render``
of the default case, and 0.1 s of a 1M-point track page, went to compiling data as templates
(profiled with cProfile; benchmarks/README.md).

A text with no Jinja delimiter (``{{``, ``{%``, ``{#``) renders to itself with its line
breaks normalised to ``\\n`` and one trailing line break dropped, which is what Jinja's lexer
does with the default settings branca uses. :class:`VerbatimElement` returns exactly that
without compiling; a text with a delimiter is compiled and rendered as before, so the page is
byte for byte the same either way (tests/test_render.py compares the two).

:func:`verbatim_elements` makes the ``Element(text)`` calls inside branca's and folium's
``render`` methods take this shortcut for the duration of one page render, under a lock, and
restores them afterwards. It does so by binding the name ``Element`` in those modules to a
stand-in class; another thread that builds folium objects meanwhile gets the stand-in too, but
for it the stand-in is a plain ``Element`` (no shortcut outside the rendering thread) and
``isinstance(x, Element)`` checks (folium's ``Popup``) answer as for ``Element``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import branca.element
import folium.features
import folium.map
from branca.element import Element

_DELIMITERS: Final = ("{{", "{%", "{#")
_NEWLINE: Final = re.compile(r"\r\n|\r|\n")  # jinja2.lexer.newline_re
# The modules whose render() methods build Element(text) by the global name ``Element``.
_MODULES: Final = (branca.element, folium.map, folium.features)
_LOCK = threading.RLock()


def as_rendered(text: str) -> str | None:
    """What a Jinja template of ``text`` renders to, if ``text`` holds no Jinja delimiter
    (else None).

    >>> as_rendered("a\\r\\nb\\n")
    'a\\nb'
    >>> as_rendered("{{ 7*7 }}") is None
    True
    """
    if any(d in text for d in _DELIMITERS):
        return None
    text = _NEWLINE.sub("\n", text)
    return text[:-1] if text.endswith("\n") else text


class VerbatimElement(Element):
    """``branca.element.Element(template)`` that skips compiling a template without Jinja
    syntax: it renders to :func:`as_rendered` of it. Any other use is the base class's."""

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        self._verbatim = as_rendered(template) if template is not None else None
        if self._verbatim is not None:
            super().__init__()
            self._template_str = template
        else:
            super().__init__(template, template_name)

    def render(self, **kwargs: Any) -> str:
        if self._verbatim is not None:  # such a template cannot show children either
            return self._verbatim
        return str(super().render(**kwargs))


class _AsElement(type):
    """isinstance and issubclass against the stand-in answer as against ``Element`` itself,
    which the stand-in replaces by name."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Element)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, Element)


class _StandIn(VerbatimElement, metaclass=_AsElement):
    """What the name ``Element`` means in branca and folium during a render: the shortcut in
    the rendering thread, a plain ``Element`` in any other."""

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        if getattr(_RENDERING, "depth", 0):
            super().__init__(template, template_name)
        else:
            self._verbatim = None
            Element.__init__(self, template, template_name)


_RENDERING = threading.local()


@contextmanager
def verbatim_elements() -> Iterator[None]:
    """Within this block, ``Element(text)`` in branca's and folium's render methods, called
    from this thread, takes the :class:`VerbatimElement` shortcut (the same page, without
    compiling data as templates)."""
    with _LOCK:
        saved = [(module, module.Element) for module in _MODULES]
        _RENDERING.depth = getattr(_RENDERING, "depth", 0) + 1
        try:
            for module, _ in saved:
                module.Element = _StandIn  # type: ignore[attr-defined]
            yield
        finally:
            _RENDERING.depth -= 1
            for module, original in saved:
                module.Element = original  # type: ignore[attr-defined]
