"""Graphviz drawings of an account's IAM state and of the engine's answers.

* :func:`hierarchy` — users, groups, roles and policies, and how they connect.
* :func:`evaluation` — one :class:`~labkit.policy.Decision` as AWS's
  evaluation flow, with the path taken highlighted.
* :func:`effective_access` — what a user or role may do, by service and
  access level, and which policy grants it.
* :func:`organization` — an organization's root, OUs and accounts, the SCPs
  and RCPs attached to each, and the roles trusted across its accounts.

Each returns a :class:`graphviz.Digraph`; JupyterLab shows it as SVG. The
drawings are thin: facts come from an :class:`~labkit.inventory.Inventory`
and from :mod:`labkit.policy`. The same state always gives the same DOT
source: everything is sorted and node ids are derived from ARNs.

Any text renders: names, Sids and condition values are drawn as written,
except what graphviz or SVG cannot take. NUL and the other control
characters show as ``\\u0000``-style text, lone surrogates and U+FFFE/U+FFFF
as U+FFFD (�), and a label longer than graphviz's limit of 16,384 bytes is
shortened to fit, ending with an ellipsis ("…"). Text never turns into an
HTML-like label or an escape sequence.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import graphviz

from labkit.inventory import GroupInfo, Inventory, RoleInfo, UserInfo
from labkit.policy.model import ALLOWED, EXPLICIT_DENY, Decision, Miss, StatementRef

__all__ = [
    "Grant",
    "analyse_access",
    "effective_access",
    "evaluation",
    "grants",
    "hierarchy",
    "organization",
]

FONT = "Helvetica"

# Shapes and fills per kind of node; the legend is drawn from this table.
STYLES: dict[str, dict[str, str]] = {
    "user": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe"},
    "group": {"shape": "folder", "style": "filled", "fillcolor": "#e0e7ff"},
    "role": {"shape": "hexagon", "style": "filled", "fillcolor": "#fef3c7"},
    "aws": {"shape": "note", "style": "filled", "fillcolor": "#ffd8a8"},
    "customer": {"shape": "note", "style": "filled", "fillcolor": "#c3f0ca"},
    "inline": {"shape": "note", "style": "filled,dashed", "fillcolor": "#f1f3f5"},
    "service": {"shape": "ellipse", "style": "filled", "fillcolor": "#f3e8ff"},
    "account": {"shape": "box3d", "style": "filled", "fillcolor": "#e9ecef"},
    "external": {"shape": "ellipse", "style": "filled", "fillcolor": "#ffe3e3"},
}
KIND_WORDS = {
    "user": "user",
    "group": "group",
    "role": "role",
    "aws": "AWS managed policy",
    "customer": "customer managed policy",
    "inline": "inline policy",
    "service": "AWS service",
    "account": "account",
    "external": "other principal",
}
EDGE_STYLES: dict[str, dict[str, str]] = {
    "member": {"color": "#5c7cfa", "arrowhead": "empty"},
    "attached": {"color": "#495057"},
    "inline": {"color": "#868e96", "arrowhead": "odiamond"},
    "boundary": {"color": "#c92a2a", "style": "dashed", "label": "boundary"},
    "assume": {"color": "#e67700", "style": "bold", "label": "can assume"},
}
EDGE_WORDS = {
    "member": "member of",
    "attached": "attached",
    "inline": "inline",
    "boundary": "permissions boundary",
    "assume": "can assume",
}
POLICY_KINDS = ("aws", "customer")
# Above this many boxes a hierarchy asks dot for fewer crossing-reduction passes.
LARGE_LAYOUT = 1_000
LARGE_MCLIMIT = "0.05"


def _digraph(name: str, label: str | None = None, rankdir: str = "LR") -> graphviz.Digraph:
    """A digraph with the compact, readable defaults all views share."""
    dot = graphviz.Digraph(name)
    dot.attr(
        "graph",
        rankdir=rankdir,
        fontname=FONT,
        fontsize="11",
        nodesep="0.15",
        ranksep="0.5",
        labelloc="t",
        labeljust="l",
        **({"label": _esc(label)} if label else {}),
    )
    dot.attr("node", fontname=FONT, fontsize="10", height="0.3", margin="0.08,0.04")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")
    return dot


# graphviz's scanner reads at most 16,384 bytes in one quoted string (it
# stops with "longer than 16384?"); labels are cut well inside that.
GRAPHVIZ_LIMIT = 16_384
LABEL_BYTES = GRAPHVIZ_LIMIT - 384
ELLIPSIS = "…"
# What DOT cannot read or SVG (XML 1.0) cannot carry: C0 controls but tab and
# newline, DEL and the C1 controls (invisible), lone surrogates, U+FFFE, U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF or code >= 0xFFFE:
        return "\ufffd"  # no character to show: the replacement character
    return f"\\u{code:04x}"  # a control character, shown as its escape


def _clean(text: Any) -> str:
    """``text`` with every character graphviz or SVG cannot take replaced
    visibly: controls as ``\\u0000``-style text, lone surrogates as U+FFFD.
    A carriage return is a line break."""
    text = text if isinstance(text, str) else str(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub(_visible, text)


def _dot_text(text: str, newline: str) -> str:
    # DOT escString: "&" starts an HTML entity and a quote would end the
    # string. A backslash is written as two of them in an entity, which
    # graphviz reads as one escaped backslash: runs of raw backslashes make
    # the graphviz package's quoting quadratic (seconds for a few thousand).
    return (
        text.replace("&", "&amp;")
        .replace("\\", "&#92;&#92;")
        .replace('"', '\\"')
        .replace("\n", newline)
    )


def _fits(text: str) -> bool:
    return len(text) * 4 <= LABEL_BYTES or len(text.encode()) <= LABEL_BYTES


def _esc(text: Any, newline: str = "\\n", end: str = "") -> str:
    """``text`` as a DOT label graphviz always reads, shown as written.

    Newlines become ``newline`` (``\\n`` centred, ``\\l`` left-aligned) and
    ``end`` is added after. Characters graphviz cannot take are replaced
    visibly (see :func:`_clean`); a label over graphviz's limit of 16,384
    bytes is shortened to fit and ends with an ellipsis ("…"). Never read
    as an HTML-like label, even when it looks like one.
    """
    raw = text if isinstance(text, str) else str(text)
    out = _dot_text(_clean(raw), newline) + end
    if not _fits(out):
        # The longest prefix that fits with the ellipsis: cut before
        # cleaning, so no replacement or escape is ever split.
        low, high = 0, min(len(raw), LABEL_BYTES)
        while low < high:
            middle = (low + high + 1) // 2
            if _fits(_dot_text(_clean(raw[:middle]) + ELLIPSIS, newline) + end):
                low = middle
            else:
                high = middle - 1
        out = _dot_text(_clean(raw[:low]) + ELLIPSIS, newline) + end
    return graphviz.nohtml(out)


def _node_id(prefix: str, key: str) -> str:
    """A stable DOT id: readable prefix and name, plus a hash of the full key."""
    name = key.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:32]
    # surrogatepass: a lone surrogate in a name still gets its own id.
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=3).hexdigest()
    return f"{prefix}_{slug}_{digest}" if slug else f"{prefix}_{digest}"


def _inventory(source: Inventory | Any) -> Inventory:
    return source if isinstance(source, Inventory) else Inventory.from_lab(source)


def _nouns(word: str, rest: str = "") -> tuple[str, str]:
    """Singular and plural of ``word`` followed by ``rest``."""
    many = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return word + rest, many + rest


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


# ---------------------------------------------------------------------------
# hierarchy: the account as a graph of entities
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entity:
    id: str
    kind: str
    label: str
    key: str  # ARN, or the principal as written in a trust policy


@dataclass
class _Graph:
    """Every entity and relation, before anything is folded."""

    nodes: dict[str, _Entity] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (src, dst, relation)

    def add(self, kind: str, key: str, label: str) -> str:
        node_id = _node_id(kind, key)
        self.nodes.setdefault(node_id, _Entity(node_id, kind, label, key))
        return node_id


def _policy_node(graph: _Graph, inventory: Inventory, arn: str) -> str:
    policy = inventory.policy(arn)
    kind = policy.kind if policy else ("aws" if ":iam::aws:policy/" in arn else "customer")
    return graph.add(kind, arn, policy.name if policy else arn.rsplit("/", 1)[-1])


def _permissions(
    graph: _Graph, inventory: Inventory, owner: str, entity: UserInfo | GroupInfo | RoleInfo
) -> None:
    for arn in entity.attached:
        graph.edges.add((owner, _policy_node(graph, inventory, arn), "attached"))
    for name in entity.inline:
        inline = graph.add("inline", f"{entity.arn}#inline/{name}", name)
        graph.edges.add((owner, inline, "inline"))
    boundary = getattr(entity, "boundary", None)
    if boundary:
        graph.edges.add((owner, _policy_node(graph, inventory, boundary), "boundary"))


def trusted_principals(trust: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The principals a trust policy's Allow statements name, as
    ``(type, value)`` pairs (``("Service", "lambda.amazonaws.com")``,
    ``("AWS", "arn:aws:iam::123456789012:root")``, ``("*", "*")``), sorted."""
    found: set[tuple[str, str]] = set()
    statements = trust.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.add(("*", "*"))
        elif isinstance(principal, Mapping):
            for kind, values in principal.items():
                for value in [values] if isinstance(values, str) else values or ():
                    found.add((kind, str(value)))
    return sorted(found)


