#!/usr/bin/env python3
"""Write the seeds of fuzz_devcall and fuzz_hvt_hypercall (input format:
tests/fuzz/fuzz_devices.h) into tests/fuzz/seeds/{devcall,hvt_hypercall}/.
Run from the top of the tree; the seeds are committed, this documents them."""
import os
import struct

def call(sel, gpa):
    return struct.pack('<BBQ', sel, 1, gpa)          # mode 1: raw GPA

def frames(*fs):
    return bytes([len(fs)]) + b''.join(struct.pack('<H', len(f)) + f for f in fs)

def patch(gpa, b):
    return struct.pack('<IH', gpa, len(b)) + b

def seed(calls, fs=(), patches=()):
    return bytes([len(calls) - 1]) + b''.join(calls) + frames(*fs) + b''.join(patches)

ETH = bytes(range(60))
ARG, BUFS, DATA = 0x40000, 0x40100, 0x41000

devcall = {
    # NET_WRITE of two frames
    'net-write': seed([call(0, ARG)], (), [
        patch(ARG, struct.pack('<QQIIiI', 1, BUFS, 2, 0, 0, 0)),
        patch(BUFS, struct.pack('<QIi', DATA, 60, 0) + struct.pack('<QIi', DATA, 14, 0)),
        patch(DATA, ETH)]),
    # NET_READ of two waiting frames, the second too big for its buffer
    'net-read': seed([call(1, ARG)], (ETH, ETH), [
        patch(ARG, struct.pack('<QQIIiI', 1, BUFS, 2, 0, 0, 0)),
        patch(BUFS, struct.pack('<QIi', DATA, 2048, 0) + struct.pack('<QIi', DATA + 0x1000, 10, 0))]),
    # BLOCK_WRITE, BLOCK_READ of the same two blocks, then BLOCK_FLUSH
    'block': seed([call(3, ARG), call(2, ARG), call(4, ARG + 0x80)], (), [
        patch(ARG, struct.pack('<QQQQiI', 2, 512, DATA, 1024, 0, 0)),
        patch(ARG + 0x80, struct.pack('<QiI', 2, 0, 0)),
        patch(DATA, b'wisp' * 64)]),
    # NET_RING and BLOCK_RING setup (sel 5..7: number sel >> 3)
    'rings': seed([call(18 << 3 | 5, ARG), call(27 << 3 | 5, ARG + 0x80)], (), [
        patch(ARG, struct.pack('<QQiI', 1, 0x50000, 0, 0)),
        patch(ARG + 0x80, struct.pack('<QQiI', 2, 0x60000, 0, 0))]),
}

hvt = {
    'walltime-puts-poll': seed([call(1, ARG), call(2, ARG + 0x40), call(3, ARG + 0x80)], (ETH,), [
        patch(ARG + 0x40, struct.pack('<QQ', DATA, 5)), patch(DATA, b'hello')]),
    'block': seed([call(4, ARG), call(5, ARG)], (), [
        patch(ARG, struct.pack('<QQQQiI', 2, 512, DATA, 512, 0, 0))]),
    'net': seed([call(6, ARG), call(7, ARG + 0x40)], (ETH,), [
        patch(ARG, struct.pack('<QQQiI', 1, DATA, 60, 0, 0)),
        patch(ARG + 0x40, struct.pack('<QQQiI', 1, DATA + 0x1000, 1514, 0, 0)),
        patch(DATA, ETH)]),
    'halt-cookie': seed([call(8, ARG)], (), [
        patch(ARG, struct.pack('<QiI', DATA, 255, 0)),
        patch(DATA, struct.pack('<7Q', 0xdead, 14, 0x100123, 8, 2, 0x7fff0, 16))]),
}

for name, seeds in (('devcall', devcall), ('hvt_hypercall', hvt)):
    d = os.path.join('tests/fuzz/seeds', name)
    os.makedirs(d, exist_ok=True)
    for k, v in seeds.items():
        with open(os.path.join(d, k), 'wb') as f:
            f.write(v)
