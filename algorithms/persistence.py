"""Save and load estimators without pickle: JSON for params and scalars, .npz for arrays.

A saved estimator is a directory with

- `estimator.json`: format_version, algorithm (registry name), class ('module.QualName'),
  params (`get_params()`), attributes (the JSON-able fitted attributes), arrays (names of
  the fitted array attributes) and object_arrays (those of them that were object arrays of
  strings, stored as unicode arrays);
- `estimator.npz`: each fitted array attribute as `<name>.npy`.

Fitted attributes are the public attributes whose names end in "_". Loading resolves the
class only through the registry and reads arrays with allow_pickle=False, so no code from
the files runs. Identical estimators give byte-identical files: fixed zip timestamps,
sorted entries and JSON keys. Each file is written to a temporary file in its directory and
moved into place with os.replace.
"""

import contextlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from algorithms.registry import info_for_class, qualified_name

FORMAT_VERSION = 1
JSON_NAME = "estimator.json"
NPZ_NAME = "estimator.npz"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


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
    return meta, arrays


def _field(meta: dict, key: str, kind: type | tuple[type, ...] = object):
    """meta[key], or ValueError if the saved metadata lacks it or it is not a `kind`."""
    try:
        value = meta[key]
    except (KeyError, TypeError):
        raise ValueError(f"saved estimator metadata has no {key!r} field.") from None
    if not isinstance(value, kind):
        raise ValueError(f"saved estimator field {key!r} has the wrong type: {value!r}.")
    return value


def estimator_from_state(meta: dict, arrays) -> object:
    """The estimator described by estimator_state's (meta, arrays), class found via the registry."""
    version = _field(meta, "format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"unsupported estimator format_version {version!r}; this code reads {FORMAT_VERSION}."
        )
    info = info_for_class(_field(meta, "class", str))
    if _field(meta, "algorithm", str) != info.name:
        raise ValueError(
            f"saved algorithm {meta['algorithm']!r} does not match the registry entry "
            f"{info.name!r} of class {meta['class']!r}."
        )
    params = _field(meta, "params", dict)
    unknown = sorted(set(params) - set(info.estimator_class._get_param_names()))
    if unknown:
        raise ValueError(f"saved params {unknown} are not parameters of {info.name}.")
    estimator = info.estimator_class(**params)
    fitted = dict(_field(meta, "attributes", dict))
    array_names = _field(meta, "arrays", list)
    for name in array_names:
        if name not in arrays:
            raise ValueError(f"saved estimator lacks the array {name!r}.")
        fitted[name] = np.asarray(arrays[name])
    for name in _field(meta, "object_arrays", list):
        if name not in array_names:
            raise ValueError(f"saved object array {name!r} is not among the arrays.")
        fitted[name] = fitted[name].astype(object)
    for name, value in fitted.items():
        if not _is_fitted_name(name):
            raise ValueError(f"saved attribute {name!r} is not a fitted attribute name.")
        setattr(estimator, name, value)
    return estimator


def _atomic_write(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path, then os.replace it onto path."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
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
    _atomic_write(Path(path), buffer.getvalue())


def save_estimator(estimator, directory: Path) -> None:
    """Write directory/estimator.json and directory/estimator.npz (module docstring)."""
    directory = Path(directory)
    meta, arrays = estimator_state(estimator)
    directory.mkdir(parents=True, exist_ok=True)
    write_npz(directory / NPZ_NAME, arrays)
    text = json.dumps(meta, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    _atomic_write(directory / JSON_NAME, text.encode("utf-8"))


def load_estimator(directory: Path):
    """The estimator saved by save_estimator in directory; ValueError if it cannot be read."""
    directory = Path(directory)
    for name in (JSON_NAME, NPZ_NAME):
        if not (directory / name).is_file():
            raise ValueError(f"no saved estimator in {directory}: {name} is missing.")
    meta = json.loads((directory / JSON_NAME).read_text(encoding="utf-8"))
    with np.load(directory / NPZ_NAME, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return estimator_from_state(meta, arrays)
