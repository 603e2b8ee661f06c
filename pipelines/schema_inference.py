"""Infer a pandera schema from a Polars frame and write it as a schema module.

`profile_frame` measures each column: its type (int, float, bool or str), nulls, the range of
its finite values, NaN and inf, its categories (a text column with few distinct values) and
whether it looks like a row identifier. `schema_module` writes the module in the style of the
shipped schemas (`schemas.base.StrictModel`, one `pa.Field` per column), ruff-formatted.

The checks are what the file shows, no more: ranges are the smallest and largest values seen
and categories the texts seen, so the module says to review and widen them.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from collections.abc import Collection
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

# A text column is categorical when it has at most this many distinct values, and fewer than
# half as many as it has values (ten names in ten rows are not categories).
MAX_CATEGORIES = 20
_LINE = 100
_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)
# Names a DataFrameModel defines itself: a column called so needs another attribute name.
_MODEL_NAMES = frozenset(dir(pa.DataFrameModel))
_ID_NAME = re.compile(r"(?:^|[^a-zA-Z])(?:id|ID|Id|index|key)$|[a-z](?:Id|ID)$")


@dataclass(frozen=True)
class ColumnProfile:
    """What one column of a frame holds.

    `kind` is the schema type: "int", "float", "bool" or "str" (any type the CSV reader gives
    that is none of the others, e.g. integers beyond 64 bits, is kept as text). `minimum` and
    `maximum` are over the finite values of a numeric column (None when it has none);
    `categories` the sorted distinct texts of a categorical text column, else None;
    `row_id` is true for an integer column whose values are all distinct and either sorted in
    file order or named like an identifier (`id`, `customer_id`, `CustomerID`, `index`, …).
    """

    name: str
    kind: str
    nulls: int
    distinct: int
    minimum: int | float | None = None
    maximum: int | float | None = None
    nan: int = 0
    pos_inf: int = 0
    neg_inf: int = 0
    categories: tuple[str, ...] | None = None
    row_id: bool = False

    @property
    def numeric(self) -> bool:
        """Whether a model can take the column as a feature (int, float or bool)."""
        return self.kind in ("int", "float", "bool")

    @property
    def complete(self) -> bool:
        """No null, NaN or infinite value: a feature column must be complete."""
        return not (self.nulls or self.nan or self.pos_inf or self.neg_inf)


@dataclass(frozen=True)
class FrameProfile:
    """The row count and each column's profile, in file order."""

    rows: int
    columns: tuple[ColumnProfile, ...]

    def column(self, name: str) -> ColumnProfile:
        """The profile of column `name`."""
        return next(c for c in self.columns if c.name == name)


def profile_frame(df: pl.DataFrame) -> FrameProfile:
    """The profile of every column of `df` (see ColumnProfile)."""
    return FrameProfile(df.height, tuple(profile_column(df.get_column(c)) for c in df.columns))


def profile_column(series: pl.Series) -> ColumnProfile:
    """The profile of one column (see ColumnProfile)."""
    dtype = series.dtype
    nulls = series.null_count()
    if dtype == pl.Boolean:
        return ColumnProfile(series.name, "bool", nulls, series.drop_nulls().n_unique())
    if dtype in _INTEGERS:
        values = series.drop_nulls()
        distinct = values.n_unique()
        distinct_rows = nulls == 0 and distinct == series.len() > 1
        row_id = distinct_rows and (_monotone(values) or bool(_ID_NAME.search(series.name)))
        return ColumnProfile(
            series.name, "int", nulls, distinct, values.min(), values.max(), row_id=row_id
        )
    if dtype.is_float():
        values = series.drop_nulls()
        finite = values.filter(values.is_finite())
        return ColumnProfile(
            series.name,
            "float",
            nulls,
            values.n_unique(),
            finite.min(),
            finite.max(),
            nan=int(values.is_nan().sum()),
            pos_inf=int((values == float("inf")).sum()),
            neg_inf=int((values == float("-inf")).sum()),
        )
    values = series.cast(pl.String).drop_nulls()
    distinct = values.n_unique()
    categorical = 0 < distinct <= MAX_CATEGORIES and distinct < values.len() / 2
    categories = tuple(sorted(values.unique().to_list())) if categorical else None
    return ColumnProfile(series.name, "str", nulls, distinct, categories=categories)


def _monotone(values: pl.Series) -> bool:
    return bool(values.is_sorted() or values.is_sorted(descending=True))


def attribute_names(columns: Collection[str]) -> dict[str, str]:
    """Column name → a distinct Python attribute for it: the name itself when it is a valid
    identifier the model does not use, else a snake_case form (the column is then an alias)."""
    names: dict[str, str] = {}
    for column in columns:
        base = column if _usable(column) else _snake(column)
        name, n = base, 2
        while name in names.values() or (name in columns and name != column):
            name, n = f"{base}_{n}", n + 1
        names[column] = name
    return names


def _usable(name: str) -> bool:
    return (
        name.isidentifier()
        and name.isascii()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and name not in _MODEL_NAMES
    )


def _snake(column: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z]+", "_", column).strip("_").lower() or "column"
    if name[0].isdigit():
        name = f"c_{name}"
    return name if _usable(name) else f"{name}_"


def class_name(pipeline: str) -> str:
    """The schema class of a pipeline name: `churn_2024` → `Churn2024`."""
    return "".join(part.capitalize() for part in pipeline.split("_"))


