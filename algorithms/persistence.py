"""Save and load estimators without pickle: JSON for params and scalars, .npz for arrays.

A saved estimator is a directory with

- `estimator.json`: format_version, algorithm (registry name), class ('module.QualName'),
  params (`get_params()`), attributes (the JSON-able fitted attributes), arrays (names of
  the fitted array attributes) and object_arrays (those of them that were object arrays of
  strings, stored as unicode arrays);
- `estimator.npz`: each fitted array attribute as `<name>.npy`.

Fitted attributes are the public attributes whose names end in "_". Loading resolves the
class only through the registry and reads arrays without pickle, so no code from the files
runs. Identical estimators give byte-identical files: fixed zip timestamps, sorted entries
and JSON keys. Each file is written atomically (`algorithms.atomic_files`); the directory
may be a `pathlib.Path` or a universal-pathlib `UPath` on any fsspec filesystem.

A file that is not what `save_estimator` wrote — truncated, flipped, a pickle, garbage JSON,
an npy header claiming more bytes than the archive holds, an array whose dtype or shape does
not fit the estimator (`algorithms.fitted_layouts`) — is refused with `DamagedModelError`,
naming the file and the field, before any array is allocated from a size it claims.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from algorithms.atomic_files import atomic_write
from algorithms.fitted_layouts import LAYOUTS, layout_problem
from algorithms.registry import info_for_class, qualified_name

FORMAT_VERSION = 1
JSON_NAME = "estimator.json"
NPZ_NAME = "estimator.npz"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _jsonable(value, what: str):
    """value as plain JSON types (numpy scalars to Python); ValueError naming `what` if not."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return _jsonable(value.item(), what)
    if isinstance(value, list | tuple):
        return [_jsonable(item, what) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _jsonable(item, what) for key, item in value.items()}
    raise ValueError(f"cannot save {what}: a {type(value).__name__} is not JSON-serialisable.")


def _is_fitted_name(name: str) -> bool:
    """True for public attribute names ending in '_' (scikit-learn's fitted state)."""
    return name.isidentifier() and name.endswith("_") and not name.startswith("_")


def estimator_state(estimator) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays): the JSON-able description of a registered estimator and its arrays."""
    info = info_for_class(type(estimator))
    params = estimator.get_params(deep=False)
    attributes, arrays, object_arrays = {}, {}, []
    for name, value in sorted(vars(estimator).items()):
        if not _is_fitted_name(name):
            continue
        if not isinstance(value, np.ndarray):
            attributes[name] = _jsonable(value, f"attribute {name}")
            continue
        if value.dtype == object:
            if not all(isinstance(item, str) for item in value.flat):
                raise ValueError(f"cannot save attribute {name}: an object array not of strings.")
            value = value.astype(str)
            object_arrays.append(name)
        arrays[name] = value
    meta = {
        "format_version": FORMAT_VERSION,
        "algorithm": info.name,
        "class": qualified_name(type(estimator)),
        "params": {name: _jsonable(value, f"parameter {name}") for name, value in params.items()},
        "attributes": attributes,
        "arrays": sorted(arrays),
        "object_arrays": object_arrays,
    }
    name = type(estimator).__name__
    if name not in LAYOUTS:
        raise ValueError(f"cannot save {name}: add its arrays to algorithms.fitted_layouts.")
    problem = layout_problem(name, attributes, arrays)
    if problem is not None:
        raise ValueError(f"cannot save {name}: {problem[0]} does not fit its layout: {problem[1]}")
    return meta, arrays


def fitted_numbers(estimator) -> int:
    """How many numbers a fitted estimator stores: the total size of its saved arrays."""
    return sum(array.size for array in estimator_state(estimator)[1].values())


class DamagedModelError(ValueError):
    """A stored model that cannot be trusted: the message names the file (when known), the
    field and what is wrong with it."""

    def __init__(self, reason: str, *, field: str | None = None, file: Any = None):
        self.reason, self.field, self.file = reason, field, file
        where = "" if field is None else f"{field}: "
        self.detail = f"{file or '(in memory)'}: {where}{reason}"
        super().__init__(f"damaged model file {self.detail}")

    def in_file(self, file: Any) -> DamagedModelError:
        """The same error, naming `file`."""
        return DamagedModelError(self.reason, field=self.field, file=file)


def _field(meta: dict, key: str, kind: type | tuple[type, ...] = object):
    """meta[key], or DamagedModelError if the saved metadata lacks it or it is not a `kind`."""
    try:
        value = meta[key]
    except (KeyError, TypeError):
        raise DamagedModelError("saved estimator metadata has no such field.", field=key) from None
    if not isinstance(value, kind):
        raise DamagedModelError(f"has the wrong type: {value!r}.", field=key)
    return value


def estimator_from_state(meta: dict, arrays) -> object:
    """The estimator described by estimator_state's (meta, arrays), class found via the
    registry; DamagedModelError naming the field when the state does not describe one."""
    version = _field(meta, "format_version")
    if version != FORMAT_VERSION:
        raise DamagedModelError(
            f"unsupported estimator format_version {version!r}; this code reads {FORMAT_VERSION}.",
            field="format_version",
        )
    try:
        info = info_for_class(_field(meta, "class", str))
    except ValueError as exc:
        raise DamagedModelError(str(exc), field="class") from None
    if _field(meta, "algorithm", str) != info.name:
        raise DamagedModelError(
            f"saved algorithm {meta['algorithm']!r} does not match the registry entry "
            f"{info.name!r} of class {meta['class']!r}.",
            field="algorithm",
        )
    params = _field(meta, "params", dict)
    unknown = sorted(set(params) - set(info.estimator_class._get_param_names()))
    if unknown:
        raise DamagedModelError(
            f"saved params {unknown} are not parameters of {info.name}.", field="params"
        )
    estimator = info.estimator_class(**params)
    attributes = _field(meta, "attributes", dict)
    fitted = dict(attributes)
    array_names = _field(meta, "arrays", list)
    for name in array_names:
        if name not in arrays:
            raise DamagedModelError(f"saved estimator lacks the array {name!r}.", field=name)
        fitted[name] = np.asarray(arrays[name])
    for name in sorted(set(arrays) - set(array_names)):
        raise DamagedModelError("an array the metadata does not list.", field=name)
    for name in _field(meta, "object_arrays", list):
        if name not in array_names:
            raise DamagedModelError(
                f"saved object array {name!r} is not among the arrays.", field="object_arrays"
            )
    for name in fitted:
        if not _is_fitted_name(name):
            raise DamagedModelError(f"{name!r} is not a fitted attribute name.", field=name)
    stored = {name: fitted[name] for name in array_names}
    problem = layout_problem(type(estimator).__name__, attributes, stored)
    if problem is not None:
        raise DamagedModelError(problem[1], field=problem[0])
    for name in _field(meta, "object_arrays", list):
        fitted[name] = fitted[name].astype(object)
    for name, value in fitted.items():
        setattr(estimator, name, value)
    return estimator


def write_npz(path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez-compatible archive whose bytes depend only on the arrays; written atomically."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[name]), allow_pickle=False)
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, member.getvalue())
    atomic_write(path, buffer.getvalue())


def _read_member(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, size: int) -> np.ndarray:
    """One `.npy` member of an archive of `size` bytes, its header checked before its data is
    read: stored uncompressed inside the archive, a plain (non-object) dtype, and exactly as
    many data bytes as the header's shape and dtype claim."""
    field = entry.filename.removesuffix(".npy")
    if entry.compress_type != zipfile.ZIP_STORED or entry.compress_size != entry.file_size:
        raise DamagedModelError("compressed or inconsistent archive entry.", field=field)
    if entry.header_offset + entry.compress_size > size:
        raise DamagedModelError(
            f"entry claims {entry.file_size} bytes, more than the archive holds.", field=field
        )
    with archive.open(entry) as member:
        try:
            read_header = _HEADER_READERS[np.lib.format.read_magic(member)]
            shape, fortran, dtype = read_header(member)
        except (KeyError, ValueError, SyntaxError, TypeError) as exc:
            raise DamagedModelError(f"unreadable .npy header ({exc}).", field=field) from None
        if dtype.hasobject:
            raise DamagedModelError(f"object dtype {dtype} (a pickle), refused.", field=field)
        claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
        held = entry.file_size - member.tell()
        if claimed != held:
            raise DamagedModelError(
                f"header claims a {dtype} array of shape {shape} ({claimed} bytes) but the "
                f"archive holds {held} bytes.",
                field=field,
            )
        data = member.read(held)
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return array.copy()


