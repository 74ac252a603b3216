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
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import ContextValue, Target
from labkit.lab.errors import AwsError
from labkit.lab.services import Asked, Service, well_formed_arn
from labkit.lab.validation import validation_error

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

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
        arn = params["ResourceArn"]
        return [Target(action, str(arn))] if well_formed_arn(arn) else [Target(action)]
    table = params.get("TableName")
    if not table:
        return [Target(action)]
    # A table is named, or given by its ARN; what only starts like an ARN is a name.
    is_arn = well_formed_arn(table)
    name = str(table).rsplit("/", 1)[-1] if is_arn else str(table)
    resource = str(table) if is_arn else base + name
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


# --- DynamoDB's checks before it acts ---------------------------------------------

# DynamoDB API Reference, CreateTable and KeySchemaElement: a table's key is one
# HASH element, or a HASH then a RANGE element, each defined as S, N or B.
FIRST_NOT_HASH = "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
SECOND_NOT_RANGE = "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
SAME_KEY_NAMES = (
    "Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema "
    "have the same name"
)
_NOT_NULL = "Value null at '{}' failed to satisfy constraint: Member must not be null"
_NOT_ATTRIBUTE_TYPE = (
    "Value '{}' at 'attributeDefinitions.{}.member.attributeType' failed to satisfy "
    "constraint: Member must satisfy enum value set: [B, N, S]"
)
# TransactWriteItems: each item is exactly one of ConditionCheck, Put, Update, Delete.
ONE_ACTION = "TransactItems can only contain one of Check, Put, Update or Delete"
_ACTIONS = frozenset({"ConditionCheck", "Put", "Update", "Delete"})
# A key that cannot be a table's key (moto's ProvidedKeyDoesNotExist words it as AWS does).
KEY_NOT_SCHEMA = "The provided key element does not match the schema"
# Expression placeholders ("Expression attribute names/values", Developer Guide).
NAME_NOT_DEFINED = (
    "An expression attribute name used in the document path is not defined; attribute name: {}"
)
VALUE_NOT_DEFINED = (
    "An expression attribute value used in expression is not defined; attribute value: {}"
)
_NAME_PLACEHOLDER = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_PLACEHOLDER = re.compile(r":[A-Za-z0-9_]+")
# BatchWriteItem: each WriteRequest is a PutRequest or a DeleteRequest (its API
# Reference); DynamoDB's words for one that is neither are not documented.
ONE_WRITE = (
    "One or more parameter values were invalid: A WriteRequest must contain exactly one of "
    "PutRequest or DeleteRequest"
)
# Query: "You must provide the name of the partition key attribute and a single
# value for that attribute", by a KeyConditionExpression (or legacy KeyConditions).
KEY_CONDITION_NEEDED = (
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
)
# PartiQL: a statement DynamoDB cannot read, or whose parameters do not match.
NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed"
NOT_DATA_MANIPULATION = NOT_WELL_FORMED + ": Expected data manipulation"
PARAMETER_COUNT = "Number of parameters in request and statement don't match."
WHERE_KEYS = "Where clause does not contain a mandatory equality on all key attributes"
_FIRST_WORD = re.compile(r"\s*([A-Za-z]*)")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def _invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def _check_table(params: Mapping[str, Any]) -> None:
    missing = [
        name
        for name, member in (
            ("keySchema", "KeySchema"),
            ("attributeDefinitions", "AttributeDefinitions"),
        )
        if params.get(member) is None
    ]
    if missing:
        raise validation_error([_NOT_NULL.format(name) for name in missing], "ValidationException")
    failures = [
        _NOT_ATTRIBUTE_TYPE.format(definition.get("AttributeType"), position)
        for position, definition in enumerate(params["AttributeDefinitions"], start=1)
        if definition.get("AttributeType") not in ("B", "N", "S")
    ]
    if failures:
        raise validation_error(failures, "ValidationException")
    indexes = [
        *(params.get("GlobalSecondaryIndexes") or ()),
        *(params.get("LocalSecondaryIndexes") or ()),
    ]
    for schema in (params["KeySchema"], *(index.get("KeySchema") or () for index in indexes)):
        _check_key_schema(list(schema))


def _check_key_schema(schema: list[Mapping[str, Any]]) -> None:
    kinds = [element.get("KeyType") for element in schema]
    if not schema or len(schema) > 2 or not set(kinds) <= {"HASH", "RANGE"}:
        return  # moto words these as AWS does
    if kinds[0] != "HASH":
        raise _invalid(FIRST_NOT_HASH)
    if len(schema) == 2:
        if kinds[1] != "RANGE":
            raise _invalid(SECOND_NOT_RANGE)
        if schema[0].get("AttributeName") == schema[1].get("AttributeName"):
            raise _invalid(SAME_KEY_NAMES)


def _check_batch_writes(params: Mapping[str, Any]) -> None:
    for requests in (params.get("RequestItems") or {}).values():
        for request in requests or ():
            chosen = [name for name in ("PutRequest", "DeleteRequest") if request.get(name)]
            if len(chosen) != 1:
                raise _invalid(ONE_WRITE)
            _check_key((request.get("DeleteRequest") or {}).get("Key"))


def _check_batch_reads(params: Mapping[str, Any]) -> None:
    for request in (params.get("RequestItems") or {}).values():
        for key in (request.get("Keys") or ()) if isinstance(request, Mapping) else ():
            _check_key(key)


