"""The bounds on what sfnc reads (docs/files.md, "Loading bounds"): every document, JSON or YAML, is at most
`MAX_DOCUMENT_BYTES` long and nests at most `MAX_DEPTH` arrays/objects (sequences/mappings) deep, and a YAML
document builds at most `MAX_YAML_NODES` nodes counting each alias (and `<<` merge) as the nodes it
repeats. Past a bound, the reader raises one located error instead of spending unbounded time or memory
(a YAML alias bomb) or overflowing the stack (100,000 `[`)."""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024     # 20 MiB; AWS's own limit for a definition is 1 MiB
MAX_DEPTH = 200                          # real definitions, templates and env files nest well under 30
MAX_YAML_NODES = 1_000_000               # values built from one YAML document, aliases expanded
