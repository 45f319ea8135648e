"""The vault's write-ahead log (-wal) checked before SQLite replays it.

SQLite replays a -wal up to the first frame whose checksum fails and silently ignores the rest.
After a power cut that is right (the torn last transaction was never confirmed), but a damaged
byte earlier in the file would drop confirmed transactions without a word. This module tells the
two apart from the frames' own checksums (format: https://www.sqlite.org/fileformat2.html#walformat).
"""

from __future__ import annotations

import struct

# Checking is pure Python (~0.1 ms a page): above this the open would wait too long.
WAL_CHECK_LIMIT = 16 * 1024 * 1024

_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER, _FRAME_HEADER = 32, 24


def _wal_checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    """SQLite's WAL checksum (the Fibonacci-weighted sum of 32-bit words, see wal.c)."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def wal_loses_commits(wal: bytes) -> bool:
    """True when SQLite would silently drop changes that were committed to this -wal file.

    SQLite replays the -wal up to the first frame whose checksum fails and ignores the rest: after
    a power cut that is the torn, never-confirmed last transaction, but a flipped byte there drops
    every transaction after it without a word. Each frame also carries the running checksum it
    was written with, so a frame can be checked against its predecessor alone. Beyond the point
    where SQLite stops, a frame of this -wal's generation that checks out and is a commit, or
    comes after a commit frame, proves that a confirmed transaction would be lost (a later
    transaction is written only after the earlier one's commit reached the disk). The vault then
    counts as damaged. A flip inside the last transaction alone looks exactly like a power cut
    during its commit, and SQLite keeps the vault as it was before that transaction.
    """
    if len(wal) < _WAL_HEADER + _FRAME_HEADER:
        return False
    magic, _version, page_size, _seq, *salts, c0, c1 = struct.unpack(">8I", wal[:_WAL_HEADER])
    if magic not in _WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
        page_size = 4096  # the header itself is damaged; the vault's pages are 4096 bytes
    big_endian = magic & 1 == 1
    header_ok = magic in _WAL_MAGIC and _wal_checksum(wal[:24], 0, 0, big_endian) == (c0, c1)
    frame_size = _FRAME_HEADER + page_size
    frames = (len(wal) - _WAL_HEADER) // frame_size
    generation = tuple(salts) if header_ok else None
    replaying = header_ok  # SQLite still accepts frames: no broken link met yet
    running = (c0, c1)  # the checksum SQLite carries from frame to frame
    stored = (c0, c1)  # the checksum the previous frame was written with
    commit_seen = False  # a commit frame of this generation met past the replay point
    for n in range(frames):
        at = _WAL_HEADER + n * frame_size
        page, commit, f_salt0, f_salt1, f0, f1 = struct.unpack(">6I", wal[at : at + _FRAME_HEADER])
        body = wal[at : at + 8] + wal[at + _FRAME_HEADER : at + frame_size]
        if generation is None:
            generation = (f_salt0, f_salt1)  # header unreadable: judge by the first frame's
        own_generation = page != 0 and (f_salt0, f_salt1) == generation
        if replaying:
            running = _wal_checksum(body, *running, big_endian)
            replaying = own_generation and running == (f0, f1)
        if not replaying and own_generation:
            # Past the replay point: a frame that checks out against its predecessor and is a
            # commit, or follows a commit, was written after a confirmed transaction.
            if (commit or commit_seen) and _wal_checksum(body, *stored, big_endian) == (f0, f1):
                return True
            commit_seen = commit_seen or commit != 0
        stored = (f0, f1)
    return False
