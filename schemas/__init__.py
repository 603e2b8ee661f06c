"""trainyard schemas: pandera DataFrameModels (polars backend), one module per data set.

`$TRAINYARD_SCHEMAS`, when set, names one more folder of schema modules, imported as
`schemas.<module>` like the shipped ones (specs kept outside the repository, with
`$TRAINYARD_SPECS`, keep their schemas there).
"""

import os

if os.environ.get("TRAINYARD_SCHEMAS"):
    __path__.append(os.environ["TRAINYARD_SCHEMAS"])
