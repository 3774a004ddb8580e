"""SFN110: Map state configuration (ProcessorConfig, ItemReader, ItemBatcher, ResultWriter, Label)."""

from __future__ import annotations

import re
from typing import Iterator

from ....asl.model import State
from ....diagnostics import did_you_mean
from ...base import CheckContext, Finding, Rule, Severity
from .._common import IB, IR, MAPD, QUOTA, RW, ptr, short, type_name
from ._common import GROUP, int_value, typed_states


_LABEL_BAD = re.compile(r"[\s?*<>{}\[\]\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


class InvalidMapConfiguration(Rule):
    id = "SFN110"
    name = "invalid-map-configuration"
    group = GROUP
    severity = Severity.ERROR
    summary = "Map ProcessorConfig, ItemReader, ItemBatcher, ResultWriter or Label is invalid"
    docs = """\
## Why
- `ProcessorConfig.Mode` is `INLINE` or `DISTRIBUTED`; `ExecutionType` (`STANDARD` or `EXPRESS`) is
  required for `DISTRIBUTED`.
- `ItemBatcher` needs `MaxItemsPerBatch` or `MaxInputBytesPerBatch` (or their `Path`);
  `MaxInputBytesPerBatch` is at most 262,144 bytes.
- `ResultWriter` must not be empty; `Resource` and `Parameters`/`Arguments` go together;
  `WriterConfig.Transformation` is `NONE`/`COMPACT`/`FLATTEN`, `OutputType` `JSON`/`JSONL`.
- `ReaderConfig.CSVHeaderLocation` is `FIRST_ROW` or `GIVEN` (then `CSVHeaders` is required).
- `Label`: at most 40 characters, none of whitespace, `? * < > { } [ ] " # % \\ ^ | ~ \\` $ & , ; : /` or
  control characters.

## How to fix
Use the documented values. `ItemReader`, `ItemBatcher` and `ResultWriter` only take effect in a
Distributed Map (a warning is reported on an inline Map).

## Known limits
Unknown `ReaderConfig.InputType` values are warnings (AWS adds formats). An `ItemReader` on an inline Map
is accepted by AWS at definition time, hence only a warning.
"""
    sources = (MAPD, IR, IB, RW, QUOTA)
    example_fail = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P",
                                         "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}
    example_pass = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                         "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in typed_states(m):
            if state.type != "Map":
                continue
            raw, p, w = state.raw, state.pointer, f"State '{state.name}':"
            distributed = False
            for key in ("ItemProcessor", "Iterator"):
                proc = raw.get(key)
                if not isinstance(proc, dict) or "ProcessorConfig" not in proc:
                    continue
                cfg = proc["ProcessorConfig"]
                cp = ptr(p, key, "ProcessorConfig")
                if not isinstance(cfg, dict):
                    if not m.is_opaque(cfg):
                        yield Finding(cp, f"{w} 'ProcessorConfig' is {type_name(cfg)}, not an object")
                    continue
                mode = cfg.get("Mode", "INLINE")
                if mode not in ("INLINE", "DISTRIBUTED") and not m.is_opaque(mode):
                    yield Finding(cp + "/Mode", f"{w} 'ProcessorConfig.Mode' is {short(mode)!r}, not 'INLINE' or "
                                                "'DISTRIBUTED'", hint=did_you_mean(str(mode), ("INLINE", "DISTRIBUTED")))
                distributed = mode == "DISTRIBUTED" or m.is_opaque(mode)
                et = cfg.get("ExecutionType")
                if "ExecutionType" in cfg and et not in ("STANDARD", "EXPRESS") and not m.is_opaque(et):
                    yield Finding(cp + "/ExecutionType", f"{w} 'ProcessorConfig.ExecutionType' is {short(et)!r}, not "
                                                         "'STANDARD' or 'EXPRESS'")
                if mode == "DISTRIBUTED" and "ExecutionType" not in cfg:
                    yield Finding(cp, f"{w} a DISTRIBUTED Map needs 'ProcessorConfig.ExecutionType'", key=True,
                                  hint='add "ExecutionType": "STANDARD" (or "EXPRESS")')
            if not distributed:
                for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
                    if key in raw:
                        yield Finding(ptr(p, key), f"{w} '{key}' only takes effect in a Distributed Map (this Map is "
                                                   "inline)", key=True, severity=Severity.WARNING,
                                      hint='set "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}')
            if "Label" in raw and isinstance(raw["Label"], str) and not m.is_opaque(raw["Label"]):
                label = raw["Label"]
                if len(label) > 40:
                    yield Finding(ptr(p, "Label"), f"{w} 'Label' is {len(label)} characters long; the limit is 40")
                bad = _LABEL_BAD.search(label)
                if bad:
                    yield Finding(ptr(p, "Label"), f"{w} 'Label' contains {bad.group()!r}, which is not allowed",
                                  hint="use letters, digits, '-', '_' and '.'")
            batcher = raw.get("ItemBatcher")
            if isinstance(batcher, dict):
                if not any(k in batcher for k in ("MaxItemsPerBatch", "MaxInputBytesPerBatch", "MaxItemsPerBatchPath",
                                                  "MaxInputBytesPerBatchPath")):
                    yield Finding(ptr(p, "ItemBatcher"), f"{w} 'ItemBatcher' needs 'MaxItemsPerBatch' or "
                                                         "'MaxInputBytesPerBatch'", key=True)
                for f, hi in (("MaxItemsPerBatch", None), ("MaxInputBytesPerBatch", 262_144)):
                    if f in batcher:
                        yield from int_value(m, state, ptr(p, "ItemBatcher", f), batcher[f],
                                                            f"{w} 'ItemBatcher.{f}'", 1, hi, path_field=f + "Path")
            elif "ItemBatcher" in raw and not m.is_opaque(batcher):
                yield Finding(ptr(p, "ItemBatcher"), f"{w} 'ItemBatcher' is {type_name(batcher)}, not an object")
            reader = raw.get("ItemReader")
            if isinstance(reader, dict):
                rc = reader.get("ReaderConfig")
                if isinstance(rc, dict):
                    rp = ptr(p, "ItemReader", "ReaderConfig")
                    it = rc.get("InputType")
                    if "InputType" in rc and it not in ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET") and \
                            not m.is_opaque(it):
                        yield Finding(rp + "/InputType", f"{w} 'ReaderConfig.InputType' is {short(it)!r}, not one of "
                                                         "CSV, JSON, JSONL, MANIFEST, PARQUET", severity=Severity.WARNING)
                    loc = rc.get("CSVHeaderLocation")
                    if "CSVHeaderLocation" in rc and loc not in ("FIRST_ROW", "GIVEN") and not m.is_opaque(loc):
                        yield Finding(rp + "/CSVHeaderLocation", f"{w} 'ReaderConfig.CSVHeaderLocation' is {short(loc)!r}, "
                                                                 "not 'FIRST_ROW' or 'GIVEN'")
                    if loc == "GIVEN" and "CSVHeaders" not in rc:
                        yield Finding(rp, f"{w} 'ReaderConfig.CSVHeaderLocation' is GIVEN but 'CSVHeaders' is missing",
                                      key=True, hint='add "CSVHeaders": ["col1", "col2", ...]')
                    if "MaxItems" in rc:
                        yield from int_value(m, state, rp + "/MaxItems", rc["MaxItems"],
                                                            f"{w} 'ReaderConfig.MaxItems'", 1, 100_000_000,
                                                            path_field="MaxItemsPath")
            writer = raw.get("ResultWriter")
            if isinstance(writer, dict):
                wp = ptr(p, "ResultWriter")
                params = "Arguments" if state.is_jsonata else "Parameters"
                has_res = "Resource" in writer
                has_par = "Parameters" in writer or "Arguments" in writer
                if not writer:
                    yield Finding(wp, f"{w} 'ResultWriter' is empty", hint="add WriterConfig, or Resource and " + params)
                elif has_res and not has_par:
                    yield Finding(wp, f"{w} 'ResultWriter' has 'Resource' but no '{params}'", key=True,
                                  hint=f'add "{params}": {{"Bucket": ..., "Prefix": ...}}')
                elif has_par and not has_res:
                    yield Finding(wp, f"{w} 'ResultWriter' has '{params}' but no 'Resource'", key=True,
                                  hint='add "Resource": "arn:aws:states:::s3:putObject"')
                wc = writer.get("WriterConfig")
                if isinstance(wc, dict):
                    tr, ot = wc.get("Transformation"), wc.get("OutputType")
                    if "Transformation" in wc and tr not in ("NONE", "COMPACT", "FLATTEN") and not m.is_opaque(tr):
                        yield Finding(wp + "/WriterConfig/Transformation",
                                      f"{w} 'WriterConfig.Transformation' is {short(tr)!r}, not NONE, COMPACT or FLATTEN")
                    if "OutputType" in wc and ot not in ("JSON", "JSONL") and not m.is_opaque(ot):
                        yield Finding(wp + "/WriterConfig/OutputType",
                                      f"{w} 'WriterConfig.OutputType' is {short(ot)!r}, not JSON or JSONL")