def schema_module(
    profile: FrameProfile,
    class_name: str,
    *,
    title: str,
    origin: str,
    required: Collection[str] = (),
) -> str:
    """The source of a schema module declaring `class_name`, one field per profiled column.

    `title` names the data set in the docstrings, `origin` says where and when the profile was
    taken. A column in `required` allows no null, NaN or inf even where the file has some (the
    target: rows without one are rejected, not trained on).
    """
    attributes = attribute_names([c.name for c in profile.columns])
    summary = f"Schema of {title}, inferred by `trainyard new` from {profile.rows} rows."
    review = (
        f"Read from {origin}. Review it before relying on it: each range is the smallest and "
        "largest value seen in that file and each category list the values seen, so new data "
        "outside them is refused (or quarantined); widen them to what the column may hold."
    )
    lines = [*_docstring([summary, review], ""), "", "from __future__ import annotations", ""]
    lines += ["import pandera.polars as pa", "", "from schemas.base import StrictModel"]
    constants = {
        c.name: f"{attributes[c.name].upper()}_VALUES" for c in profile.columns if c.categories
    }
    if constants:
        lines.append("")
    for column in profile.columns:
        if column.categories:
            items = [_literal(v) for v in column.categories]
            lines += _wrapped(f"{constants[column.name]} = ", "[", items, "]", "", literal=True)
    lines += ["", "", f"class {class_name}(StrictModel):"]
    lines += _docstring([f"The rows of {title}: {len(profile.columns)} columns."], "    ")
    lines.append("")
    for column in profile.columns:
        if column.name in required and missing_values(column):
            lines.append(
                f"    # Not nullable, though the file has {missing_values(column)}: such rows "
                "are rejected."
            )
        args = _field_args(column, attributes[column.name], constants, column.name in required)
        head = f"    {attributes[column.name]}: {column.kind} = pa.Field"
        lines += _wrapped(head, "(", args, ")", "    ")
    return "\n".join(lines) + "\n"


def _field_args(
    column: ColumnProfile, attribute: str, constants: dict[str, str], required: bool
) -> list[str]:
    args = [] if attribute == column.name else [f"alias={_literal(column.name)}"]
    if column.categories:
        args.append(f"isin={constants[column.name]}")
    if column.row_id:
        args.append("unique=True")
    # An allowed inf still meets the range checks, so its side of the range stays open.
    if column.minimum is not None and not (column.neg_inf and not required):
        args.append(f"ge={column.minimum!r}")
    if column.maximum is not None and not (column.pos_inf and not required):
        args.append(f"le={column.maximum!r}")
    if column.nulls and not required:
        args.append("nullable=True")
    # A NaN or inf in the file is allowed, through the metadata keys the validation reads.
    allow = {"allow_nan": column.nan, "allow_inf": column.pos_inf + column.neg_inf}
    flags = ", ".join(f'"{key}": True' for key, n in allow.items() if n and not required)
    if flags:
        args.append(f"metadata={{{flags}}}")
    args.append(f"description={_literal(_description(column))}")
    return args


def _description(column: ColumnProfile) -> str:
    if column.categories:
        seen = f"{len(column.categories)} values"
    elif column.kind == "str":
        seen = f"{column.distinct} distinct texts"
    elif column.kind == "bool":
        seen = "true or false"
    elif column.minimum is None:
        seen = "no finite value"
    else:
        seen = f"{column.minimum!r} to {column.maximum!r}"
    seen += ", all distinct" if column.row_id else ""
    missing = missing_values(column)
    return f"Seen: {seen}" + (f"; {missing}." if missing else ".")


def missing_values(column: ColumnProfile) -> str:
    """'3 nulls, 1 NaN, 2 infinite': the column's values that are no number ('' if none)."""
    counts = {"null": column.nulls, "NaN": column.nan, "infinite": column.pos_inf + column.neg_inf}
    words = [f"{n} {what}{'s' * (what == 'null' and n > 1)}" for what, n in counts.items() if n]
    return ", ".join(words)


def _literal(value: str) -> str:
    """A double-quoted Python string literal, as ruff formats one."""
    return json.dumps(value, ensure_ascii=False)


def _docstring(paragraphs: list[str], indent: str) -> list[str]:
    """A docstring of paragraphs wrapped to the line length; one line when it fits."""
    width = _LINE - len(indent)
    one_line = f'"""{paragraphs[0]}"""'
    if len(paragraphs) == 1 and len(one_line) <= width:
        return [indent + one_line]
    lines = textwrap.wrap(
        f'"""{paragraphs[0]}', width=width, break_long_words=False, break_on_hyphens=False
    )
    for paragraph in paragraphs[1:]:
        lines += [
            "",
            *textwrap.wrap(paragraph, width=width, break_long_words=False, break_on_hyphens=False),
        ]
    return [f"{indent}{line}" if line else "" for line in lines] + [f'{indent}"""']


def _wrapped(
    head: str, opening: str, items: list[str], closing: str, indent: str, literal: bool = False
) -> list[str]:
    """`head(items)` on one line when it fits, as ruff formats it otherwise: the items on one
    indented line (a call's arguments only), else one per line with a trailing comma."""
    one_line = f"{head}{opening}{', '.join(items)}{closing}"
    if len(one_line) <= _LINE:
        return [one_line]
    inner = indent + "    "
    joined = f"{inner}{', '.join(items)}"
    if not literal and len(joined) <= _LINE:
        return [f"{head}{opening}", joined, f"{indent}{closing}"]
    return [f"{head}{opening}", *(f"{inner}{item}," for item in items), f"{indent}{closing}"]
