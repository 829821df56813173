"""Laying a sheet out: HTML, Markdown and text through Jinja2 templates, PDF through WeasyPrint.

The HTML template escapes everything (autoescape); the Markdown one escapes Markdown and HTML
syntax; so no text from a trip file can become markup. Links to follow from paper (a map, an
online meeting) print in HTML as QR codes (segno, inline SVG) with a short label; the text
formats print the link itself. The templates lay out what the sheet holds, in the order of
``Sheet.sections``: what an audience gets was decided before the sheet was built.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from typing import Any, Literal, overload

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
from markupsafe import Markup

from ._cache import cache_dir
from ._exceptions import TripplanError
from ._sheet import Format, Sheet
from ._version import __version__

__all__ = ["render_sheet"]

# What can start markup in Markdown (emphasis, code, links, tables, headings, quotes) or in the HTML
# Markdown passes through; other punctuation stays as it is, readable in a mail body.
_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]|#>"} | {"<": "&lt;", "&": "&amp;"})
# What can start a block at the beginning of a line besides those: a list item (- + 1. 1)), a
# thematic break or setext underline (- = ~ fences), so a line of trip text never starts one.
_BLOCK_START = re.compile(r"^[-+=~]")


def _markdown_line(line: str) -> str:
    escaped = line.strip().translate(_MD_SPECIAL)
    number = re.match(r"\d{1,9}(?=[.)])", escaped)
    if number:
        end = number.end()
        return f"{escaped[:end]}\\{escaped[end:]}"
    return f"\\{escaped}" if _BLOCK_START.match(escaped) else escaped


def _markdown(value: Any) -> Any:
    """Markdown-escape everything a template prints: trip text stays text in any renderer.

    Inline markup is escaped everywhere; every line of a value is escaped where a block could
    start, and the lines of a multi-line value are joined by hard line breaks, so they continue
    the paragraph, list item or quote the template put the value in."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return "\\\n".join(_markdown_line(line) for line in str(value).splitlines() or [""])


def _one_line(value: Any) -> Any:
    """Plain text: every value on the line its label is on (line breaks become " / ")."""
    if value is None:
        return ""
    text = str(value)
    lines = text.splitlines()
    return " / ".join(line.strip() for line in lines) if len(lines) > 1 else text


@functools.cache
def _qr(href: str) -> Markup:
    """A link as a QR code, inline SVG (segno): paths only, so nothing of the link's text can
    become markup. It prints at any size the stylesheet gives it (``viewBox``, no width)."""
    import segno

    code = segno.make(str(href), error="m", micro=False)
    svg = code.svg_inline(scale=1, border=2, omitsize=True, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-hidden="true" ', 1))


class _CompiledTemplates(FileSystemBytecodeCache):
    """Templates compiled once and kept in tripplan's cache folder (``templates``): a cold
    command loads one in a millisecond instead of compiling it in 40.

    An entry is keyed by everything its code depends on (the environment's settings, the
    Jinja2 installation and tripplan release, the template's name) and Jinja2 checks it against the
    template's source; an entry that cannot be read, or a folder that cannot be written, is no
    cache at all: the template is compiled, as without one."""

    def __init__(self, settings: str) -> None:
        super().__init__(str(cache_dir() / "templates"), "%s.jinja")
        self._settings = settings

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self._settings}|{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, LookupError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # compiled again next time


@functools.cache
def _environment(kind: Literal["html", "md", "txt"]) -> Any:
    finalize = {"md": _markdown, "txt": _one_line}.get(kind)
    settings: dict[str, Any] = {
        "autoescape": kind == "html",
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "finalize": finalize,
    }
    described = {k: getattr(v, "__qualname__", v) for k, v in settings.items()}
    installed = os.stat(jinja2.__file__)  # a Jinja2 installed anew compiles anew
    release = f"{__version__}|{jinja2.__file__}|{installed.st_size}|{installed.st_mtime_ns}"
    environment = Environment(
        loader=PackageLoader("tripplan", "templates"),
        bytecode_cache=_CompiledTemplates(f"{release}|{described}"),
        **settings,
    )
    environment.filters["qr"] = _qr
    return environment


@overload
def render_sheet(sheet: Sheet, format: Literal["html", "md", "txt"] = "html") -> str: ...
@overload
def render_sheet(sheet: Sheet, format: Literal["pdf"]) -> bytes: ...
@overload
def render_sheet(sheet: Sheet, format: Format) -> str | bytes: ...


def render_sheet(sheet: Sheet, format: Format = "html") -> str | bytes:
    """The sheet as HTML, Markdown or text (str), or PDF (bytes; needs ``tripplan[pdf]``)."""
    if format == "pdf":
        return _pdf(render_sheet(sheet, "html"))
    template = _environment(format).get_template(f"sheet.{format}.j2")
    return str(template.render(sheet=sheet, L=sheet.labels))


def _pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError:
        raise TripplanError(
            "PDF output needs WeasyPrint: pip install 'tripplan[pdf]' "
            "(or write HTML with --format html and print it from a browser)"
        ) from None
    return bytes(HTML(string=html).write_pdf())