def _principal_node(graph: _Graph, inventory: Inventory, kind: str, value: str) -> str:
    account = inventory.account_id
    if kind == "Service":
        return graph.add("service", value, value)
    if kind == "AWS":
        match = re.fullmatch(r"(?:arn:aws:iam::)?(\d{12})(?::root)?", value)
        if match:
            own = " (this account)" if match.group(1) == account else ""
            number = match.group(1)
            return graph.add("account", f"account:{number}", f"account {number}{own}")
        user = inventory.user(value) if f"::{account}:user/" in value else None
        if user and user.arn == value:
            return _node_id("user", user.arn)
        role = inventory.role(value) if f"::{account}:role/" in value else None
        if role and role.arn == value:
            return _node_id("role", role.arn)
    if kind == "*" or value == "*":
        return graph.add("external", "*", "anyone (*)")
    return graph.add("external", f"{kind}:{value}", value)


def _build_graph(inventory: Inventory) -> _Graph:
    graph = _Graph()
    for user in inventory.users:
        graph.add("user", user.arn, user.name)
    for group in inventory.groups:
        graph.add("group", group.arn, group.name)
    for role in inventory.roles:
        graph.add("role", role.arn, role.name)
    for policy in inventory.policies:
        graph.add(policy.kind, policy.arn, policy.name)
    for user in inventory.users:
        uid = _node_id("user", user.arn)
        for name in user.groups:
            group = inventory.group(name)
            gid = graph.add("group", group.arn if group else name, name)
            graph.edges.add((uid, gid, "member"))
        _permissions(graph, inventory, uid, user)
    for group in inventory.groups:
        _permissions(graph, inventory, _node_id("group", group.arn), group)
    for role in inventory.roles:
        rid = _node_id("role", role.arn)
        _permissions(graph, inventory, rid, role)
        for kind, value in trusted_principals(role.trust):
            graph.edges.add((_principal_node(graph, inventory, kind, value), rid, "assume"))
    return graph


class _Names:
    """Finds nodes by what a learner types: a key (ARN, principal) or a label.

    Indexed once per graph, so naming thousands of entities (``expand=``
    every user) stays linear.
    """

    def __init__(self, graph: _Graph) -> None:
        self.graph = graph
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.by_label: dict[str, list[str]] = defaultdict(list)
        self.into: dict[str, list[str]] = defaultdict(list)
        self.out: dict[str, list[str]] = defaultdict(list)
        for node in graph.nodes.values():
            self.by_key[node.key].append(node.id)
            if node.kind not in ("inline", "account"):
                self.by_label[node.label].append(node.id)
        for src, dst, rel in graph.edges:
            self.into[dst].append(src)
            if rel != "member":
                self.out[src].append(dst)

    def resolve(self, name: str) -> list[str]:
        """Node ids a user, group, role, policy or principal name (or ARN) names."""
        found = (
            self.by_key.get(name)
            or self.by_label.get(name)
            or self.by_key.get(f"account:{name}", [])
        )
        if len(found) > 1:
            # A customer policy shadows an AWS one of the same name, as in the console.
            order = ["user", "group", "role", "customer", "aws", "service", "external"]
            nodes = self.graph.nodes
            return [min(found, key=lambda i: (order.index(nodes[i].kind), i))]
        return list(found)

    def neighbours(self, node_id: str) -> set[str]:
        """What drawing ``node_id`` in full draws too: the members of a group,
        the holders of a policy, the policies and groups of a principal...
        (a user's groups are drawn, not their other members)."""
        return {*self.into.get(node_id, ()), *self.out.get(node_id, ())}


