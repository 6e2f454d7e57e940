"""Checks every Bot API request against bot-api-methods.json (transcribed from core.telegram.org/bots/api).

The real server accepts parameters as a query string, a urlencoded or multipart form, or a JSON body; in a
form every value is a string and objects/arrays are JSON-serialized. `coerce` turns them into typed values
and raises SchemaViolation on anything the published API does not define: an unknown method, an unknown
parameter, a missing required one, a value of the wrong type. The real server silently ignores unknown
parameters; the fake fails loudly instead, so a typo in RingBot cannot pass unnoticed.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "bot-api-methods.json"), encoding="utf-8") as f:
    SCHEMA = json.load(f)


class SchemaViolation(Exception):
    """A request that does not follow the published Bot API."""


def method_names():
    return sorted(SCHEMA["methods"])


def canonical_method(name):
    """Method names are case-insensitive on the real server."""
    for known in SCHEMA["methods"]:
        if known.lower() == name.lower():
            return known
    return None


def coerce(method, raw):
    """Validates `raw` (a dict of the request's parameters) for `method`; returns the typed parameters."""
    spec = SCHEMA["methods"][method]["params"]
    typed = {}
    for name, value in raw.items():
        if name not in spec:
            raise SchemaViolation(f"{method}: unknown parameter `{name}` (the published parameters are "
                                  f"{', '.join(sorted(spec)) or 'none'})")
        typed[name] = _value(f"{method}.{name}", spec[name], value)
    for name, field in spec.items():
        if field.get("required") and name not in typed:
            raise SchemaViolation(f"{method}: required parameter `{name}` is missing")
    return typed


def _value(where, field, value):
    kind = field["type"]
    if kind == "Integer":
        result = _integer(where, value)
        if "min" in field and result < field["min"] or "max" in field and result > field["max"]:
            raise SchemaViolation(f"{where}: {result} is outside {field.get('min')}...{field.get('max')}")
        return result
    if kind == "String":
        if not isinstance(value, str):
            raise SchemaViolation(f"{where}: expected a String, got {type(value).__name__}")
        allowed = field.get("values")
        if isinstance(allowed, list) and value not in allowed:
            raise SchemaViolation(f"{where}: \"{value}\" is not one of {allowed}")
        return value
    if kind == "Boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise SchemaViolation(f"{where}: expected a Boolean, got {value!r}")
    if kind == "Integer or String":
        if isinstance(value, bool):
            raise SchemaViolation(f"{where}: expected an Integer or String, got a Boolean")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                if not value.startswith("@"):
                    raise SchemaViolation(f"{where}: \"{value}\" is neither an integer id nor an @username")
                return value
        raise SchemaViolation(f"{where}: expected an Integer or String, got {type(value).__name__}")
    if kind.startswith("Array of "):
        items = _json(where, value)
        if not isinstance(items, list):
            raise SchemaViolation(f"{where}: expected a JSON array")
        element = {"type": kind[len("Array of "):]}
        if field.get("values") == "update_types":
            element["values"] = SCHEMA["update_types"]
        return [_value(f"{where}[{i}]", element, item) for i, item in enumerate(items)]
    if kind == "Object":
        obj = _json(where, value)
        if not isinstance(obj, dict):
            raise SchemaViolation(f"{where}: expected a JSON object")
        return obj
    if kind in SCHEMA["types"]:
        obj = _json(where, value)
        if not isinstance(obj, dict):
            raise SchemaViolation(f"{where}: expected a JSON-serialized {kind} object")
        fields = SCHEMA["types"][kind]
        out = {}
        for name, item in obj.items():
            if name not in fields:
                raise SchemaViolation(f"{where}: {kind} has no field `{name}`")
            out[name] = _value(f"{where}.{name}", fields[name], item)
        for name, item in fields.items():
            if item.get("required") and name not in out:
                raise SchemaViolation(f"{where}: {kind}.{name} is required")
        return out
    if kind == "String" and isinstance(field.get("values"), list):
        return value
    raise SchemaViolation(f"{where}: the schema has no type {kind}")


def _integer(where, value):
    if isinstance(value, bool):
        raise SchemaViolation(f"{where}: expected an Integer, got a Boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise SchemaViolation(f"{where}: expected an Integer, got {value!r}")


def _json(where, value):
    if isinstance(value, (list, dict)):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise SchemaViolation(f"{where}: not valid JSON ({error})")
    raise SchemaViolation(f"{where}: expected JSON, got {type(value).__name__}")
