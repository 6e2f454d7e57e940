"""Checks requests against the trimmed copy of Zulip's OpenAPI file (zulip-openapi.json).

Zulip itself ignores unknown parameters (it lists them in `ignored_parameters_unsupported`);
the fake is stricter on purpose: an unknown endpoint, an unknown parameter, a missing
required one or a value of the wrong type is a violation, so a request RingBot makes that
the published API does not describe fails its tests loudly.
"""
import json
import os

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zulip-openapi.json")


class Violation(Exception):
    """A request that the published API does not describe."""


def load_spec(path=SPEC_PATH):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Validator:
    def __init__(self, spec=None):
        self.spec = spec or load_spec()

    def operation(self, method, path):
        """The operation object for `method` on `path` (path relative to /api/v1)."""
        item = self.spec["paths"].get(path)
        if item is None:
            raise Violation(f"{method} /api/v1{path}: no such endpoint in Zulip's API")
        op = item.get(method.lower())
        if op is None:
            raise Violation(f"{method} /api/v1{path}: the endpoint has no {method} operation")
        return op

    def parameters(self, op):
        """name -> (schema, required, json_encoded) for the operation's parameters."""
        params = {}
        for p in op.get("parameters", []):
            if "content" in p:
                schema = p["content"]["application/json"]["schema"]
                params[p["name"]] = (schema, p.get("required", False), True)
            else:
                params[p["name"]] = (p["schema"], p.get("required", False), False)
        body = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
        if body:
            schema = body["schema"]
            required = set(schema.get("required", []))
            encoding = body.get("encoding", {})
            for name, sub in schema.get("properties", {}).items():
                json_encoded = encoding.get(name, {}).get("contentType") == "application/json"
                params[name] = (sub, name in required, json_encoded)
        return params

    def check(self, method, path, values):
        """Validates the decoded form or query `values` (name -> str). Returns name -> parsed value."""
        op = self.operation(method, path)
        params = self.parameters(op)
        parsed = {}
        for name in values:
            if name not in params:
                raise Violation(f"{method} /api/v1{path}: unknown parameter `{name}` "
                                f"(the API has {', '.join(sorted(params)) or 'none'})")
        for name, (schema, required, json_encoded) in params.items():
            if name not in values:
                if required:
                    raise Violation(f"{method} /api/v1{path}: missing required parameter `{name}`")
                continue
            parsed[name] = decode(values[name], schema, json_encoded, f"{method} /api/v1{path} `{name}`")
        return parsed


def decode(raw, schema, json_encoded, where):
    """Turns a form/query string into a value matching `schema`, or raises Violation."""
    candidates = schema.get("oneOf", [schema])
    errors = []
    for candidate in candidates:
        try:
            return decode_one(raw, candidate, json_encoded)
        except (ValueError, Violation) as e:
            errors.append(str(e))
    raise Violation(f"{where}: {raw!r} does not match the schema ({'; '.join(errors)})")


def decode_one(raw, schema, json_encoded):
    kind = schema.get("type")
    if kind == "string":
        value = raw
        if json_encoded and raw.startswith('"'):
            value = json.loads(raw)
        if "enum" in schema and value not in schema["enum"]:
            raise Violation(f"not one of {schema['enum']}")
        return value
    if kind == "integer":
        text = raw.strip()
        if not text.lstrip("-").isdigit():
            raise Violation("not an integer")
        value = int(text)
        if "minimum" in schema and value < schema["minimum"]:
            raise Violation(f"below {schema['minimum']}")
        return value
    if kind == "boolean":
        # Zulip's typed_endpoint accepts JSON booleans ("true"/"false").
        if raw not in ("true", "false"):
            raise Violation("not a JSON boolean (true/false)")
        return raw == "true"
    if kind in ("array", "object"):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as e:
            raise Violation(f"not JSON ({e})")
        check_json(value, schema)
        return value
    if kind is None:
        return raw
    raise Violation(f"unsupported schema type {kind}")


def check_json(value, schema):
    if "oneOf" in schema:
        for candidate in schema["oneOf"]:
            try:
                check_json(value, candidate)
                return
            except Violation:
                continue
        raise Violation(f"{json.dumps(value)} matches none of the allowed forms")
    kind = schema.get("type")
    if kind is None:
        return
    expected = {"array": list, "object": dict, "string": str, "integer": int, "boolean": bool}[kind]
    if not isinstance(value, expected) or (kind == "integer" and isinstance(value, bool)):
        raise Violation(f"{json.dumps(value)} is not of type {kind}")
    if kind == "array":
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise Violation(f"{json.dumps(value)} has fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise Violation(f"{json.dumps(value)} has more than {schema['maxItems']} items")
        for item in value:
            check_json(item, schema.get("items", {}))
    if kind == "object":
        for name in schema.get("required", []):
            if name not in value:
                raise Violation(f"{json.dumps(value)} lacks `{name}`")
        props = schema.get("properties")
        if props is not None:
            for name in value:
                if name not in props:
                    raise Violation(f"{json.dumps(value)} has the unknown key `{name}`")