def _reach(start: Iterable[str], adjacency: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(seen)
    while todo:
        for nxt in adjacency.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _focus(graph: _Graph, start: str) -> _Graph:
    """The part of ``graph`` that reaches ``start`` or is reached from it."""
    out: dict[str, set[str]] = defaultdict(set)
    into: dict[str, set[str]] = defaultdict(set)
    for src, dst, _rel in graph.edges:
        out[src].add(dst)
        into[dst].add(src)
    keep = _reach([start], out) | _reach([start], into)
    return _Graph(
        {i: n for i, n in graph.nodes.items() if i in keep},
        {e for e in graph.edges if e[0] in keep and e[1] in keep},
    )


# -- folding ----------------------------------------------------------------


@dataclass
class _View:
    """What is drawn: display nodes and aggregated edges."""

    # id -> (kind, label, how many entities it stands for, tooltip)
    nodes: dict[str, tuple[str, str, int, str]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    plain_users: bool = False  # users without policies of their own -> counts per group
    roles: bool = False  # roles -> one node per set of trusted principals
    all_users: bool = False  # the remaining users -> one node
    keep: float = 1.0  # fraction of groups and policies drawn one by one


PLANS = (_Plan(), _Plan(True), _Plan(True, True), _Plan(True, True, True))


class _Folder:
    """Projects the full graph onto a view under a :class:`_Plan`."""

    def __init__(self, graph: _Graph, forced: set[str]) -> None:
        self.graph = graph
        self.forced = forced
        self.out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.into: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for src, dst, rel in sorted(graph.edges):
            self.out[src].append((dst, rel))
            self.into[dst].append((src, rel))
        kinds: dict[str, list[str]] = defaultdict(list)
        for node in sorted(graph.nodes.values(), key=lambda n: n.id):
            kinds[node.kind].append(node.id)
        self.kinds = kinds
        # Users with nothing but group memberships, and whom no trust names.
        self.plain = {
            u
            for u in kinds["user"]
            if u not in forced
            and all(rel == "member" for _d, rel in self.out[u])
            and not self.into[u]
        }
        # Roles sharing the same trusted principals fold together.
        signatures: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for r in kinds["role"]:
            if r not in forced:
                signatures[tuple(s for s, rel in self.into[r] if rel == "assume")].append(r)
        self.role_buckets = {sig: roles for sig, roles in signatures.items() if len(roles) > 1}
        # Bigger groups and more-used policies stay visible longest.
        self.ranked = {
            kind: sorted(kinds[kind], key=lambda i: (-len(self.into[i]), i))
            for kind in ("group", *POLICY_KINDS)
        }

    def view(self, plan: _Plan) -> _View:
        graph, view = self.graph, _View()
        rep: dict[str, str] = {}
        members: dict[str, set[str]] = defaultdict(set)
        labels: dict[str, tuple[str, str]] = {}

        def fold(entity: str, node: str, kind: str, one: str, many: str) -> None:
            rep[entity] = node
            members[node].add(entity)
            labels[node] = (kind, one, many)

        if plan.roles:
            for sig, roles in self.role_buckets.items():
                names = [graph.nodes[s].label for s in sig]
                who = ", ".join(names[:2]) + (f" +{len(names) - 2} more" if len(names) > 2 else "")
                node = _node_id("roles", "|".join(sig) or "none")
                words = f"\ntrusting {who}" if who else "\ntrusting no one"
                for r in roles:
                    fold(r, node, "role", "role" + words, "roles" + words)
        if plan.all_users:
            for u in self.kinds["user"]:
                if u not in self.forced and u not in self.plain:
                    fold(u, "users_own", "user", *_nouns("user", "\nwith policies of their own"))
        if plan.plain_users:
            # Customer policies attached to nothing say little about the shape.
            for i in self.kinds["customer"]:
                if not self.into[i] and i not in self.forced:
                    fold(i, "unattached", "customer", *_nouns("policy", " attached to nothing"))
        if plan.keep < 1.0:
            for kind, word in (
                ("group", "group"),
                ("aws", "AWS managed policy"),
                ("customer", "customer managed policy"),
            ):
                ranked = self.ranked[kind]
                keep = math.ceil(plan.keep * len(ranked))
                for i in ranked[keep:]:
                    if i not in self.forced:
                        fold(i, f"more_{kind}", kind, *_nouns("more " + word))
        for i in graph.nodes:
            rep.setdefault(i, i)
        # Inline policies follow their owner into its folded node.
        for owner_id, targets in self.out.items():
            owner = rep[owner_id]
            if owner != owner_id:
                for dst, rel in targets:
                    if rel == "inline":
                        fold(dst, f"inline_{owner}", "inline", "inline policy", "inline policies")

        folded_plain = self.plain if plan.plain_users else set()
        for node_id, entity in graph.nodes.items():
            if node_id in folded_plain or rep[node_id] != node_id:
                continue
            view.nodes[node_id] = (entity.kind, entity.label, 1, entity.key)
        for node, (kind, one, many) in labels.items():
            count = len(members[node])
            view.nodes[node] = (kind, f"{count:,} {one if count == 1 else many}", count, "")
        for src, dst, rel in graph.edges:
            if src in folded_plain:
                continue
            a, b = rep[src], rep[dst]
            if a != b:
                view.edges[(a, b, rel)] += 1
        # Users with no policies of their own: one "N users" node per group.
        per_group: dict[str, set[str]] = defaultdict(set)
        for u in sorted(folded_plain):
            groups = [rep[d] for d, _rel in self.out[u]] or [""]
            for g in groups:
                per_group[g].add(u)
        for g, users in per_group.items():
            node = f"members_{g}" if g else "members_none"
            label = _plural(len(users), "user") + ("" if g else "\nin no group")
            view.nodes[node] = ("user", label, len(users), "")
            if g:
                view.edges[(node, g, "member")] = 1  # the count is on the node
        self._notes(plan, view, folded_plain, members)
        return view

    def _notes(
        self, plan: _Plan, view: _View, plain: set[str], members: Mapping[str, set[str]]
    ) -> None:
        def folded(prefix: str) -> tuple[int, int]:
            nodes = [n for n in members if n.startswith(prefix)]
            return sum(len(members[n]) for n in nodes), len(nodes)

        unattached, _ = folded("unattached")
        if unattached:
            view.notes.append(
                f"{_plural(unattached, 'customer policy', 'customer policies')}"
                " attached to nothing: in one node"
            )
        if plain:
            view.notes.append(
                f"{_plural(len(plain), 'user')} without policies of their own: counted per group"
            )
        roles, buckets = folded("roles_")
        if roles:
            view.notes.append(
                f"{_plural(roles, 'role')} in {_plural(buckets, 'node')}, by whom they trust"
            )
        users, _ = folded("users_own")
        if users:
            view.notes.append(f"{_plural(users, 'user')} with policies of their own: in one node")
        groups, _ = folded("more_group")
        if groups:
            view.notes.append(f"{_plural(groups, 'smaller group')}: in one node")
        policies = sum(folded(f"more_{k}")[0] for k in POLICY_KINDS)
        if policies:
            view.notes.append(
                f"{_plural(policies, 'less-used policy', 'less-used policies')}: "
                "in one node per kind"
            )


def _choose(folder: _Folder, max_nodes: int) -> _View:
    """The least folded view with at most ``max_nodes`` nodes."""
    view = folder.view(PLANS[0])
    for plan in PLANS[1:]:
        if len(view.nodes) <= max_nodes:
            return view
        view = folder.view(plan)
    if len(view.nodes) <= max_nodes:
        return view
    # Keep the largest share of groups and policies that fits.
    low, high, best = 0.0, 1.0, None
    for _ in range(10):
        middle = (low + high) / 2
        candidate = folder.view(_Plan(True, True, True, middle))
        if len(candidate.nodes) <= max_nodes:
            low, best = middle, candidate
        else:
            high = middle
    return best or folder.view(_Plan(True, True, True, 0.0))


def hierarchy(
    source: Inventory | Any,
    focus: str | None = None,
    max_nodes: int = 150,
    expand: Sequence[str] = (),
    *,
    legend: bool = True,
) -> graphviz.Digraph:
    """Users, groups, roles and policies of an account and how they connect.

    ``source`` is a :class:`~labkit.Lab` or an :class:`Inventory`. Users point
    at their groups; users, groups and roles at their policies (AWS managed,
    customer managed and inline policies have their own colours); a dashed
    red edge marks a permissions boundary; and every principal a role's trust
    policy names (a user, a role, an AWS service such as
    ``lambda.amazonaws.com``, an account) has a "can assume" edge to the role.

    ``focus`` (the name or ARN of a user, group, role, policy or trusted
    principal) keeps only what reaches it or is reached from it: for a user,
    its groups, its policies and the roles it may assume.

    Large accounts are folded to about ``max_nodes`` boxes, in this order
    until they fit: users without policies of their own become one
    "N users" node per group; roles trusting the same principals become one
    node; the remaining users one node; then the smaller groups and the
    least-used policies one node per kind. A note says what was folded.
    ``expand`` names users, groups, roles, policies or principals to draw in
    full anyway: a group with all its members, a policy with everything it
    is attached to, a principal with every role that trusts it.
    ``legend=False`` leaves out the small legend. Drawn in full, thousands
    of boxes are laid out with fewer crossing-reduction passes
    (``mclimit``), so ``dot`` answers in seconds.

    Names are drawn as written; what graphviz cannot take is replaced
    visibly (control characters as ``\\u0000``-style text, lone surrogates
    as U+FFFD) and a label over graphviz's 16,384-byte limit is shortened,
    ending with an ellipsis ("…").
    """
    inventory = _inventory(source)
    graph = _build_graph(inventory)
    totals = (len(inventory.users), len(inventory.groups), len(inventory.roles))
    title = f"IAM in account {inventory.account_id}"
    if focus is not None:
        found = _Names(graph).resolve(focus)
        if not found:
            raise ValueError(f"no user, group, role, policy or principal named {focus!r}")
        graph = _focus(graph, found[0])
        title += f", around {graph.nodes[found[0]].label}"
    names = _Names(graph)
    forced: set[str] = set()
    for name in expand:
        for node_id in names.resolve(name):
            forced.add(node_id)
            forced |= names.neighbours(node_id)
    if focus is not None:
        forced.update(names.resolve(focus))
    view = _choose(_Folder(graph, forced), max_nodes)
    title += (
        f": {_plural(totals[0], 'user')}, {_plural(totals[1], 'group')}, "
        f"{_plural(totals[2], 'role')}"
    )
    dot = _digraph("hierarchy", title)
    if len(view.nodes) > LARGE_LAYOUT:
        # dot's crossing reduction dominates on thousands of boxes: fewer
        # passes lay them out several times faster, and no layout of that
        # many boxes is read crossing by crossing.
        dot.attr("graph", mclimit=LARGE_MCLIMIT)
    for node_id in sorted(view.nodes):
        kind, label, count, tip = view.nodes[node_id]
        attrs = dict(STYLES[kind])
        if count > 1 or not tip:
            attrs["peripheries"] = "2"  # a folded node
        dot.node(node_id, _esc(label), tooltip=_esc(tip or label), **attrs, **{"class": kind})
    for (src, dst, rel), count in sorted(view.edges.items()):
        attrs = dict(EDGE_STYLES[rel])
        if count > 1:
            attrs["label"] = f"{attrs['label']} ×{count}" if "label" in attrs else f"×{count}"
        dot.edge(src, dst, **attrs, **{"class": rel})
    if view.notes:
        hint = "expand=[names] draws groups, policies or roles in full; focus=name narrows"
        text = "Folded to stay readable:\n" + "\n".join(f"• {n}" for n in view.notes)
        dot.node(
            "folded_note",
            _esc(text + "\n" + hint, newline="\\l", end="\\l"),
            shape="box",
            style="rounded,dashed",
            fontsize="9",
            color="#868e96",
        )
    if legend:
        _legend(dot)
    return dot


def _legend(dot: graphviz.Digraph) -> None:
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="Legend", fontsize="9", style="rounded", color="#adb5bd")
        legend.attr("node", fontsize="8", height="0.2")
        legend.attr("edge", fontsize="8")
        for kind in ("user", "group", "role", "aws", "customer", "inline", "service"):
            legend.node(f"legend_{kind}", KIND_WORDS[kind], **STYLES[kind])
        legend.node(
            "legend_folded",
            "N users\n(folded)".replace("\n", "\\n"),
            peripheries="2",
            **STYLES["user"],
        )
        samples = (
            ("legend_user", "legend_group", "member"),
            ("legend_group", "legend_aws", "attached"),
            ("legend_user", "legend_inline", "inline"),
            ("legend_role", "legend_customer", "boundary"),
            ("legend_service", "legend_role", "assume"),
        )
        for src, dst, rel in samples:
            attrs = dict(EDGE_STYLES[rel])
            attrs["label"] = EDGE_WORDS[rel]
            legend.edge(src, dst, **attrs)


# ---------------------------------------------------------------------------
# organization: the accounts of an organization and their guardrails
# ---------------------------------------------------------------------------

ORG_STYLES: dict[str, dict[str, str]] = {
    "root": {"shape": "box", "style": "filled,bold", "fillcolor": "#dee2e6"},
    "ou": {"shape": "folder", "style": "filled", "fillcolor": "#e9ecef"},
    "account": STYLES["account"],
    "management": {**STYLES["account"], "fillcolor": "#ced4da", "peripheries": "2"},
    # Policy boxes, drawn inside their target's box.
    "scp": {"shape": "box", "style": "filled", "fillcolor": "#a5d8ff"},
    "rcp": {"shape": "box", "style": "filled", "fillcolor": "#fcc2d7"},
    # A policy attached where it does not apply: its type is not enabled, or
    # it is on the management account.
    "idle": {"shape": "box", "style": "filled,dashed", "fillcolor": "#f8f9fa"},
}
ORG_WORDS = {
    "root": "organization root",
    "ou": "organizational unit (OU)",
    "account": "member account",
    "management": "management account",
    "scp": "SCP: service control policy",
    "rcp": "RCP: resource control policy",
    "idle": "policy that does not apply",
}
# The two kinds of organization policy: (moto's type, short name, key).
_ORG_POLICY_TYPES = (
    ("SERVICE_CONTROL_POLICY", "SCP", "scp"),
    ("RESOURCE_CONTROL_POLICY", "RCP", "rcp"),
)
_ASSUME_ACROSS = {"color": "#e67700", "fontcolor": "#e67700", "style": "dashed"}
_TARGET_ORDER = {"ROOT": 0, "ORGANIZATIONAL_UNIT": 1, "ACCOUNT": 2}
# At most this many role names on one "can assume" edge; the rest are counted.
MAX_ROLES_LISTED = 5
# Names longer than AWS allows (128 characters for OUs and policies) are cut,
# so a box with ten policies stays within graphviz's limit.
NAME_LIMIT = 128


def _target_node(target: Any) -> str:
    return _node_id({"ROOT": "root", "ACCOUNT": "acct"}.get(target.type, "ou"), target.id)


def _target_label(target: Any, management: str) -> tuple[str, str]:
    """The style key and label of a root, OU or account."""
    if target.type == "ROOT":
        return "root", f"{target.name}\n{target.id}"
    if target.type != "ACCOUNT":
        return "ou", f"{target.name}\nOU {target.id}"
    if target.id == management:
        return "management", (
            f"{target.name}\n{target.id}\nmanagement account:\nno SCP or RCP applies to it"
        )
    return "account", f"{target.name}\n{target.id}"


def _trusting(lab: Any, account_ids: Sequence[str]) -> dict[tuple[str, str, str], list[str]]:
    """``(account, principal, trusting account) -> role names``: the roles of
    each account of the Lab whose trust policy names a principal of another of
    its accounts. ``principal`` is ``""`` when the policy names the account
    itself (its id or its root), else the ARN of a user or role of it."""
    from labkit.lab.accounts import Accounts

    known = set(account_ids)
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for account_id in account_ids:
        for role in lab.accounts[account_id].store.inventory().roles:
            for kind, value in trusted_principals(role.trust):
                if kind != "AWS":
                    continue
                bare = re.fullmatch(r"(?:arn:aws:iam::)?(\d{12})(?::root)?", value)
                owner = bare.group(1) if bare else Accounts.owner_id(value)
                if owner is None or owner == account_id or owner not in known:
                    continue
                found[(owner, "" if bare else value, account_id)].add(role.name)
    return {key: sorted(names) for key, names in found.items()}


def _principal_words(arn: str) -> tuple[str, str]:
    """The style key and label of a principal a trust policy names by ARN."""
    resource = arn.split(":", 5)[-1]
    kind, _, name = resource.partition("/")
    if kind == "assumed-role":
        return "role", f"{name.replace('/', ' / ', 1)}\n(role session)"
    name = name.rsplit("/", 1)[-1] or resource
    return ("user" if kind == "user" else "role"), f"{name}\n({kind or 'principal'})"


def _roles_words(names: Sequence[str]) -> str:
    shown = list(names[:MAX_ROLES_LISTED])
    if len(names) > MAX_ROLES_LISTED:
        shown.append(f"… and {len(names) - MAX_ROLES_LISTED:,} more")
    return "can assume\n" + "\n".join(shown)


def organization(lab: Any, *, trusts: bool = True, legend: bool = True) -> graphviz.Digraph:
    """The organization a :class:`~labkit.Lab`'s account manages, top down.

    The root, its organizational units and their accounts (name and id; the
    management account marked as such, since neither SCPs nor RCPs apply to
    it) hang from one another. Each of them has its attached service control
    policies ("SCP", blue) and resource control policies ("RCP", pink) as
    small policy boxes in its box, under its name. A policy type that is not
    enabled on the root is noted ("SCPs not enabled: they do not apply yet")
    and its boxes are drawn dashed and say so, as are the boxes on the
    management account.

    A dashed "can assume" edge, labelled with the role names, runs from an
    account (when a role's trust policy names the account or its root) or
    from a user or role of it, to each other account of the Lab whose roles
    trust it (every member's ``OrganizationAccountAccessRole`` trusts the
    management account). ``trusts=False`` leaves them out, for a large
    organization; ``legend=False`` leaves out the legend.

    Read from the Lab's state without any API call, so the trail shows only
    what the learner did. Names are drawn as written (see the module's
    notes). Raises :class:`ValueError` when the Lab's account has made no
    organization.
    """
    accounts = getattr(lab, "accounts", None)
    org = getattr(accounts, "organization", None)
    if org is None or not org.exists:
        raise ValueError(
            "The Lab's account has no organization yet: make one with "
            "lab.client('organizations').create_organization(FeatureSet='ALL')."
        )
    management = org.management
    account_ids = [management, *org.member_ids()]
    targets: dict[str, Any] = {}
    parent: dict[str, str] = {}
    for account_id in account_ids:
        chain = org.path(account_id)
        for above, below in zip(chain, chain[1:], strict=False):
            parent[below.id] = above.id
        for target in chain:
            targets.setdefault(target.id, target)
    for unit in org.units():  # an OU with no account yet is drawn too
        targets.setdefault(unit.id, unit)
        if unit.type != "ROOT" and unit.parent_id:
            parent.setdefault(unit.id, unit.parent_id)
    enabled = {key: org.enabled(kind) for kind, _short, key in _ORG_POLICY_TYPES}
    members = len(account_ids) - 1
    units = sum(t.type == "ORGANIZATIONAL_UNIT" for t in targets.values())
    title = (
        f"Organization {org.id}, managed from account {management}: "
        f"{_plural(members, 'member account')}, {_plural(units, 'OU')}"
    )
    dot = _digraph("organization", title, rankdir="TB")
    ordered = sorted(targets.values(), key=lambda t: (_TARGET_ORDER.get(t.type, 1), t.name, t.id))
    if len(ordered) * 3 > LARGE_LAYOUT:
        dot.attr("graph", mclimit=LARGE_MCLIMIT)
    for target in ordered:
        kind, label = _target_table(target, management, enabled)
        dot.node(
            _target_node(target),
            label,
            tooltip=_esc(target.id),
            **ORG_STYLES[kind],
            **{"class": kind},
        )
    for target in ordered:
        if target.id in parent:
            up = _target_node(targets[parent[target.id]])
            dot.edge(up, _target_node(target), color="#495057", **{"class": "contains"})
    if trusts:
        _trust_edges(dot, lab, account_ids, {t.id: t for t in ordered if t.type == "ACCOUNT"})
    for _kind, short, key in _ORG_POLICY_TYPES:
        if not enabled[key]:
            dot.node(
                f"note_{key}",
                _esc(f"{short}s not enabled: they do not apply yet"),
                shape="box",
                style="rounded,dashed",
                fontsize="9",
                color="#868e96",
                **{"class": "note"},
            )
    if legend:
        _org_legend(dot)
    return dot


def _html_text(text: str, limit: int = NAME_LIMIT) -> str:
    """:func:`_html`, with each backslash written so graphviz shows it as
    written: in an HTML-like label it reads ``\\N`` as the node's name and
    two backslashes as one, but shows ``&#92;&#92;`` as one backslash."""
    return _html(text, limit).replace("\\", "&#92;&#92;")


def _lines(text: str, limit: int = NAME_LIMIT) -> str:
    """``text`` in an HTML-like label, its line breaks kept."""
    return "<BR/>".join(_html_text(line, limit) for line in text.split("\n"))


def _target_table(target: Any, management: str, enabled: Mapping[str, bool]) -> tuple[str, str]:
    """The style key and HTML-like label of a root, OU or account, with the
    SCPs and RCPs attached to it as small boxes under its name, a row per
    type. (One node per target, no edges within a rank: dot lays out any
    number of them, "can assume" edges across included.)"""
    kind, text = _target_label(target, management)
    rows = []
    for policy_type, short, key in _ORG_POLICY_TYPES:
        cells = []
        attached = sorted(
            (p for p in target.attached_policies if p.type == policy_type),
            key=lambda p: (p.name, p.id),
        )
        for policy in attached:
            if not enabled[key]:
                style, said = "idle", f"{short}\n{policy.name}\n(not enabled)"
            elif target.id == management:
                style, said = "idle", f"{short}\n{policy.name}\n(does not apply here)"
            else:
                style, said = key, f"{short}\n{policy.name}"
            look = ORG_STYLES[style]
            dashed = ' STYLE="dashed"' if "dashed" in look["style"] else ""
            tip = _html_text(f"{short} {policy.name} ({policy.id})").replace('"', "&quot;")
            cells.append(
                f'<TD BORDER="1" BGCOLOR="{look["fillcolor"]}"{dashed} TOOLTIP="{tip}">'
                f'<FONT POINT-SIZE="8">{_lines(said)}</FONT></TD>'
            )
        if cells:
            rows.append(cells)
    span = max((len(cells) for cells in rows), default=1)
    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
    head = f'<TR><TD COLSPAN="{span}">{_lines(text)}</TD></TR>'
    body = "".join(f"<TR>{''.join(cells)}</TR>" for cells in rows)
    return kind, f"<{table}{head}{body}</TABLE>>"


def _trust_edges(
    dot: graphviz.Digraph, lab: Any, account_ids: Sequence[str], accounts: Mapping[str, Any]
) -> None:
    """The dashed "can assume" edges between accounts (see :func:`organization`)."""
    drawn: set[str] = set()
    for (owner, principal, account_id), roles in sorted(_trusting(lab, account_ids).items()):
        src = _target_node(accounts[owner])
        if principal:
            node = _node_id("principal", principal)
            if node not in drawn:
                drawn.add(node)
                kind, label = _principal_words(principal)
                dot.node(
                    node, _esc(label), tooltip=_esc(principal), **STYLES[kind], **{"class": kind}
                )
                dot.edge(
                    src, node, style="dotted", arrowhead="none", color="#868e96", **{"class": "in"}
                )
            src = node
        dot.edge(
            src,
            _target_node(accounts[account_id]),
            label=_esc(_roles_words(roles)),
            constraint="false",
            **_ASSUME_ACROSS,
            **{"class": "assume"},
        )


def _org_legend(dot: graphviz.Digraph) -> None:
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="Legend", fontsize="9", style="rounded", color="#adb5bd")
        legend.attr("node", fontsize="8", height="0.2")
        legend.attr("edge", fontsize="8")
        for kind in ("root", "ou", "account", "management", "scp", "rcp", "idle"):
            legend.node(f"legend_{kind}", _esc(ORG_WORDS[kind]), **ORG_STYLES[kind])
        legend.edge("legend_root", "legend_ou", color="#495057")
        legend.edge("legend_ou", "legend_account", color="#495057")
        legend.edge("legend_scp", "legend_rcp", style="invis")
        legend.edge("legend_rcp", "legend_idle", style="invis")
        legend.edge(
            "legend_management",
            "legend_account",
            label=_esc("can assume\n(role names)"),
            constraint="false",
            **_ASSUME_ACROSS,
        )


