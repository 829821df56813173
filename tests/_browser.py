"""A real browser and a real PDF reader for the print tests: headless Chromium and Poppler.

Everything here runs offline: pages are files in the test's temporary folder, loaded from
``file://`` URLs, and Chromium is started with background networking, component updates, sync and
QUIC off and a fresh profile, so it has no reason to open a connection. Each Chromium runs in its
own session (process group) and the whole group is killed when it is done, so no renderer or
zygote outlives the test that started it.

- ``print_to_pdf`` is what a person does with "Save as PDF": ``--print-to-pdf`` honours the
  stylesheet's ``@page`` size and margins.
- ``Browser`` drives one Chromium over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
  no port, no websocket library): it lays a page out at a given width with print media and runs
  ``LAYOUT_PROBLEMS`` in it.
- ``pdf_pages``, ``page_texts`` (pypdf) and ``first_page_png``/``page_pngs`` (Poppler's
  ``pdftoppm``) read the PDF; ``qr_codes`` (zxing-cpp) reads the QR codes printed on a page.

A missing tool is a failure naming the Debian or pip package that provides it, never a skip:
``tools/install-test-deps`` installs them all.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "LAYOUT_PROBLEMS",
    "Browser",
    "Layout",
    "PageBox",
    "ToolMissing",
    "chromium",
    "first_page_png",
    "open_browser",
    "page_box",
    "page_pngs",
    "page_texts",
    "pdf_pages",
    "print_to_pdf",
    "qr_codes",
]

_TIMEOUT = 30  # seconds for one Chromium run or one DevTools command
_FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",  # a scrollbar would take width from the layout being measured
    "--mute-audio",
)

CSS_PX = {"px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 96 / 72, "pc": 16.0}
# CSS page sizes (css-page-3 §7.2), width and height in CSS px at 96 per inch.
_PAGE_SIZES = {
    "a4": (210 * CSS_PX["mm"], 297 * CSS_PX["mm"]),
    "a5": (148 * CSS_PX["mm"], 210 * CSS_PX["mm"]),
    "letter": (8.5 * 96, 11 * 96),
    "legal": (8.5 * 96, 14 * 96),
}


class ToolMissing(RuntimeError):
    """A program or module the print tests need is not installed; the message says which package."""


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissing(
            f"{name} is not installed: apt-get install {package} (tools/install-test-deps does it)"
        )
    return path


def chromium() -> str:
    """The Debian ``chromium`` package's browser."""
    return _tool("chromium", "chromium")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Ends the Chromium that ``process`` started and every process it started (its session)."""
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited already
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=_TIMEOUT)


def _command(profile: Path, *arguments: str) -> list[str]:
    profile.mkdir(parents=True, exist_ok=True)
    return [chromium(), *_FLAGS, f"--user-data-dir={profile}", *arguments]


# --- printing ----------------------------------------------------------------------------------


def print_to_pdf(html: Path, pdf: Path, profile: Path) -> Path:
    """Prints ``html`` (a file) to ``pdf`` as Chromium's print preview would, without the date,
    title and URL header and footer; ``profile`` is a fresh folder for Chromium's user data."""
    log = profile.with_name(profile.name + ".log")
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            _command(profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()),
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _kill_group(process)
    if code != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"chromium did not print {html.name} (exit {code}):\n{tail}")
    return pdf


# --- layout in a live page over the DevTools protocol ------------------------------------------

# Run in the page (print media, viewport as wide as the page's content box): every element and
# every run of text that reaches past the left or right edge, and every element whose content is
# wider than its box (scrollWidth > clientWidth) or that clips or scrolls sideways.
LAYOUT_PROBLEMS = r"""
(async () => {
  await document.fonts.ready;
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + [...el.classList].join(".");
    const content = (el.textContent || "").trim().replace(/\s+/g, " ");
    return text + (content ? ` "${content.slice(0, 60)}"` : "");
  };
  const outside = (r) => r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (outside(r)) {
      problems.push(`${name(el)}: spans ${r.left.toFixed(1)}..${r.right.toFixed(1)} px`);
    }
    const style = getComputedStyle(el);
    if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) {
      problems.push(`${name(el)}: overflow-x is ${style.overflowX}`);
    }
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth) {
      problems.push(`${name(el)}: content ${el.scrollWidth} px wide in ${el.clientWidth} px`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (outside(r)) {
        const text = node.textContent.trim().slice(0, 60);
        problems.push(`text "${text}": spans ${r.left.toFixed(1)}..${r.right.toFixed(1)} px`);
        break;
      }
    }
  }
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the document is ${page} px wide in ${width} px`);
  return {width, problems};
})()
"""