def _check_transaction(params: Mapping[str, Any], write: bool) -> None:
    for item in params.get("TransactItems") or ():
        if write and (not isinstance(item, Mapping) or len(_ACTIONS & set(item)) != 1):
            raise _invalid(ONE_ACTION)
        for request in item.values() if isinstance(item, Mapping) else ():
            if isinstance(request, Mapping):
                _check_syntax(request)
                _check_placeholders(request)
                _check_key(request.get("Key"))


def _check_key(key: Any) -> None:
    """A key's values are scalars (S, N or B): no list, map or set can match a
    table's schema (and moto fails on them in transactions and batches)."""
    if not isinstance(key, Mapping):
        return
    for value in key.values():
        if not isinstance(value, Mapping) or not set(value) <= {"S", "N", "B"}:
            raise _invalid(KEY_NOT_SCHEMA)


# The words of a condition, filter or key condition: names, #names, :values,
# numbers (in paths), comparators and punctuation. Any other character is a
# syntax error at that token, as DynamoDB reports it.
_EXPRESSION_TOKEN = re.compile(
    r"\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|\d+|<>|<=|>=|[=<>(),.\[\]])"
)
_CONDITIONS = (
    ("ConditionExpression", "Condition"),
    ("FilterExpression", "Filter"),
    ("KeyConditionExpression", "KeyCondition"),
)


def _check_syntax(request: Mapping[str, Any]) -> None:
    """Refuse a condition holding a character no expression has (moto's
    condition reader fails on it)."""
    for member, kind in _CONDITIONS:
        expression = request.get(member)
        if not isinstance(expression, str):
            continue
        position, previous = 0, None  # where the last good token started
        while expression[position:].strip():
            found = _EXPRESSION_TOKEN.match(expression, position)
            if found is None:
                start = len(expression) - len(expression[position:].lstrip())
                token = expression[start]
                near = expression[previous : start + 1] if previous is not None else token
                raise _invalid(
                    f'Invalid {kind}Expression: Syntax error; token: "{token}", near: "{near}"'
                )
            previous, position = found.start(1), found.end()


def _check_placeholders(request: Mapping[str, Any]) -> None:
    """Every ``#name`` and ``:value`` an item's expressions use must be defined
    (moto checks this for single items, not for a transaction's)."""
    names = request.get("ExpressionAttributeNames") or {}
    values = request.get("ExpressionAttributeValues") or {}
    for member, kind in (
        ("ConditionExpression", "Condition"),
        ("UpdateExpression", "Update"),
        ("ProjectionExpression", "Projection"),
    ):
        expression = str(request.get(member) or "")
        for name in _NAME_PLACEHOLDER.findall(expression):
            if name not in names:
                raise _invalid(f"Invalid {kind}Expression: " + NAME_NOT_DEFINED.format(name))
        for value in _VALUE_PLACEHOLDER.findall(expression):
            if value not in values:
                raise _invalid(f"Invalid {kind}Expression: " + VALUE_NOT_DEFINED.format(value))


def _check_statement(statement: Any, parameters: Any) -> None:
    """Refuse a PartiQL statement DynamoDB would not run, in its words."""
    text = str(statement or "")
    verb = _FIRST_WORD.match(text).group(1).lower()  # type: ignore[union-attr]
    if verb not in ("select", "insert", "update", "delete", "exists"):
        raise _invalid(NOT_DATA_MANIPULATION)
    if verb != "exists" and statement_target(text, "") is None:
        raise _invalid(NOT_WELL_FORMED)
    bare = _QUOTED.sub("", text)
    if bare.count("?") != len(parameters or ()):
        raise _invalid(PARAMETER_COUNT)
    if verb in ("update", "delete") and not re.search(r"\bwhere\b", bare, re.IGNORECASE):
        raise _invalid(WHERE_KEYS)


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """DynamoDB's checks of a table's key, a transaction's items and PartiQL
    statements, where moto would fail instead of answering."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"):
        _check_syntax(params)
    if operation == "CreateTable":
        _check_table(params)
    elif operation in ("TransactWriteItems", "TransactGetItems"):
        _check_transaction(params, write=operation == "TransactWriteItems")
    elif operation == "BatchWriteItem":
        _check_batch_writes(params)
    elif operation == "BatchGetItem":
        _check_batch_reads(params)
    elif operation == "Query" and not (
        params.get("KeyConditionExpression") or params.get("KeyConditions")
    ):
        raise _invalid(KEY_CONDITION_NEEDED)
    elif operation == "ExecuteStatement":
        _check_statement(params.get("Statement"), params.get("Parameters"))
    elif operation in ("BatchExecuteStatement", "ExecuteTransaction"):
        for listed in params.get("Statements") or params.get("TransactStatements") or ():
            if isinstance(listed, Mapping):
                _check_statement(listed.get("Statement"), listed.get("Parameters"))


def complete(operation: str, params: dict[str, Any], region: str) -> None:
    """What DynamoDB takes as given, said for moto: ``UpdateItem`` with a key
    alone adds the item if it is missing (its updates are none), and
    ``ListTagsOfResource`` answers every tag at once (it has no pages)."""
    if (
        operation == "UpdateItem"
        and params.get("UpdateExpression") is None
        and params.get("AttributeUpdates") is None
    ):
        params["AttributeUpdates"] = {}
    if operation == "ListTagsOfResource":
        # aws/aws-sdk#583, DynamoDB's service team: "ListTagsOfResource does not
        # support pagination at the API level"; moto reads NextToken as a tag key.
        params.pop("NextToken", None)


SERVICE = Service(
    name="dynamodb",
    title="DynamoDB",
    targets=targets,
    validate=validate,
    complete=complete,
    moto_responses=("moto.dynamodb.responses", "DynamoHandler"),
    registries=(("moto.dynamodb.models", "dynamodb_backends", "tables"),),
)