# ---------------------------------------------------------------------------
# evaluation: one decision as AWS's flow chart
# ---------------------------------------------------------------------------

_FLOW = (
    ("q_deny", "Explicit Deny\nin any policy?"),
    ("q_allow", "Allowed by an\nidentity-based or\nresource-based policy?"),
    ("q_boundary", "Allowed by the\npermissions boundary?"),
    ("q_session", "Allowed by the\nsession policy?"),
)
# The organization's guardrails, asked after the explicit deny and before
# the other policies, RCPs first, as in AWS's evaluation logic
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
# (kind, step, short name, text of the step). Drawn only for decisions they took part in.
_GUARDRAILS = (
    ("rcp", "q_rcp", "RCP", "Allowed by the\norganization's RCPs\nat every level?"),
    ("scp", "q_scp", "SCP", "Allowed by the\norganization's SCPs\nat every level?"),
)
_TAKEN = {"penwidth": "2.5", "color": "#1c7ed6", "fontcolor": "#1c7ed6", "class": "taken"}
_NOT_TAKEN = {"color": "#ced4da", "fontcolor": "#adb5bd"}


def _path(decision: Decision) -> list[tuple[str, str, str]]:
    """The (from, to, answer) steps the decision took through the flow.

    Read from what the decision recorded (the row of the decision table
    that decided, each kind's own verdict, the guardrail that denied and the
    level that had no allow), never worked out again here.
    """
    steps = [("request", "q_deny", "")]
    if decision.decision == EXPLICIT_DENY:
        return [*steps, ("q_deny", "r_explicit", _denied_in(decision))]
    here, answer = "q_deny", "no"
    for kind, step, _short, _text in _gates(decision):
        steps.append((here, step, answer))
        if decision.row == f"{kind}-not-allowed":
            return [*steps, (step, "r_implicit", f"no, at {_level(decision.closed_level)}")]
        here, answer = step, "yes"
    steps.append((here, "q_allow", answer))
    if decision.row == "root":
        return [*steps, ("q_allow", "r_allowed", "yes: the root user")]
    if decision.row == "resource-names-caller":
        # A resource-based policy naming the caller itself is not limited by
        # a permissions boundary or session policy.
        return [*steps, ("q_allow", "r_allowed", "yes: the resource names the caller")]
    if decision.row == "service":
        end = "r_allowed" if decision.allowed else "r_implicit"
        return [*steps, ("q_allow", end, "yes" if decision.allowed else "no")]
    if not decision.allowed and decision.denied_by not in ("boundary", "session"):
        return [*steps, ("q_allow", "r_implicit", "no")]
    steps.append(("q_allow", "q_boundary", "yes"))
    boundary = decision.verdicts.get("boundary", decision.boundary_decision)
    if decision.denied_by == "boundary" or (boundary is not None and boundary != ALLOWED):
        return [*steps, ("q_boundary", "r_implicit", "no")]
    steps.append(("q_boundary", "q_session", "yes" if boundary else "none set"))
    session = decision.verdicts.get("session")
    if decision.denied_by == "session" or (session is not None and session != ALLOWED):
        return [*steps, ("q_session", "r_implicit", "no")]
    return [*steps, ("q_session", "r_allowed", "yes" if session else "none set")]


