"""Headless Chromium (Debian's package) driven by Playwright, against the built site on loopback."""
from __future__ import annotations

import functools
import http.server
import threading

import pytest

from scripts.bench_browser import CHROMIUM_FLAGS, chromium_executable


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = chromium_executable()
    assert executable, "a Chromium is needed: scripts/dev test installs Debian's chromium package"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """(server, base URL) for a folder, on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(scope="session")
def server(built_site):
    """Serve the built site on 127.0.0.1, a free port; yields the base URL."""
    httpd, url = serve(built_site)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="session")
def hostile_server(hostile_site):
    httpd, url = serve(hostile_site)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="session")
def live_server(live_built_site):
    """The live tree's build (whatever years staff have added), on loopback."""
    httpd, url = serve(live_built_site)
    yield url
    httpd.shutdown()
