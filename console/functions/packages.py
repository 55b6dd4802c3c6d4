"""Zip packages of functions deployed through the Lambda API: checked, unpacked safely, kept.

A package is stored once per content (``<packages dir>/<sha256>.zip`` and the folder
``<sha256>/`` it unpacks to), so re-deploying the same zip costs nothing and a running
worker's folder never changes under it. Unpacking refuses what Lambda refuses (not a zip,
more than 250 MB unzipped) and what would escape the folder: absolute names, ``..``
parts, and symbolic links pointing outside the package.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import uuid
import zipfile
from pathlib import Path

from console.functions import runtime_dir

MAX_ZIPPED_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 262_144_000
NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
_CHUNK = 1024 * 1024


class BadPackage(ValueError):
    """The upload is not a package Lambda (or a safe unpacking) accepts; the text says why."""


class PackageTooLarge(BadPackage):
    """The zip itself is larger than Lambda takes in a direct upload."""


def packages_dir() -> Path:
    return runtime_dir().parent / "function-packages"


def folder(digest: str) -> Path:
    return packages_dir() / digest


def zip_path(digest: str) -> Path:
    return packages_dir() / f"{digest}.zip"


def code_sha256(data: bytes) -> str:
    """Lambda's CodeSha256: the base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def store(data: bytes) -> str:
    """Check and unpack ``data`` (a zip) once; its hex SHA-256, which names the package."""
    if len(data) > MAX_ZIPPED_BYTES:
        raise PackageTooLarge(f"Zipped size must be smaller than {MAX_ZIPPED_BYTES} bytes")
    digest = hashlib.sha256(data).hexdigest()
    if folder(digest).is_dir() and zip_path(digest).is_file():
        return digest
    packages_dir().mkdir(parents=True, exist_ok=True)
    scratch = packages_dir() / f".unpacking-{uuid.uuid4().hex}"
    try:
        scratch.mkdir()
        _unpack(data, scratch)
        _write_atomically(zip_path(digest), data)
        try:
            scratch.rename(folder(digest))
        except OSError:
            if not folder(digest).is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return digest


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _unpack(data: bytes, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise BadPackage(NOT_A_ZIP) from None
    with archive:
        links: list[tuple[Path, str, zipfile.ZipInfo]] = []
        written = 0
        for info in archive.infolist():
            relative = safe_name(info.filename)
            if relative is None:
                continue
            destination = target / relative
            if _is_symlink(info):
                links.append((destination, relative, info))
            elif info.is_dir():
                _make_dirs(destination)
            else:
                written += _extract_file(archive, info, destination, MAX_UNZIPPED_BYTES - written)
        # Links are made last, so that no file is ever written through one.
        for destination, relative, info in links:
            _make_link(archive, info, destination, relative)


def safe_name(name: str) -> str | None:
    """The member's path inside the package (None for the root); BadPackage if it escapes."""
    cleaned = name.replace("\\", "/")
    parts = [part for part in cleaned.split("/") if part not in ("", ".")]
    if cleaned.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise BadPackage(f"{NOT_A_ZIP} The entry '{name}' points outside the package.")
    return "/".join(parts) or None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _make_dirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BadPackage(f"{NOT_A_ZIP} ({error.strerror}: {path.name})") from None


def _extract_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, allowed: int) -> int:
    """Copy one member, counting real bytes (a zip's declared sizes may lie); bytes written."""
    _make_dirs(destination.parent)
    written = 0
    try:
        with archive.open(info) as source, open(destination, "wb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > allowed:
                    raise BadPackage(f"Unzipped size must be smaller than {MAX_UNZIPPED_BYTES} bytes")
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError):
        raise BadPackage(NOT_A_ZIP) from None
    except OSError as error:
        raise BadPackage(f"{NOT_A_ZIP} ({error.strerror}: {info.filename})") from None
    executable = (info.external_attr >> 16) & 0o111
    destination.chmod(0o755 if executable else 0o644)
    return written


def _make_link(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, relative: str) -> None:
    link = archive.read(info).decode("utf-8", errors="replace")
    resolved = os.path.normpath(os.path.join(os.path.dirname(relative), link))
    if os.path.isabs(link) or resolved == ".." or resolved.startswith("../"):
        raise BadPackage(f"{NOT_A_ZIP} The link '{info.filename}' points outside the package.")
    _make_dirs(destination.parent)
    try:
        destination.symlink_to(link)
    except OSError as error:
        raise BadPackage(f"{NOT_A_ZIP} ({error.strerror}: {info.filename})") from None


# --------------------------------------------------------------------------- building zips


def single_file_zip(name: str, text: str) -> bytes:
    """A zip holding one file (a console function's code, as Lambda would have it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_member(name), text)
    return buffer.getvalue()


def folder_zip(root: Path, files: list[Path]) -> bytes:
    """A zip of ``files`` (paths under ``root``), named relative to it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def replace_member(digest: str, name: str, text: str) -> bytes:
    """The package's zip with the file ``name`` replaced by (or added as) ``text``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(zip_path(digest)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if safe_name(info.filename) != name:
                out.writestr(info, source.read(info))
        out.writestr(_member(name), text)
    return buffer.getvalue()


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