def _gates(decision: Decision) -> list[tuple[str, str, str, str]]:
    """The guardrail steps a decision passes through: each kind of
    organization policy that took part in it (it has a verdict)."""
    return [
        gate
        for gate in _GUARDRAILS
        if gate[0] in decision.verdicts or decision.row == f"{gate[0]}-not-allowed"
    ]


def _level(closed_level: int | None) -> str:
    """Where in the organization a guardrail had no allow, as the
    explanations say it."""
    if closed_level is None:
        return "some level"
    level = closed_level + 1
    return "its root" if level == 1 else f"level {level} (its root is level 1)"


def _denied_in(decision: Decision) -> str:
    """The answer of the explicit-deny step: which guardrail, when one denied."""
    short = {kind: name for kind, _step, name, _text in _GUARDRAILS}.get(decision.denied_by or "")
    if short is None:
        return "yes"
    names = sorted(
        {r.policy for r in decision.matched if r.kind == decision.denied_by and r.policy}
    )
    if not names:
        return f"yes: in an {short}"
    more = f" +{len(names) - 1} more" if len(names) > 1 else ""
    return f"yes: {short} {names[0]}{more}"


def _ref(ref: StatementRef) -> str:
    if ref.kind in ("scp", "rcp"):
        # An organization policy says which kind it is: "SCP deny-s3 · Sid".
        name = f" {ref.policy}" if ref.policy else ""
        return f"{ref.kind.upper()}{name} · {ref.label}"
    return f"{ref.policy or ref.kind} · {ref.label}"


