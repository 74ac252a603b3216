"""Amazon DynamoDB, as the Lab answers it.

Resources are table ARNs (``arn:aws:dynamodb:REGION:ACCT:table/NAME``),
index ARNs for a ``Query``/``Scan`` on an index, and ``table/*`` for
``ListTables``. A batch is authorized as itself (``BatchGetItem``,
``BatchWriteItem``) on every table it names. A transaction is authorized per
item, as the item's own action (``GetItem``, ``PutItem``, ``UpdateItem``,
``DeleteItem``, ``ConditionCheckItem``) with ``dynamodb:EnclosingOperation``
naming the transaction ("Using IAM with DynamoDB transactions"). A PartiQL
statement is authorized as ``PartiQLSelect``, ``PartiQLInsert``,
``PartiQLUpdate`` or ``PartiQLDelete`` on its table ("IAM security policies
with PartiQL for DynamoDB"). Item-level requests carry the keys of
fine-grained access control: ``dynamodb:LeadingKeys`` and
``dynamodb:Attributes``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from labkit.lab.actions import ContextValue, Target
from labkit.lab.services import Asked, Service

# A transaction's items: (member, action) as TransactWriteItems/TransactGetItems name them.
_TRANSACT_ITEMS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}

# PartiQL statements by their first word.
_PARTIQL = {
    "select": "PartiQLSelect",
    "insert": "PartiQLInsert",
    "update": "PartiQLUpdate",
    "delete": "PartiQLDelete",
}
_PART = r'"(?:[^"]|"")+"|[A-Za-z_][\w-]*'
_NAME = rf"(?:{_PART})(?:\.(?:{_PART}))?"
_PARTS = re.compile(_PART)
_STATEMENT_TABLE = re.compile(
    rf"\s*(?:(select)\b.*?\bfrom|(insert)\s+into|(update)|(delete)\s+from)\s+({_NAME})",
    re.IGNORECASE | re.DOTALL,
)


def targets(asked: Asked) -> list[Target]:
    """What a DynamoDB call needs, per table, index, item or statement."""
    operation, params, region = asked.operation, asked.params, asked.region
    base = f"arn:aws:dynamodb:{region}:{asked.account}:table/"
    key_schema = asked.lookups.key_schema
    action = f"dynamodb:{operation}"
    if operation == "ListTables":
        return [Target(action, base + "*")]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        requests = params.get("RequestItems") or {}
        found = []
        for name in sorted(requests):
            keys = _batch_keys(requests[name])
            context = _dynamodb_context({}, _leading(keys, key_schema(region, name)[0]))
            found.append(Target(action, base + name, context))
        return found or [Target(action)]
    if operation in ("TransactGetItems", "TransactWriteItems"):
        return _transaction(operation, params, base, region, key_schema)
    if operation in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        return _partiql(operation, params, base)
    if params.get("ResourceArn"):
        return [Target(action, str(params["ResourceArn"]))]
    table = params.get("TableName")
    if not table:
        return [Target(action)]
    name = str(table).rsplit("/", 1)[-1] if str(table).startswith("arn:") else str(table)
    resource = str(table) if str(table).startswith("arn:") else base + name
    if params.get("IndexName") and operation in ("Query", "Scan"):
        resource += f"/index/{params['IndexName']}"
    context: dict[str, ContextValue] = {}
    if operation in _ITEM_OPERATIONS:
        context = _item_context(operation, params, region, name, key_schema)
    return [Target(action, resource, context)]


def _item_context(
    operation: str, params: Mapping[str, Any], region: str, name: str, key_schema: Any
) -> dict[str, ContextValue]:
    partition = key_schema(region, name)[0]
    if operation == "Query" and params.get("IndexName"):
        partition = key_schema(region, f"{name}/index/{params['IndexName']}")[0]
    context = _dynamodb_context(params, _leading(_item_keys(operation, params), partition))
    if operation == "Query" and partition:
        value = _query_partition_value(params, partition)
        if value is not None:
            context["dynamodb:LeadingKeys"] = (value,)
    return context


def _transaction(
    operation: str, params: Mapping[str, Any], base: str, region: str, key_schema: Any
) -> list[Target]:
    """One target per item, as the item's own action, in the transaction's order."""
    found: list[Target] = []
    for item in params.get("TransactItems") or ():
        if not isinstance(item, Mapping):
            continue
        for member, request in item.items():
            action = _TRANSACT_ITEMS.get(member)
            if action is None or not isinstance(request, Mapping) or not request.get("TableName"):
                continue
            table = str(request["TableName"])
            keyed = {**request, "Key": request.get("Key"), "Item": request.get("Item")}
            context = _item_context(action, keyed, region, table, key_schema)
            context["dynamodb:EnclosingOperation"] = operation
            found.append(Target(f"dynamodb:{action}", base + table, context))
    return found or [Target(f"dynamodb:{operation}")]


def statement_target(statement: str, base: str) -> tuple[str, str] | None:
    """The PartiQL action and table ARN of one statement, or None if unreadable."""
    found = _STATEMENT_TABLE.match(statement or "")
    if found is None:
        return None
    verb = next(word for word in found.groups()[:4] if word)
    parts = [
        part[1:-1].replace('""', '"') if part.startswith('"') else part
        for part in _PARTS.findall(found.group(5))
    ]
    resource = base + parts[0] + (f"/index/{parts[1]}" if len(parts) > 1 else "")
    return f"dynamodb:{_PARTIQL[verb.lower()]}", resource


def _partiql(operation: str, params: Mapping[str, Any], base: str) -> list[Target]:
    if operation == "ExecuteStatement":
        statements = [params.get("Statement")]
    else:
        listed = params.get("Statements") or params.get("TransactStatements") or ()
        statements = [s.get("Statement") for s in listed if isinstance(s, Mapping)]
    found: list[Target] = []
    for statement in statements:
        target = statement_target(str(statement or ""), base)
        if target is not None:
            context: dict[str, ContextValue] = {}
            if operation == "ExecuteTransaction":
                context["dynamodb:EnclosingOperation"] = operation
            found.append(Target(target[0], target[1], context))
    return found or [Target(f"dynamodb:{operation}")]


# Item-level operations, which carry the condition keys of fine-grained access.
_ITEM_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"})


def _scalar(value: Any) -> str | None:
    """The text of a DynamoDB attribute value such as ``{"S": "a"}`` or ``{"N": "5"}``."""
    if isinstance(value, Mapping):
        for kind in ("S", "N", "B"):
            if kind in value:
                found = value[kind]
                return found.decode() if isinstance(found, bytes) else str(found)
    return None


def _item_keys(operation: str, params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = params.get("Item") if operation == "PutItem" else params.get("Key")
    return [found] if isinstance(found, Mapping) else []


def _batch_keys(request: Any) -> list[Mapping[str, Any]]:
    if isinstance(request, Mapping):  # BatchGetItem: {"Keys": [...]}
        return [k for k in request.get("Keys") or () if isinstance(k, Mapping)]
    found: list[Mapping[str, Any]] = []
    for write in request or ():  # BatchWriteItem: [{"PutRequest": {"Item"}}, ...]
        put, delete = write.get("PutRequest"), write.get("DeleteRequest")
        item = (put or {}).get("Item") or (delete or {}).get("Key")
        if isinstance(item, Mapping):
            found.append(item)
    return found


def _leading(keys: list[Mapping[str, Any]], partition: str | None) -> tuple[str, ...]:
    if not partition:
        return ()
    values = [_scalar(key.get(partition)) for key in keys]
    return tuple(dict.fromkeys(v for v in values if v is not None))


_KEY_CONDITION = re.compile(r"(#?[\w.-]+)\s*=\s*(:[\w-]+)|(:[\w-]+)\s*=\s*(#?[\w.-]+)")


def _query_partition_value(params: Mapping[str, Any], partition: str) -> str | None:
    """The partition key value a Query names, in either of its two forms."""
    legacy = (params.get("KeyConditions") or {}).get(partition)
    if isinstance(legacy, Mapping):
        values = legacy.get("AttributeValueList") or ()
        return _scalar(values[0]) if values else None
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for found in _KEY_CONDITION.finditer(str(params.get("KeyConditionExpression") or "")):
        name, placeholder = (
            (found.group(1), found.group(2))
            if found.group(1)
            else (
                found.group(4),
                found.group(3),
            )
        )
        if names.get(name, name) == partition:
            return _scalar(values.get(placeholder))
    return None


def _dynamodb_context(
    params: Mapping[str, Any], leading: tuple[str, ...]
) -> dict[str, ContextValue]:
    """The fine-grained access keys of an item-level DynamoDB request."""
    context: dict[str, ContextValue] = {}
    if leading:
        context["dynamodb:LeadingKeys"] = leading
    attributes = _attributes(params)
    if attributes:
        context["dynamodb:Attributes"] = attributes
    for param, key in (
        ("Select", "dynamodb:Select"),
        ("ReturnValues", "dynamodb:ReturnValues"),
        ("ReturnConsumedCapacity", "dynamodb:ReturnConsumedCapacity"),
    ):
        if params.get(param):
            context[key] = str(params[param])
    return context


def _attributes(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The top-level attribute names a request reads or writes."""
    names: list[str] = []
    if params.get("AttributesToGet"):
        names += [str(n) for n in params["AttributesToGet"]]
    elif params.get("ProjectionExpression"):
        aliases = params.get("ExpressionAttributeNames") or {}
        for path in str(params["ProjectionExpression"]).split(","):
            top = re.split(r"[.\[]", path.strip(), maxsplit=1)[0]
            names.append(str(aliases.get(top, top)))
    elif isinstance(params.get("Item"), Mapping):
        names += [str(n) for n in params["Item"]]
    elif isinstance(params.get("AttributeUpdates"), Mapping):
        names += [str(n) for n in params["AttributeUpdates"]]
    return tuple(dict.fromkeys(n for n in names if n))


SERVICE = Service(
    name="dynamodb",
    title="DynamoDB",
    targets=targets,
    moto_responses=("moto.dynamodb.responses", "DynamoHandler"),
    registries=(("moto.dynamodb.models", "dynamodb_backends", "tables"),),
)