def read_npz(handle, file: Any = None) -> dict[str, np.ndarray]:
    """Every array of an archive `write_npz` wrote, read from a seekable binary handle;
    DamagedModelError naming `file` and the array when the archive is not one."""
    try:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            arrays = {}
            for entry in archive.infolist():
                if not entry.filename.endswith(".npy"):
                    raise DamagedModelError("not an .npy entry.", field=entry.filename)
                arrays[entry.filename.removesuffix(".npy")] = _read_member(archive, entry, size)
            return arrays
    except DamagedModelError as exc:
        raise exc.in_file(file) from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DamagedModelError(f"not a readable .npz archive ({exc}).", file=file) from None


def save_estimator(estimator, directory) -> None:
    """Write directory/estimator.json and directory/estimator.npz (module docstring)."""
    directory = Path(directory) if isinstance(directory, str) else directory
    meta, arrays = estimator_state(estimator)
    directory.mkdir(parents=True, exist_ok=True)
    write_npz(directory / NPZ_NAME, arrays)
    text = json.dumps(meta, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    atomic_write(directory / JSON_NAME, text.encode("utf-8"))


def read_json_object(path) -> dict[str, Any]:
    """The JSON object stored at `path`; DamagedModelError naming the file when it is
    missing, not UTF-8 JSON, or not an object."""
    if not path.is_file():
        raise DamagedModelError("the file is missing.", file=path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedModelError(f"not JSON ({exc}).", file=path) from None
    if not isinstance(data, dict):
        raise DamagedModelError("not a JSON object.", file=path)
    return data


def load_estimator(directory):
    """The estimator saved by save_estimator in directory; DamagedModelError naming the file
    and the field when it is missing, damaged or tampered with."""
    directory = Path(directory) if isinstance(directory, str) else directory
    meta = read_json_object(directory / JSON_NAME)
    if not (directory / NPZ_NAME).is_file():
        raise DamagedModelError("the file is missing.", file=directory / NPZ_NAME)
    with (directory / NPZ_NAME).open("rb") as handle:
        arrays = read_npz(handle, file=directory / NPZ_NAME)
    try:
        return estimator_from_state(meta, arrays)
    except DamagedModelError as exc:
        file = directory / (NPZ_NAME if exc.field in arrays else JSON_NAME)
        raise exc.in_file(file) from None