def _miss(miss: Miss) -> str:
    where = _ref(miss.statement)
    if miss.reason == "condition":
        has = "missing" if miss.request_value is None else miss.request_value
        return f"{where}: {miss.operator} {miss.key} (request: {has})"
    return f"{where}: {miss.reason} does not match"


def _rule_note(dot: graphviz.Digraph, decision: Decision, result: str) -> None:
    """The rule of AWS's evaluation logic that reached the decision, by its result."""
    from labkit.policy.evaluate import ROWS

    row = ROWS.get(decision.row or "")
    if row is None:
        return
    dot.node(
        "rule",
        _esc(f"{row.when}:\n{row.then}"),
        shape="note",
        style="filled",
        fillcolor="#e7f5ff",
        fontsize="9",
        **{"class": "rule"},
    )
    dot.edge("rule", result, style="dotted", arrowhead="none", constraint="false")


def evaluation(decision: Decision) -> graphviz.Digraph:
    """One decision drawn as AWS's policy evaluation flow.

    The questions AWS asks in turn (explicit deny? allowed by an
    identity-based or resource-based policy? within the permissions boundary?
    allowed by the session policy?) lead to the decision; the path this
    request took is drawn bold, and the statements that decided it (policy
    name and Sid) hang off the step they decided. For an implicit deny the
    statements that did not apply are listed with the reason.

    When the organization's resource or service control policies took part,
    their questions come after the explicit deny, RCPs first ("Allowed by the
    organization's SCPs at every level?"): a guardrail with no allow at some
    level ends the path in an implicit deny, at that level, with its
    statements beside it; an explicit deny in one names the SCP or RCP. Any text in
    the request, policy names, Sids or condition values renders (see the
    module's notes: unrepresentable characters replaced, long labels
    shortened with an ellipsis).
    """
    request = decision.request
    dot = _digraph("evaluation", rankdir="TB")  # a flow chart reads top down
    who = f"{request.principal}\n" if request.principal else ""
    dot.node(
        "request",
        _esc(f"Request\n{who}{request.action}\non {request.resource}"),
        shape="box",
        style="rounded,filled",
        fillcolor="#f8f9fa",
    )
    path = _path(decision)
    visited = {n for step in path for n in step[:2]}
    gates = _gates(decision)
    for _kind, node_id, _short, text in gates:
        attrs = {"shape": "diamond", "style": "filled", "fillcolor": "#e5dbff"}
        if node_id in visited:
            attrs["class"] = "taken"
        else:
            attrs = {"shape": "diamond", "style": "dashed", **_NOT_TAKEN}
        dot.node(node_id, _esc(text), **attrs)
    for node_id, text in _FLOW:
        attrs = {"shape": "diamond", "style": "filled", "fillcolor": "#fff3bf"}
        if node_id in visited:
            attrs["class"] = "taken"
        else:
            attrs = {"shape": "diamond", "style": "dashed", **_NOT_TAKEN}
        dot.node(node_id, _esc(text), **attrs)
    for node_id, text, fill in (
        ("r_explicit", "Explicit deny", "#ffc9c9"),
        ("r_implicit", "Implicit deny", "#ffe8cc"),
        ("r_allowed", "Allowed", "#b2f2bb"),
    ):
        taken = node_id in visited
        dot.node(
            node_id,
            text,
            shape="box",
            style="rounded,filled,bold" if taken else "rounded",
            fillcolor=fill,
            **({"penwidth": "2.5", "class": "taken"} if taken else _NOT_TAKEN),
        )
    boundary_word = "yes" if decision.boundary_decision == ALLOWED else "yes / none set"
    edges = [
        ("request", "q_deny", ""),
        ("q_deny", "r_explicit", "yes"),
        ("q_deny", "q_allow", "no"),
        ("q_allow", "r_implicit", "no"),
        ("q_allow", "q_boundary", "yes"),
        ("q_boundary", "r_implicit", "no"),
        ("q_boundary", "q_session", boundary_word),
        ("q_session", "r_implicit", "no"),
        ("q_session", "r_allowed", "yes / none set"),
    ]
    if gates:
        # The guardrails stand between the explicit deny and the other policies.
        chain = ["q_deny", *(step for _kind, step, _short, _text in gates), "q_allow"]
        pairs = zip(chain, chain[1:], strict=False)
        between = [(a, b, "no" if a == "q_deny" else "yes") for a, b in pairs]
        stops = [(step, "r_implicit", "no") for _kind, step, _short, _text in gates]
        edges[2:3] = between + stops
    # Taken edges carry this decision's own answers; a shortcut the
    # decision took (the root user, a resource naming the caller) is drawn too.
    answers = {(a, b): word for a, b, word in path}
    drawn = {(a, b) for a, b, _ in edges}
    edges += [(a, b, word) for (a, b), word in answers.items() if (a, b) not in drawn]
    for src, dst, word in edges:
        attrs = _TAKEN if (src, dst) in answers else _NOT_TAKEN
        label = answers.get((src, dst), word)
        dot.edge(src, dst, **({"label": _esc(label)} if label else {}), **attrs)
    _rule_note(dot, decision, path[-1][1])
    # The deciding statements, next to the step they decided.
    by_step: dict[str, list[str]] = defaultdict(list)
    for ref in decision.matched:
        if ref.effect == "Deny":
            by_step["q_deny"].append(_ref(ref))
        elif ref.kind == "boundary":
            by_step["q_boundary"].append(_ref(ref))
        elif ref.kind == "session":
            by_step["q_session"].append(_ref(ref))
        else:
            by_step["q_allow"].append(_ref(ref))
    headings = {"r_implicit": "did not apply:"}
    closed = next((g for g in gates if decision.row == f"{g[0]}-not-allowed"), None)
    if closed is not None:
        # The guardrail that had no allow decided: its statements, by the step.
        kind, step, short, _text = closed
        misses = [m for m in decision.misses if m.statement.kind == kind]
        lines = [_miss(m) for m in misses[:5]]
        if len(misses) > 5:
            lines.append(f"… and {len(misses) - 5} more")
        by_step[step] = lines or [f"no {short} statement allows this action"]
        headings[step] = f"no {short} allows it at {_level(decision.closed_level)}:"
    elif decision.decision != ALLOWED and decision.decision != EXPLICIT_DENY:
        # What the guardrails said is on their own steps, not among the misses.
        misses = [m for m in decision.misses if m.statement.kind not in ("scp", "rcp")]
        lines = [_miss(m) for m in misses[:5]]
        if len(misses) > 5:
            lines.append(f"… and {len(misses) - 5} more")
        if decision.missing_context:
            lines.append("context lacks: " + ", ".join(decision.missing_context))
        by_step["r_implicit"] = lines or ["no statement mentions this action"]
    for step, lines in sorted(by_step.items()):
        heading = headings.get(step, "decided by:")
        text = heading + "\n" + "\n".join(lines)
        dot.node(
            f"why_{step}",
            _esc(text, newline="\\l", end="\\l"),
            shape="note",
            style="filled",
            fillcolor="#ffffff",
            fontsize="9",
        )
        dot.edge(f"why_{step}", step, style="dotted", arrowhead="none", constraint="false")
    return dot


