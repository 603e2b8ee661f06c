"""Tables larger than memory, without Dagster: a spec whose parquet or CSV source says
`stream: {batch_rows: N}` is read, validated, split, scaled, trained on and scored batch by
batch, so memory stays flat whatever the table's size.

- `source`: the files a streamed source names (or a generator's parts), and `<p>/raw`'s
  description of them from one streamed pass.
- `batches`: lazy scans of the source and of stored parquet parts, batch by batch.
- `split`: the train/test rule, a seeded splitmix64 hash of the row number (or a key column).
- `moments`: running count, mean, variance, min and max, merged across batches (Chan et al.).
- `validation`: every batch through the pandera schema, one report over all batches.
- `features`: the feature transform fitted from the train rows' running moments.
- `training`: an incremental learner fed the train batches for several seeded epochs.
- `metrics`: metrics accumulated over test batches (confusion counts, sums of squares).
- `evaluation`, `report`: the streamed evaluation beside its baseline, and its report.

The Dagster assets are `assets.kinds.stream`.
"""