@dataclass(frozen=True, slots=True)
class Layout:
    """What ``LAYOUT_PROBLEMS`` found: the viewport's width in CSS px, and the problems."""

    width: int
    problems: list[str]


class Browser:
    """One headless Chromium, spoken to over ``--remote-debugging-pipe`` (fds 3 and 4, JSON
    messages ending in NUL). Use it through ``open_browser``."""

    def __init__(self, process: subprocess.Popen[bytes], send_fd: int, receive_fd: int) -> None:
        self._process, self._send_fd, self._receive_fd = process, send_fd, receive_fd
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._receive_fd], [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"chromium did not answer within {_TIMEOUT} s")
            chunk = os.read(self._receive_fd, 1 << 16)
            if not chunk:
                raise AssertionError(f"chromium closed the pipe (exit {self._process.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        result: dict[str, Any] = json.loads(message)
        return result

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Sends one command and returns its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._send_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + _TIMEOUT
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise AssertionError(f"{method} failed: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if "method" in answer:
                self._events.append(answer)

    def wait_for(self, event: str, session: str) -> dict[str, Any]:
        """The first event of that name from that session, waiting for it if need be."""
        deadline = time.monotonic() + _TIMEOUT
        while True:
            for n, message in enumerate(self._events):
                if message["method"] == event and message.get("sessionId") == session:
                    del self._events[: n + 1]
                    return message
            self._events.append(self._read_message(deadline))

    def layout(self, url: str, width: int, height: int) -> Layout:
        """Loads ``url`` in a new tab with print media in a ``width`` by ``height`` CSS px
        viewport and runs ``LAYOUT_PROBLEMS`` in it."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        try:
            session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.send("Page.enable", session)
            self.send(
                "Emulation.setDeviceMetricsOverride",
                session,
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            self.send("Emulation.setEmulatedMedia", session, media="print")
            self.send("Page.navigate", session, url=url)
            self.wait_for("Page.loadEventFired", session)
            answer = self.send(
                "Runtime.evaluate",
                session,
                expression=LAYOUT_PROBLEMS,
                awaitPromise=True,
                returnByValue=True,
            )
            if "exceptionDetails" in answer:
                raise AssertionError(f"the layout script failed: {answer['exceptionDetails']}")
            value = answer["result"]["value"]
            return Layout(width=int(value["width"]), problems=list(value["problems"]))
        finally:
            self.send("Target.closeTarget", targetId=target)


def _high_fd(fd: int) -> int:
    """``fd`` moved above 9, so the shell can put the pipe on fds 3 and 4 without clobbering it."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


@contextmanager
def open_browser(profile: Path) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile in ``profile``, ended with its whole process group
    when the block ends."""
    to_browser, commands = map(_high_fd, os.pipe())
    answers, from_browser = map(_high_fd, os.pipe())
    command = _command(profile, "--remote-debugging-pipe", "about:blank")
    log = profile.with_name(profile.name + ".log")
    with log.open("wb") as stderr:
        # Chromium reads commands on fd 3 and writes answers on fd 4; bash (not dash) can
        # redirect from fds above 9.
        process = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$@" 3<&{to_browser} 4>&{from_browser}', "bash", *command],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            start_new_session=True,
        )
    os.close(to_browser)
    os.close(from_browser)
    try:
        browser = Browser(process, commands, answers)
        try:
            browser.send("Browser.getVersion")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text(errors='replace')[-3000:]}") from None
        yield browser
        try:
            browser.send("Browser.close")
            process.wait(timeout=_TIMEOUT)
        except (AssertionError, subprocess.TimeoutExpired):
            pass  # killed below
    finally:
        _kill_group(process)
        os.close(commands)
        os.close(answers)


# --- the page box a stylesheet asks for --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageBox:
    """The ``@page`` rule of a document: its size keyword, and the page and content box in CSS px."""

    size: str
    width: float
    height: float
    margins: tuple[float, float, float, float]  # top, right, bottom, left

    @property
    def content_width(self) -> float:
        return self.width - self.margins[1] - self.margins[3]

    @property
    def content_height(self) -> float:
        return self.height - self.margins[0] - self.margins[2]


def _length(text: str) -> float:
    if text == "0":
        return 0.0
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(px|in|cm|mm|pt|pc)", text)
    if match is None:
        raise AssertionError(f"not an absolute CSS length: {text!r}")
    number, unit = match.groups()
    return float(number) * CSS_PX[unit]


def page_box(html: str) -> PageBox:
    """The size and margins of the (one) ``@page`` rule in ``html``'s stylesheet."""
    rules = re.findall(r"@page\s*\{([^}]*)\}", html)
    assert len(rules) == 1, f"expected one @page rule, found {rules}"
    declarations = dict(
        (name.strip().lower(), value.strip())
        for name, _, value in (d.partition(":") for d in rules[0].split(";") if d.strip())
    )
    size = declarations["size"].lower()
    assert size in _PAGE_SIZES, f"@page size {size!r} is not a page name the test knows"
    values = [_length(v) for v in declarations.get("margin", "0").split()]
    top, right, bottom, left = {
        1: lambda v: (v[0], v[0], v[0], v[0]),
        2: lambda v: (v[0], v[1], v[0], v[1]),
        3: lambda v: (v[0], v[1], v[2], v[1]),
        4: lambda v: (v[0], v[1], v[2], v[3]),
    }[len(values)](values)
    width, height = _PAGE_SIZES[size]
    return PageBox(size, width, height, (top, right, bottom, left))


# --- reading the PDF ---------------------------------------------------------------------------


def _pypdf() -> Any:
    try:
        import pypdf
    except ImportError:
        raise ToolMissing("pypdf is not installed: pip install pypdf") from None
    return pypdf


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in PostScript points (1/72 in), from its media box."""
    reader = _pypdf().PdfReader(pdf)
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, as pypdf extracts it."""
    reader = _pypdf().PdfReader(pdf)
    return [str(page.extract_text()) for page in reader.pages]


def page_pngs(pdf: Path, stem: Path, dpi: int = 200) -> list[Path]:
    """Every page of ``pdf`` drawn by Poppler's ``pdftoppm`` as ``<stem>-<n>.png``, in order."""
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    stem.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(stem)],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"pdftoppm failed on {pdf.name}: {done.stderr}"
    pages = sorted(
        stem.parent.glob(f"{stem.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
    )
    assert pages, f"pdftoppm wrote no page of {pdf.name}"
    return pages


def qr_codes(png: Path) -> list[str]:
    """The text of every QR code zxing-cpp finds in the image ``png``, top to bottom."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError as error:
        raise ToolMissing(
            f"{error.name} is not installed: pip install zxing-cpp pillow (the test extra)"
        ) from None
    with Image.open(png) as image:
        found = zxingcpp.read_barcodes(image.convert("L"))
    codes = [code for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]
    ordered = sorted(codes, key=lambda code: (code.position.top_left.y, code.position.top_left.x))
    return [str(code.text) for code in ordered]


def first_page_png(pdf: Path, png: Path, dpi: int = 80) -> Path:
    """The first page of ``pdf`` drawn by Poppler's ``pdftoppm`` into ``png``."""
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    png.parent.mkdir(parents=True, exist_ok=True)
    first_page = ["-f", "1", "-l", "1", "-singlefile"]  # writes exactly <stem>.png
    done = subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), *first_page, str(pdf), str(png.with_suffix(""))],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"pdftoppm failed on {pdf.name}: {done.stderr}"
    return png