# ---------------------------------------------------------------------------
# effective_access: what one principal may do
# ---------------------------------------------------------------------------

LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


@dataclass(frozen=True)
class Grant:
    """One action a principal may use: ``full`` when allowed on every
    resource without conditions, else only on some resources or under
    conditions; ``sources`` name the policies whose statements allow it."""

    action: str
    level: str
    full: bool
    sources: tuple[str, ...]


@dataclass(frozen=True)
class _Source:
    label: str  # how the policy is named, e.g. "ReadOnly (via group Devs)"
    kind: str  # aws | customer | inline
    relation: str  # attached | inline | member
    policy: Any  # labkit.policy.Policy


def _policy_source(source: Inventory | Any) -> Any:
    """The one policy source of a Lab, or one over a plain inventory."""
    from labkit.policy_source import PolicySource

    if isinstance(source, Inventory):
        return PolicySource(source)
    return source.policies


def _decider(source: Inventory | Any, arn: str, policies: list[Any], boundaries: list[Any]) -> Any:
    """How to decide the principal's request for an action on ``*``: as the
    Lab decides its calls, or, for a plain inventory, by the engine alone."""
    from labkit.policy import Request
    from labkit.policy.evaluate import evaluate

    if isinstance(source, Inventory):
        return lambda action: evaluate(Request(action, "*", principal=arn), policies, boundaries)
    from labkit.lab.actions import Target

    decide = source.account.authorizer.decider(source.principal_of(arn))
    return lambda action: decide(Target(action, "*"))


def _sources(source: Inventory | Any, principal: str) -> tuple[Any, list[_Source], list[Any]]:
    """The principal's holdings, its identity policies (labelled) and its boundaries.

    Which policies a principal holds is answered by the policy source, as
    for every real call; this only labels them for drawing.
    """
    policies = _policy_source(source)
    state = policies.state
    found = state.user(principal) or state.role(principal)
    holdings = policies.holdings(found.arn) if found is not None else None
    if holdings is None:
        raise ValueError(f"no user or role named {principal!r}")
    relation = {"inline": "inline", "attached": "attached", "account": "member"}
    sources = [
        _Source(
            held.label,
            held.kind,
            "member" if held.group else relation.get(held.relation, "attached"),
            held.policy,
        )
        for held in holdings.identity
    ]
    return holdings, sources, list(holdings.boundaries)


_EMPTY = {"Version": "2012-10-17", "Statement": []}


def _actions_of(statement: Any) -> set[str]:
    from labkit.policy import catalog

    if statement.actions is not None:
        return {a for pattern in statement.actions for a in catalog.expand(pattern)}
    excluded = {a for pattern in statement.not_actions or () for a in catalog.expand(pattern)}
    return set(catalog.all_actions()) - excluded


def _everywhere(statement: Any) -> bool:
    """True for a statement on every resource without conditions."""
    return statement.resources == ("*",) and not statement.conditions


