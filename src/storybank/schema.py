"""The JSON Schema of a story's front matter, for editors and other tools (`storybank schema`).

Pydantic writes the base schema from the model; this adds what the model checks in code but JSON
Schema can say too: the bank's vocabularies, the attribution rule and the guardian-form rule. Date
ordering and "the id equals the file name" cannot be said in JSON Schema; `storybank check` covers them.
"""

from __future__ import annotations

from typing import Any

from storybank.models import FrontMatter
from storybank.taxonomy import Taxonomy

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# A date as JSON text ("2024-03-02"), or a date a YAML parser already made from it: such a value is no
# JSON type at all, so only the second branch can match it, and no JSON document can use that branch.
_DATE = {
    "anyOf": [
        {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        {"not": {"type": ["string", "number", "boolean", "array", "object", "null"]}},
    ],
    "description": "YYYY-MM-DD",
}
_UNDER_18 = r"^(under-18|1[0-7]-\d+|\d-\d+)$"


def front_matter_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    schema = _with_dates(FrontMatter.model_json_schema())
    properties = schema["properties"]
    properties["themes"]["items"] = {"type": "string", "enum": sorted(taxonomy.theme_ids)}
    properties["themes"]["uniqueItems"] = True
    properties["content_warnings"]["items"] = {
        "type": "string",
        "enum": sorted(taxonomy.warning_ids),
    }
    properties["content_warnings"]["uniqueItems"] = True
    definitions = schema["$defs"]
    definitions["Consent"]["properties"]["purposes"]["uniqueItems"] = True
    storyteller = definitions["Storyteller"]
    storyteller["properties"]["age_range"] = {
        "anyOf": [{"type": "string", "pattern": r"^(under-18|\d{1,2}-\d{1,3})$"}, {"type": "null"}],
        "default": None,
    }
    storyteller["if"] = {"properties": {"attribution": {"const": "anonymous"}}}
    storyteller["then"] = {"properties": {"display_name": {"type": "null"}}}
    storyteller["else"] = {
        "required": ["display_name"],
        "properties": {"display_name": {"type": "string", "minLength": 1}},
    }
    schema["if"] = {
        "required": ["storyteller"],
        "properties": {
            "storyteller": {
                "required": ["age_range"],
                "properties": {"age_range": {"type": "string", "pattern": _UNDER_18}},
            }
        },
    }
    schema["then"] = {
        "required": ["consent"],
        "properties": {
            "consent": {
                "required": ["guardian_form_ref"],
                "properties": {"guardian_form_ref": {"type": "string", "minLength": 1}},
            }
        },
    }
    return {"$schema": DRAFT_2020_12, **schema}


def _with_dates(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("format") == "date" and node.get("type") == "string":
            return dict(_DATE)
        return {key: _with_dates(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_dates(item) for item in node]
    return node
