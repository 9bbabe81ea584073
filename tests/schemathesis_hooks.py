"""schemathesis hooks for the Julep spec (``schemathesis.toml`` loads this module).

``Common.identifierSafeUnicode`` (user names, chat ``model``) is a pattern of Unicode
property classes; ``julep_spec.corrected_spec()`` spells them out and tags the schema with
``format: julep-identifier-safe-unicode``. Registering a generator for that format lets
schemathesis draw names by Unicode category, then filter them by the pattern, instead of
building a regex strategy from ~140,000 code points for every operation that has a name.
"""

from __future__ import annotations

import schemathesis
from julep_spec import IDENTIFIER_FORMAT, identifier_strategy

schemathesis.openapi.format(IDENTIFIER_FORMAT, identifier_strategy())
