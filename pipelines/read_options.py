"""How a CSV file is read: its separator, the strings that mean null, and its encoding.

A spec's `source: {csv: PATH, ...}` carries these options (`pipelines.spec.CsvSource`), and
`trainyard validate` reads a file with the options of the pipeline's source.
"""

from __future__ import annotations

import codecs
from typing import Any

from pydantic import Field, field_validator, model_serializer

from pipelines.spec_base import Strict

# polars' own decoders; any other name is a Python codec that polars decodes with first.
POLARS_ENCODINGS = ("utf8", "utf8-lossy")


class CsvOptions(Strict):
    """`separator`: one character; `null_values`: cell texts read as null (an empty cell,
    `NA` and `null` by default); `encoding`: utf8, utf8-lossy (bad bytes become U+FFFD) or a
    Python codec such as utf-16 or latin-1."""

    separator: str = Field(default=",", min_length=1, max_length=1)
    null_values: tuple[str, ...] = ("", "NA", "null")
    encoding: str = "utf8"

    @field_validator("null_values", mode="before")
    @classmethod
    def _one_null_value(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, name: str) -> str:
        if name in POLARS_ENCODINGS:
            return name
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise ValueError(
                f"unknown encoding {name!r}; expected utf8, utf8-lossy or a Python codec "
                "such as utf-16 or latin-1"
            ) from None
        return "utf8" if codec.name == "utf-8" else name

    @model_serializer(mode="wrap")
    def _without_defaults(self, handler) -> dict[str, Any]:
        # A spec that does not set an option keeps the hash and code version it had before
        # the option existed: only options given (other than their default) are dumped.
        data = handler(self)
        for name, field in type(self).model_fields.items():
            if not field.is_required() and getattr(self, name) == field.default:
                data.pop(name, None)
        return data

    @property
    def python_encoding(self) -> tuple[str, str]:
        """(codec, errors) for Python's `open` that decodes the file as polars does."""
        if self.encoding in POLARS_ENCODINGS:
            return "utf-8", "replace" if self.encoding == "utf8-lossy" else "strict"
        return self.encoding, "strict"