def grants(source: Inventory | Any, principal: str) -> list[Grant]:
    """The actions a user or role (name or ARN) may use, sorted.

    See :func:`analyse_access`, which also counts what was taken away.
    """
    return analyse_access(source, principal)[0]


def analyse_access(source: Inventory | Any, principal: str) -> tuple[list[Grant], int, int]:
    """The actions a user or role may use, and how many actions its Allow
    statements name that an explicit deny or the permissions boundary takes
    away, as ``(grants, denied, outside_boundary)``.

    Candidates come from the Allow statements of its identity policies
    (wildcards expanded with the catalog); each is then decided by
    :func:`labkit.policy.evaluate` on resource ``"*"`` with the permissions
    boundary. An action denied there may still be granted on some resources
    or under conditions: it is kept (not ``full``) when some Allow statement
    grants it, the boundary allows it somewhere and no unconditional Deny on
    every resource removes it.
    """
    from labkit.policy import catalog

    entity, sources, boundaries = _sources(source, principal)
    policies = [s.policy for s in sources]
    decide = _decider(source, entity.arn, policies, boundaries)
    allowed_by: dict[str, list[str]] = defaultdict(list)
    for src in sources:
        covered: set[str] = set()
        for statement in src.policy.statements:
            if statement.effect == "Allow":
                covered |= _actions_of(statement)
        for action in covered:
            allowed_by[action].append(src.label)
    # Where a deny or a boundary may bite only sometimes, nothing is "full".
    blocked: set[str] = set()
    partial: set[str] = set()
    for policy in [*policies, *boundaries]:
        for statement in policy.statements:
            if statement.effect == "Deny":
                (blocked if _everywhere(statement) else partial).update(_actions_of(statement))
    within: set[str] | None = None
    for boundary in boundaries:
        allows: set[str] = set()
        for statement in boundary.statements:
            if statement.effect == "Allow":
                allows |= _actions_of(statement)
                if not _everywhere(statement):
                    partial |= _actions_of(statement)
        within = allows if within is None else within & allows
    result, denied, outside = [], 0, 0
    for action in sorted(allowed_by):
        if action in blocked:
            denied += 1
            continue
        if within is not None and action not in within:
            outside += 1
            continue
        decision = decide(action)
        full = decision.allowed and action not in partial and not decision.missing_context
        level = catalog.access_level(action) or "Unknown"
        result.append(Grant(action, level, full, tuple(sorted(set(allowed_by[action])))))
    return result, denied, outside


def _service_label(service: str, grants_: Sequence[Grant], max_listed: int) -> str:
    """An HTML-like table: the service, then a row per access level."""
    limited = sum(not g.full for g in grants_)
    head = f"<B>{_html(service)}</B>  {_plural(len(grants_), 'action')}"
    if limited:
        head += f" ({limited:,} limited)"
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT">{head}</TD></TR>']
    by_level: dict[str, list[Grant]] = defaultdict(list)
    for grant in grants_:
        by_level[grant.level].append(grant)
    order = [*LEVELS, *sorted(set(by_level) - set(LEVELS))]
    for level in order:
        items = by_level.get(level)
        if not items:
            continue
        if len(grants_) <= max_listed:
            # Italic: only on some resources or under conditions.
            names = ", ".join(
                _html(g.action.split(":", 1)[1])
                if g.full
                else f"<I>{_html(g.action.split(':', 1)[1])}</I>"
                for g in items
            )
        else:
            names = _plural(len(items), "action")
        rows.append(f'<TR><TD ALIGN="LEFT">{_html(level)}</TD><TD ALIGN="LEFT">{names}</TD></TR>')
    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
    label = f"<{table}{''.join(rows)}</TABLE>>"
    if len(label.encode()) > LABEL_BYTES and len(grants_) <= max_listed:
        return _service_label(service, grants_, 0)  # counts only: always short
    return label


def _html(text: Any, limit: int = 1_000) -> str:
    """``text`` inside an HTML-like label: escaped, cleaned as :func:`_clean`
    cleans, and shortened with an ellipsis beyond ``limit`` characters."""
    text = _clean(text)
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def effective_access(
    source: Inventory | Any,
    principal: str,
    *,
    max_services: int = 25,
    max_listed: int = 8,
) -> graphviz.Digraph:
    """What a user or role (name or ARN) may do, and which policy grants it.

    The principal points at each policy it holds (directly, inline or through
    a group), and each policy at the services whose actions it allows, with
    how many. A service box counts the actions by access level (List, Read,
    Write, Permissions management, Tagging) and names them when there are at
    most ``max_listed``; italic names, and the "limited" count, are actions
    granted only on some resources or under conditions. Explicit denies and
    the permissions boundary are applied (see :func:`grants`). Beyond
    ``max_services`` services the ones with fewest actions share one node.
    Names render whatever they hold (unrepresentable characters replaced,
    long labels shortened with an ellipsis).
    """
    entity, sources, _boundaries = _sources(source, principal)
    granted, denied, outside = analyse_access(source, principal)
    kind = entity.kind
    services: dict[str, list[Grant]] = defaultdict(list)
    for grant in granted:
        services[grant.action.split(":", 1)[0]].append(grant)
    title = (
        f"What {kind} {entity.name} may do: {_plural(len(granted), 'action')} in "
        f"{_plural(len(services), 'service')}"
    )
    dot = _digraph("effective_access", title)
    me = _node_id(kind, entity.arn)
    dot.node(me, _esc(entity.name), **STYLES[kind], **{"class": kind})
    ranked = sorted(services, key=lambda s: (-len(services[s]), s))
    shown = set(ranked[:max_services])
    rest = [s for s in ranked if s not in shown]
    for service in sorted(shown):
        label = _service_label(service, services[service], max_listed)
        dot.node(
            f"svc_{_node_id('s', service)}",
            label,
            shape="box",
            style="rounded,filled",
            fillcolor="#f8f9fa",
            **{"class": "service"},
        )
    if rest:
        count = sum(len(services[s]) for s in rest)
        label = f"{_plural(len(rest), 'more service')}\n{_plural(count, 'action')}"
        dot.node(
            "svc_more",
            _esc(label),
            shape="box",
            style="rounded,filled",
            fillcolor="#f8f9fa",
            peripheries="2",
        )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for grant in granted:
        service = grant.action.split(":", 1)[0]
        target = f"svc_{_node_id('s', service)}" if service in shown else "svc_more"
        for label in grant.sources:
            counts[(label, target)] += 1
    for src in sorted(sources, key=lambda s: s.label):
        pid = _node_id("p", src.label)
        shown_as = src.label.replace(" (", "\n(", 1)
        dot.node(pid, _esc(shown_as), **STYLES[src.kind], **{"class": src.kind})
        dot.edge(me, pid, **EDGE_STYLES["inline" if src.kind == "inline" else "attached"])
    for (label, target), count in sorted(counts.items()):
        dot.edge(_node_id("p", label), target, label=_plural(count, "action"), color="#495057")
    if entity.boundary is not None:
        held = entity.boundary
        bid = _node_id("boundary", held.policy.arn or held.policy.name)
        dot.node(bid, _esc(f"{held.policy.name}\n(permissions boundary)"), **STYLES[held.kind])
        dot.edge(me, bid, **EDGE_STYLES["boundary"])
    notes = []
    if denied:
        notes.append(f"{_plural(denied, 'action')} removed by an explicit deny")
    if outside:
        notes.append(f"{_plural(outside, 'action')} outside the permissions boundary")
    if not granted:
        notes.append("no action allowed")
    if notes:
        dot.node(
            "access_note",
            _esc("\n".join(notes)),
            shape="box",
            style="rounded,dashed",
            fontsize="9",
            color="#868e96",
        )
    return dot
