"""Map state configuration (States Language: "Map State"; AWS's Distributed Map fields
ItemReader, ItemBatcher, ResultWriter, ToleratedFailure*, Label).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.validation_report import expected_type, not_supported, one_of_values, required
from engine.validation_resources import ITEM_READER_ACTIONS, RESULT_WRITER_ACTIONS
from engine.validation_values import is_jsonata

if TYPE_CHECKING:
    from engine.validation_states import StateChecker


_READER_INPUT_TYPES = ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
MAX_LABEL = 40


def check_map(c: StateChecker, state: dict, loc: str, language: str) -> None:
    _processor(c, state, loc)
    c.positive_int(state, "MaxConcurrency", loc, 0, language)
    c.positive_int(state, "ToleratedFailureCount", loc, 0, language)
    _percentage(c, state, loc, language)
    for field in (
        "ItemsPath",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCountPath",
    ):
        c.reference_path_field(state, field, loc)
    _items(c, state, loc, language)
    if "ItemReader" in state:
        _reader(c, state["ItemReader"], f"{loc}/ItemReader", language)
    if "ResultWriter" in state:
        _writer(c, state["ResultWriter"], f"{loc}/ResultWriter", language)
    if "ItemBatcher" in state and not isinstance(state["ItemBatcher"], dict):
        c.add(f"{loc}/ItemBatcher", expected_type("OBJECT"))
    if "Label" in state:
        _label(c, state["Label"], f"{loc}/Label")


def _processor(c: StateChecker, state: dict, loc: str) -> None:
    fields = [f for f in ("ItemProcessor", "Iterator") if f in state]
    if not fields:
        c.add(loc, required("ItemProcessor"))
    for field in fields:
        c.scope(state[field], f"{loc}/{field}", "processor")


def _percentage(c: StateChecker, state: dict, loc: str, language: str) -> None:
    value = state.get("ToleratedFailurePercentage")
    if "ToleratedFailurePercentage" not in state or (language == "JSONata" and is_jsonata(value)):
        return
    where = f"{loc}/ToleratedFailurePercentage"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        c.add(where, expected_type("NUMBER"))
    elif value < 0:
        c.add(where, "Minimum value is 0")
    elif value > 100:
        c.add(where, "Maximum value is 100")


def _items(c: StateChecker, state: dict, loc: str, language: str) -> None:
    items = state.get("Items")
    if (
        "Items" in state
        and language == "JSONata"
        and not (isinstance(items, list) or is_jsonata(items))
    ):
        c.add(f"{loc}/Items", expected_type("ARRAY"))


def _reader(c: StateChecker, reader: Any, loc: str, language: str) -> None:
    if not isinstance(reader, dict):
        c.add(loc, expected_type("OBJECT"))
        return
    if "Resource" not in reader:
        c.add(loc, required("Resource"))
    c.s3_resource(reader, loc, ITEM_READER_ACTIONS)
    config = reader.get("ReaderConfig")
    if (
        isinstance(config, dict)
        and "InputType" in config
        and config["InputType"] not in _READER_INPUT_TYPES
    ):
        c.add(f"{loc}/ReaderConfig/InputType", one_of_values("InputType", _READER_INPUT_TYPES))
    _io_template(c, reader, loc, language)


def _writer(c: StateChecker, writer: Any, loc: str, language: str) -> None:
    if not isinstance(writer, dict):
        c.add(loc, expected_type("OBJECT"))
        return
    c.s3_resource(writer, loc, RESULT_WRITER_ACTIONS)
    _io_template(c, writer, loc, language)


def _io_template(c: StateChecker, config: dict, loc: str, language: str) -> None:
    """ItemReader/ResultWriter take Parameters in JSONPath and Arguments in JSONata."""
    wrong = "Arguments" if language == "JSONPath" else "Parameters"
    if wrong in config:
        c.add(f"{loc}/{wrong}", not_supported(wrong))
    if language == "JSONPath" and "Parameters" in config:
        c.payload_template(config["Parameters"], f"{loc}/Parameters")


def _label(c: StateChecker, label: Any, loc: str) -> None:
    if not isinstance(label, str):
        c.add(loc, expected_type("STRING"))
    elif len(label) > MAX_LABEL or _LABEL_FORBIDDEN.search(label):
        c.report.add(loc, "You have provided an invalid label name.", "INVALID_LABEL_NAME")
