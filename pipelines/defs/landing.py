"""Land raw payloads content-addressed and immutable: raw/<source>/<sha256>.<ext>.

Each response body is written under its own hash (temp name, fsync, rename; a body the client
streamed to raw/<source>/.incoming-*/ is fsynced and hard-linked into place), then a manifest
under the payload's hash lists the parts with their URLs. A `latest.json` pointer names the
newest landed payload of each source. Nothing is ever overwritten with different content.

A response the client refused before it became a payload (an error status, an HTML page, a
malformed body, a provider error met while paging) is kept apart, under
raw/<source>/rejected/<sha256>.<ext> with a <sha256>.note.json of its URL and the error, so that
what the provider sent can be inspected; it never becomes `latest.json`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from pipelines.disk import is_disk_full, naming_disk_full
from sources.errors import SourceError
from sources.payload import Part, Payload

_SAFE_ID = re.compile(r"[a-z0-9_]+")
_SAFE_SUFFIX = re.compile(r"[a-z0-9]{1,8}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync it, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def place(part: Part, target: Path) -> None:
    """Put one response body at `target` atomically (nothing when it is there already): a body
    in memory by write_atomic, one streamed to disk by fsync and a hard link (one rename)."""
    if target.exists():
        return
    if part.path is None:
        write_atomic(target, part.body)
        return
    with part.path.open("rb") as handle:
        os.fsync(handle.fileno())
    try:
        os.link(part.path, target)
    except FileExistsError:
        return
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def incoming_dir(raw_dir: Path, source_id: str) -> Path:
    """A fresh folder the client streams one fetch's bodies into, after removing what an
    interrupted fetch left (one fetch of a source at a time: the refresh lock)."""
    folder = source_dir(raw_dir, source_id)
    for stale in folder.glob(".incoming-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return folder / f".incoming-{uuid.uuid4().hex[:12]}"


def source_dir(raw_dir: Path, source_id: str) -> Path:
    if not _SAFE_ID.fullmatch(source_id):
        raise ValueError(f"unsafe source id {source_id!r}")
    return raw_dir / source_id


def land(raw_dir: Path, payload: Payload) -> Path:
    """Land every part and the manifest; return the manifest path. Idempotent."""
    folder = source_dir(raw_dir, payload.source_id)
    with naming_disk_full(f"landing a payload of {payload.source_id}", folder):
        return _land(folder, payload)


def _land(folder: Path, payload: Payload) -> Path:
    for part in payload.parts:
        if not _SAFE_SUFFIX.fullmatch(part.suffix):
            raise ValueError(f"unsafe file suffix {part.suffix!r} from {payload.source_id}")
        place(part, folder / f"{part.sha256}.{part.suffix}")
    manifest = {
        **payload.manifest(),
        "sha256": payload.sha256,
        "fetched_at": payload.fetched_at.isoformat(),
    }
    manifest_path = folder / f"{payload.sha256}.manifest.json"
    if not manifest_path.exists():
        write_atomic(manifest_path, json.dumps(manifest, indent=2).encode())
    write_atomic(folder / "latest.json", json.dumps(manifest, indent=2).encode())
    return manifest_path


def keep_rejected(raw_dir: Path, error: SourceError) -> SourceError:
    """Keep the response `error` refused (if any) under raw/<source>/rejected/; return the error
    to raise, its message naming the kept file."""
    part = error.rejected
    if part is None or not _SAFE_SUFFIX.fullmatch(part.suffix):
        return error
    folder = source_dir(raw_dir, error.source_id) / "rejected"
    target = folder / f"{part.sha256}.{part.suffix}"
    note = folder / f"{part.sha256}.note.json"  # the first refusal of this body: URL and error
    try:
        if not target.exists():
            write_atomic(target, part.body)
        if not note.exists():
            about = {"url": part.url, "error": str(error), "field": error.field}
            write_atomic(note, json.dumps(about, indent=2).encode())
    except OSError as exc:  # e.g. a full disk: the provider's error is still the one to report
        unkept = "no space left on device" if is_disk_full(exc) else str(exc)
        return SourceError(
            error.source_id,
            error.url,
            f"{error.problem}; the response could not be kept ({unkept})",
            error.field,
            rejected=part,
        )
    return SourceError(
        error.source_id,
        error.url,
        f"{error.problem}; the response is kept as {target}",
        error.field,
        rejected=part,
    )


def point_to_landed(raw_dir: Path, payload: Payload, error: SourceError) -> SourceError:
    """The error with its message naming the landed file that keeps the response it is about:
    the part its URL names, else the payload's manifest (which lists every part)."""
    folder = source_dir(raw_dir, payload.source_id)
    kept = next(
        (folder / f"{p.sha256}.{p.suffix}" for p in payload.parts if p.url == error.url),
        folder / f"{payload.sha256}.manifest.json",
    )
    return SourceError(
        error.source_id, error.url, f"{error.problem}; the response is kept as {kept}", error.field
    )


def latest_sha256(raw_dir: Path, source_id: str) -> str | None:
    """The hash of the newest landed payload of a source, or None when none was landed."""
    pointer = source_dir(raw_dir, source_id) / "latest.json"
    return json.loads(pointer.read_text())["sha256"] if pointer.exists() else None


def load_landed(raw_dir: Path, source_id: str, sha256: str | None = None) -> Payload:
    """Read a landed payload back (the latest one unless a hash is given)."""
    folder = source_dir(raw_dir, source_id)
    sha256 = sha256 or latest_sha256(raw_dir, source_id)
    if sha256 is None:
        raise FileNotFoundError(f"no payload of {source_id!r} has been landed in {folder}")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a payload hash: {sha256!r}")
    manifest = json.loads((folder / f"{sha256}.manifest.json").read_text())
    parts = tuple(
        Part(
            url=p["url"],
            suffix=p["suffix"],
            path=_part_path(folder, p["sha256"], p["suffix"]),
            sha256=p["sha256"],
        )
        for p in manifest["parts"]
    )
    return Payload(source_id, parts, fetched_at=datetime.fromisoformat(manifest["fetched_at"]))


def _part_path(folder: Path, sha256: str, suffix: str) -> Path:
    if not (re.fullmatch(r"[0-9a-f]{64}", sha256) and _SAFE_SUFFIX.fullmatch(suffix)):
        raise ValueError(f"manifest names an unsafe part: {sha256!r}.{suffix!r}")
    path = folder / f"{sha256}.{suffix}"
    if not path.is_file():
        raise FileNotFoundError(f"the manifest names {path}, which is missing")
    return path
