#!/usr/bin/env python
# Copyright (c) 2026, sitemesh.wireguard contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test bed's apt proxy: a caching HTTP proxy for Debian's mirror, nothing else (started by proxy.sh).

Why not apt-cacher-ng: version 3.7 answers concurrent requests for one index (a 12-site first converge asks
InRelease 12 times in the same second) with "503 Error with cache data" or an empty "200" while it swaps the
file ("Failure to move file ... out of the way", its temporary name being the second of the clock), and once
left an apt run hanging for good. Here each cached path has a lock: the first request fetches, the others wait
for it and are served the same file.

- Only ``http://deb.debian.org/`` is served (403 for any other host): the proxy is no door to anywhere else.
- Files under ``dists/`` that are not ``by-hash`` (InRelease, Release, ...) change on the mirror: they are
  fetched again once this process has had them for ``--index-max-age`` seconds, and always once per start of
  the proxy (a run never sees an index older than its start). Every other file (pool/, by-hash/) is named by
  its content: kept for good in the cache directory.
- The mirror is asked with a 60 s timeout, 3 attempts (a 5xx or a network error is tried again); its 404 is
  passed on, never cached; 502 when every attempt failed.
- Each answer is logged: time, client, status, bytes, hit or fetch, path.
"""

from __future__ import annotations

import argparse
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

MIRROR_HOST = 'deb.debian.org'
ATTEMPTS = 3


def reason(text):
    """``text`` fit for an HTTP status line and the log: printable ASCII on one line, at most 120 characters
    (an exception's text may hold what the mirror sent, CR LF included)."""
    return ' '.join(str(text).encode('ascii', 'replace').decode('ascii').split())[:120]


class Cache:
    def __init__(self, root, index_max_age, log, upstream='http://%s' % MIRROR_HOST):
        self.root = root
        self.upstream = upstream.rstrip('/')
        self.index_max_age = index_max_age
        self.log_file = log
        self.fetched = {}            # path -> monotonic time this process fetched it (indexes only)
        # path -> (monotonic time, status, reason) of its last failed fetch: the answer for those who waited
        # for it (they do not try again in turn)
        self.failed = {}
        self.locks = {}
        self.guard = threading.Lock()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def lock(self, path):
        with self.guard:
            return self.locks.setdefault(path, threading.Lock())

    @staticmethod
    def is_index(path):
        return '/dists/' in path and '/by-hash/' not in path

    def fresh(self, path, local):
        if not os.path.isfile(local):
            return False
        if not self.is_index(path):
            return True
        seen = self.fetched.get(path)
        return seen is not None and time.monotonic() - seen < self.index_max_age

    def get(self, path):
        """(status, local file or None, 'hit'|'fetch'|reason): the file for ``path`` (/debian/...)."""
        local = os.path.join(self.root, MIRROR_HOST, path.lstrip('/'))
        arrived = time.monotonic()
        with self.lock(path):
            if self.fresh(path, local):
                return 200, local, 'hit'
            failed = self.failed.get(path)
            if failed and failed[0] >= arrived:
                return failed[1], None, failed[2]   # who waited for a fetch that failed gets its answer
            status, why = self.fetch(path, local)
            if status == 200 and self.is_index(path):
                self.fetched[path] = time.monotonic()
            if status >= 500:
                self.failed[path] = (time.monotonic(), status, why)
            else:
                self.failed.pop(path, None)
            return status, (local if status == 200 else None), why

    def fetch(self, path, local):
        url = self.upstream + path
        why = ''
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(2 * attempt)
            try:
                with self.opener.open(url, timeout=60) as answer:
                    length = answer.headers.get('Content-Length')
                    os.makedirs(os.path.dirname(local), exist_ok=True)
                    handle, tmp = tempfile.mkstemp(prefix='.part-', dir=os.path.dirname(local))
                    try:
                        with os.fdopen(handle, 'wb') as out:
                            shutil.copyfileobj(answer, out, 1 << 20)
                            size = out.tell()
                        # http.client does not complain when the body ends short: a cut file is never kept
                        if length is not None and size != int(length):
                            raise IOError('%d of %s bytes' % (size, length))
                        os.replace(tmp, local)    # atomic: a reader sees the old file or the whole new one
                    finally:
                        if os.path.exists(tmp):
                            os.unlink(tmp)
                return 200, 'fetch'
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return exc.code, 'mirror %d' % exc.code
                why = 'mirror %d' % exc.code
            except Exception as exc:   # a network error, a cut body, a bad answer: tried again
                why = 'mirror: %s' % (reason(getattr(exc, 'reason', None) or exc) or type(exc).__name__)
        return 502, why

    def log(self, client, status, size, how, path):
        line = '%s %s %d %d %s %s\n' % (time.strftime('%Y-%m-%dT%H:%M:%S'), client, status, size, how, path)
        with self.guard:
            with open(self.log_file, 'a') as out:
                out.write(line)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'     # keep-alive: apt pipelines its requests on one connection
    cache = None

    def do_GET(self):
        self.answer(body=True)

    def do_HEAD(self):
        self.answer(body=False)

    def answer(self, body):
        try:
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path)
            port = url.port
        except ValueError:
            return self.refuse(400, 'bad URL', self.path)
        if url.scheme != 'http' or url.hostname != MIRROR_HOST or port not in (None, 80):
            return self.refuse(403, 'only http://%s/ is served' % MIRROR_HOST, path)
        if not path.startswith('/') or '/../' in path + '/' or '\0' in path or path.endswith('/'):
            return self.refuse(400, 'bad path', path)
        status, local, how = self.cache.get(path)
        if status != 200:
            return self.refuse(status, how, path)
        with open(local, 'rb') as data:
            size = os.fstat(data.fileno()).st_size
            self.send_response(200)
            self.send_header('Content-Length', str(size))
            self.send_header('Content-Type', 'application/octet-stream')
            self.end_headers()
            if body:
                shutil.copyfileobj(data, self.wfile, 1 << 20)
        self.cache.log(self.client_address[0], 200, size, how, path)

    def refuse(self, status, why, path):
        why = reason(why) or 'error'
        path = reason(path)
        text = ('%d %s\n' % (status, why)).encode()
        self.send_response(status, why)
        self.send_header('Content-Length', str(len(text)))
        self.send_header('Content-Type', 'text/plain')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(text)
        self.cache.log(self.client_address[0], status, 0, why.replace(' ', '_'), path)

    def log_message(self, format, *args):     # the cache's log says it all
        pass


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--bind', action='append', required=True, help='an address to listen on (repeatable)')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--cache', required=True, help='the cache directory (kept between runs)')
    parser.add_argument('--log', required=True, help='the log file (appended)')
    parser.add_argument('--index-max-age', type=int, default=3600)
    parser.add_argument('--pidfile', help='written once every address is bound')
    parser.add_argument('--upstream', default='http://%s' % MIRROR_HOST,
                        help='where requests for %s go (tests/unit/test_aptproxy.py: a local server)' % MIRROR_HOST)
    args = parser.parse_args(argv)
    Handler.cache = Cache(args.cache, args.index_max_age, args.log, args.upstream)
    servers = []
    for address in args.bind:
        server = http.server.ThreadingHTTPServer((address, args.port), Handler)
        server.daemon_threads = True
        servers.append(server)
    if args.pidfile:
        with open(args.pidfile, 'w') as out:
            out.write('%d\n' % os.getpid())
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == '__main__':
    main(sys.argv[1:])
