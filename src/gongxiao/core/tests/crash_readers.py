"""Readers that misbehave on purpose, run in the import reader's child process in place of the
Excel library (excel.READER = "gongxiao.core.tests.crash_readers:<name>"). No Django here: the
child does not load it."""

import os
import time


def abort(path, info, limits):
    os.abort()  # what python-calamine does when an allocation fails
    yield []


def hog(path, info, limits):
    """Ask for memory without end, as the library does for a sheet 16384 columns wide."""
    blocks = []
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))
    yield []


def touch(path, info, limits):
    """Use ~200 MB, then answer: the peak the parent reports must show it."""
    block = bytearray(200 * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    yield ["ok", len(block)]


def sleep(path, info, limits):
    time.sleep(60)
    yield []
