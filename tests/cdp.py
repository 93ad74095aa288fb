"""Debian's Chromium driven over the DevTools protocol (a websocket), for what --dump-dom
cannot tell: how a page lays out at a phone's and a desktop's width, and a screenshot of it."""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

# Elements wider than the viewport, or a page that scrolls sideways: what "does not fit" means.
OVERFLOW = """(() => {
  const w = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > w + 1 || r.left < -1);
  }).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.'));
  return {width: w, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 10)};
})()"""


class Chromium:
    """One headless Chromium; ``open(url, width)`` loads a page at that width."""

    def __init__(self):
        from websockets.sync.client import connect

        self._dir = tempfile.TemporaryDirectory()
        self.proc = subprocess.Popen(
            [BROWSER, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={self._dir.name}",
             "--no-first-run", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own process group: close() ends the helpers with it
        port_file = Path(self._dir.name) / "DevToolsActivePort"
        deadline = time.time() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
            page = next(t for t in json.loads(r.read()) if t["type"] == "page")
        self.ws = connect(page["webSocketDebuggerUrl"], max_size=50_000_000, open_timeout=30)
        self._id = 0
        self.send("Page.enable")

    def send(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def _wait_load(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv(timeout=timeout))
            if msg.get("method") == "Page.loadEventFired":
                return
        raise TimeoutError("the page did not load")

    def open(self, url: str, width: int, height: int = 900, mobile: bool | None = None) -> None:
        mobile = width < 600 if mobile is None else mobile
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)
        self.send("Page.navigate", url=url)
        self._wait_load()

    def eval(self, expression: str):
        got = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return got.get("result", {}).get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self):
        try:
            self.ws.close()
        finally:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait()
            # A helper (crashpad, a utility process) can outlive the browser by a moment and
            # still write to the profile: CI once failed removing it ("Directory not empty").
            for _ in range(50):
                try:
                    self._dir.cleanup()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                self._dir.cleanup()

    def _signal(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
