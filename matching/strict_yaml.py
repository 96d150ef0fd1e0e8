"""Reading the project's YAML data files (trial criteria, visit schedules) the same strict way.

Only YAML 1.2 booleans are booleans: `yes`, `no`, `on` and `off` stay the words they are, since
they are answers in these files. Pure: shared by `matching` and `schedules`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


class _StrictYamlLoader(yaml.SafeLoader):
    """A safe loader whose booleans are `true` and `false` only."""


_StrictYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def read_yaml(path: Path) -> Any:
    """The document in `path`; raises OSError or yaml.YAMLError as reading or parsing fails."""
    # _StrictYamlLoader is a SafeLoader (no object construction); bandit sees only yaml.load.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictYamlLoader)  # nosec B506
