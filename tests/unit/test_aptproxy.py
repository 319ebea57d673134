# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tests/testbed/aptproxy.py, the test bed's apt proxy, run for real as its own process against a local mirror
(--upstream: nothing leaves this machine): concurrent requests for one index are one fetch and all get the whole
file (apt-cacher-ng answered some of them 503 or empty), indexes are fetched again once per start, files named
by their content are kept, other hosts are refused, a mirror error is tried again, a 404 is passed on."""

from __future__ import annotations

import concurrent.futures
import http.client
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

PROXY = os.path.join(os.path.dirname(__file__), '..', 'testbed', 'aptproxy.py')
INDEX = '/debian/dists/bookworm/InRelease'
STATIC = '/debian/pool/main/w/wireguard/wireguard-tools_1.0_amd64.deb'


class Mirror(http.server.ThreadingHTTPServer):
    """A local stand-in for deb.debian.org: files, a count of requests per path, errors to give first."""
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), MirrorHandler)
        self.files = {INDEX: b'index one\n' * 5000, STATIC: os.urandom(300000)}
        self.asked = {}
        self.errors = {}      # path -> number of 500 answers to give before the file
        self.short = {}       # path -> number of answers cut at half their Content-Length before the file
        self.garbage = set()  # paths answered with a broken status line, CR LF and a header in it
        self.lock = threading.Lock()


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with self.server.lock:
            self.server.asked[self.path] = self.server.asked.get(self.path, 0) + 1
            error = self.server.errors.get(self.path, 0)
            if error:
                self.server.errors[self.path] = error - 1
            short = self.server.short.get(self.path, 0)
            if short:
                self.server.short[self.path] = short - 1
        time.sleep(0.3)   # a slow mirror: concurrent requests overlap
        if self.path in self.server.garbage:
            self.wfile.write(b'garbage\r\n\r\nServer: evil\r\nContent-Length: 5\r\n\r\nhello')
            self.close_connection = True
            return
        body = self.server.files.get(self.path)
        status = 500 if error else (200 if body is not None else 404)
        body = body if status == 200 else b'no\n'
        self.send_response(status)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if short:   # the connection drops half-way through the body
            self.wfile.write(body[:len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def mirror():
    server = Mirror()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(tmp_path, mirror):
    """start(): the proxy started (again), on a free port, its cache kept in tmp_path across starts."""
    state = {}

    def start():
        stop()
        state['port'] = port = free_port()
        pidfile = tmp_path / 'pid'
        if pidfile.exists():
            pidfile.unlink()
        process = subprocess.Popen([sys.executable, PROXY, '--bind', '127.0.0.1', '--port', str(port),
                                    '--cache', str(tmp_path / 'cache'), '--log', str(tmp_path / 'log'),
                                    '--pidfile', str(pidfile),
                                    '--upstream', 'http://127.0.0.1:%d' % mirror.server_address[1]])
        for dummy in range(100):
            if pidfile.exists():
                break
            time.sleep(0.05)
        assert pidfile.exists(), 'the proxy did not start'
        state['process'] = process
        state['opener'] = urllib.request.build_opener(
            urllib.request.ProxyHandler({'http': 'http://127.0.0.1:%d' % port}))
        return state['opener']

    def stop():
        if 'process' in state:
            state.pop('process').terminate()

    start.state = state
    yield start
    stop()


def log_lines(tmp_path, count):
    """The proxy's log once it has ``count`` lines: it writes a request's line after the body, so a client can
    have its answer before the line is there."""
    lines = []
    for dummy in range(100):
        lines = (tmp_path / 'log').read_text().splitlines() if (tmp_path / 'log').exists() else []
        if len(lines) >= count:
            break
        time.sleep(0.05)
    return lines


def get(opener, url):
    try:
        with opener.open(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_concurrent_requests_for_one_index_are_one_fetch_and_all_get_the_whole_file(proxy, mirror):
    opener = proxy()
    url = 'http://deb.debian.org' + INDEX
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda dummy: get(opener, url), range(12)))
    assert answers == [(200, mirror.files[INDEX])] * 12
    assert mirror.asked == {INDEX: 1}


def test_indexes_are_fetched_again_once_per_start_files_named_by_content_are_kept(proxy, mirror, tmp_path):
    opener = proxy()
    for dummy in range(2):
        assert get(opener, 'http://deb.debian.org' + INDEX) == (200, mirror.files[INDEX])
        assert get(opener, 'http://deb.debian.org' + STATIC) == (200, mirror.files[STATIC])
    assert mirror.asked == {INDEX: 1, STATIC: 1}
    assert len(log_lines(tmp_path, 4)) == 4   # every line written before the proxy is stopped
    mirror.files[INDEX] = b'index two\n'
    opener = proxy()   # a new start: the index is asked again, the static file comes from the cache
    assert get(opener, 'http://deb.debian.org' + INDEX) == (200, b'index two\n')
    assert get(opener, 'http://deb.debian.org' + STATIC) == (200, mirror.files[STATIC])
    assert mirror.asked == {INDEX: 2, STATIC: 1}
    log = log_lines(tmp_path, 6)
    # each answer's line (sorted: a handler writes it after the body, so two may swap): the first index
    # fetched then a hit, the static file fetched once then two hits, the second index fetched
    assert sorted(line.split()[2:5] for line in log) == sorted([
        ['200', str(len(b'index one\n' * 5000)), 'fetch'], ['200', '300000', 'fetch'],
        ['200', str(len(b'index one\n' * 5000)), 'hit'], ['200', '300000', 'hit'],
        ['200', '10', 'fetch'], ['200', '300000', 'hit']])


def test_other_hosts_and_bad_paths_are_refused_without_asking_the_mirror(proxy, mirror):
    opener = proxy()
    assert get(opener, 'http://example.com' + INDEX)[0] == 403
    assert get(opener, 'http://deb.debian.org:8080' + INDEX)[0] == 403
    assert get(opener, 'http://deb.debian.org/debian/../../etc/passwd')[0] in (400, 403)
    assert mirror.asked == {}


def test_a_mirror_error_is_tried_again_a_404_passed_on_and_never_cached(proxy, mirror):
    opener = proxy()
    mirror.errors[STATIC] = 1
    assert get(opener, 'http://deb.debian.org' + STATIC) == (200, mirror.files[STATIC])
    assert mirror.asked == {STATIC: 2}
    missing = '/debian/pool/main/n/nosuch/nosuch_1_amd64.deb'
    assert get(opener, 'http://deb.debian.org' + missing)[0] == 404
    assert get(opener, 'http://deb.debian.org' + missing)[0] == 404
    assert mirror.asked[missing] == 2
    # every attempt fails: 502 for the request that fetched and for the 3 that waited for it, which do not try
    # again in turn (apt would have given up on them); the mirror was asked 3 times in all
    mirror.errors[INDEX] = 3
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda dummy: get(opener, 'http://deb.debian.org' + INDEX)[0], range(4)))
    assert answers == [502] * 4 and mirror.asked[INDEX] == 3
    # a request that comes after the failure asks again
    assert get(opener, 'http://deb.debian.org' + INDEX) == (200, mirror.files[INDEX])
    assert mirror.asked[INDEX] == 4


def test_a_body_cut_short_by_the_mirror_is_tried_again_never_kept(proxy, mirror, tmp_path):
    opener = proxy()
    mirror.short[STATIC] = 1
    assert get(opener, 'http://deb.debian.org' + STATIC) == (200, mirror.files[STATIC])
    assert mirror.asked == {STATIC: 2}
    mirror.short[INDEX] = 3    # cut every time: 502, nothing kept in the cache
    assert get(opener, 'http://deb.debian.org' + INDEX)[0] == 502
    assert not (tmp_path / 'cache' / 'deb.debian.org' / INDEX.lstrip('/')).exists()


def test_requests_on_one_kept_alive_connection_get_and_head_as_apt_sends_them(proxy, mirror):
    proxy()
    connection = http.client.HTTPConnection('127.0.0.1', proxy.state['port'], timeout=30)
    try:
        for method, path in (('GET', INDEX), ('HEAD', STATIC), ('GET', STATIC), ('GET', '/debian/none')):
            # what apt sends for an index it has a copy of: If-Modified-Since and a Range; a full 200 is valid
            connection.request(method, 'http://deb.debian.org' + path,
                               headers={'If-Modified-Since': 'Thu, 01 Jan 2026 00:00:00 GMT', 'Range': 'bytes=10-'})
            answer = connection.getresponse()
            body = answer.read()
            if path == '/debian/none':
                assert answer.status == 404
            else:
                assert answer.status == 200 and int(answer.headers['Content-Length']) == len(mirror.files[path])
                assert body == (mirror.files[path] if method == 'GET' else b'')
    finally:
        connection.close()
    assert mirror.asked == {INDEX: 1, STATIC: 1, '/debian/none': 1}


def test_bad_ports_are_refused_and_a_broken_mirror_answer_is_a_clean_502(proxy, mirror):
    proxy()
    mirror.garbage.add(INDEX)
    connection = http.client.HTTPConnection('127.0.0.1', proxy.state['port'], timeout=60)
    try:
        for url, status in (('http://deb.debian.org:99999' + INDEX, 400), ('http://deb.debian.org:abc' + INDEX, 400),
                            ('http://deb.debian.org' + INDEX, 502), ('http://deb.debian.org' + STATIC, 200)):
            connection.request('GET', url)
            answer = connection.getresponse()
            body = answer.read()
            assert answer.status == status, (url, answer.status, answer.reason)
            # the mirror's broken line is not echoed: the status line and the headers stay whole
            assert '\r' not in answer.reason and '\n' not in answer.reason and answer.getheader('Server') != 'evil'
            assert int(answer.getheader('Content-Length')) == len(body)
    finally:
        connection.close()
    assert mirror.asked == {INDEX: 3, STATIC: 1}
