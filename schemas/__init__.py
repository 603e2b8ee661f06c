"""trainyard schemas: pandera DataFrameModels (polars backend), one module per data set."""
