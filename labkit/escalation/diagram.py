"""The routes to admin as a Graphviz drawing, in the look of :mod:`labkit.diagrams`.

Users and roles are drawn as in the hierarchy diagram; every route ends at
one red "admin-equivalent" node. An orange edge "acts as" from one principal
to the next carries the permission that lets it (``sts:AssumeRole``,
``iam:PassRole to lambda``...); a red dashed edge "changes permissions"
carries the permission that makes its target admin-equivalent
(``iam:CreatePolicyVersion``...).

Large accounts stay readable: starts whose first steps are the same (say,
forty users who may all assume one role) are drawn as one "N users" node;
past ``max_nodes`` boxes, each start keeps only its shortest route, then
the starts with the shortest routes are kept and a note says how many more
there are. ``principal=`` draws one start's routes in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import graphviz

from labkit.diagrams import STYLES, _digraph, _esc, _node_id
from labkit.escalation.model import METHODS, Path, name_of

if TYPE_CHECKING:
    from labkit.lab.account import Lab

ADMIN = "admin_equivalent"
ADMIN_STYLE = {
    "shape": "doubleoctagon",
    "style": "filled",
    "fillcolor": "#ffc9c9",
    "color": "#c92a2a",
}
ROUTE_EDGES: dict[str, dict[str, str]] = {
    "become": {"color": "#e67700", "style": "bold"},
    "grant": {"color": "#c92a2a", "style": "dashed"},
    "admin": {"color": "#868e96", "style": "dotted", "arrowhead": "none"},
}
FOLD_AT = 3  # starts with the same next steps drawn as one node from this many
ROUTE_WORDS = {"become": "acts as", "grant": "changes permissions", "admin": "is admin-equivalent"}


@dataclass
class _Drawing:
    """What is drawn: id -> (kind, label, tooltip, how many it stands for);
    (source, target, label) -> edge kind; how many starts were folded."""

    nodes: dict[str, tuple[str, str, str, int]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], str] = field(default_factory=dict)
    folded: int = 0


def routes(
    source: Lab | Sequence[Path],
    principal: str | None = None,
    max_nodes: int = 60,
    *,
    legend: bool = True,
) -> graphviz.Digraph:
    """The routes to admin of a Lab (or of the given paths), from every start
    or from ``principal`` (ARN or name) only, folded to about ``max_nodes``
    boxes; ``legend=False`` leaves out the legend."""
    from labkit.escalation import paths as find

    total: int | None = None
    account = "123456789012"
    if isinstance(source, Sequence):
        found = list(source)
    else:
        account = source.account_id
        found = find(source, principal)
        total = len(source.backend.users) + len(source.backend.roles)
    if principal is not None:
        found = [p for p in found if principal in (p.start, p.start.rsplit("/", 1)[-1])]
    starts = sorted({p.start for p in found})
    notes: list[str] = []
    drawing = _draw(found, fold=principal is None)
    if drawing.folded:
        notes.append(f"{drawing.folded:,} starts whose next steps are the same: one node per kind")
    if principal is None and len(drawing.nodes) > max_nodes:
        found = _shortest_each(found)
        drawing = _draw(found, fold=True)
        notes.append("each start's shortest route only")
        if len(drawing.nodes) > max_nodes:
            found, dropped = _fewest(found, max_nodes)
            drawing = _draw(found, fold=True)
            notes.append(f"{dropped:,} more starts with longer routes left out")
    title = f"Routes to admin in account {account}: "
    if total is not None:
        title += f"{len(starts):,} of {total:,} users and roles can become admin-equivalent"
    else:
        title += f"{len(starts):,} starts"
    if principal is not None:
        title += f", from {name_of(starts[0]) if starts else principal}"
    return _render(drawing, title, notes, legend)


def _draw(found: Sequence[Path], fold: bool) -> _Drawing:
    drawing = _Drawing()
    drawing.nodes[ADMIN] = ("admin", "admin-equivalent\n(every action on every resource)", "", 1)
    for path in found:
        _add_path(drawing, path)
    if fold:
        _fold_starts(drawing, {p.start for p in found})
    return drawing


def _principal(drawing: _Drawing, arn: str) -> str:
    kind = "role" if ":role/" in arn else "user"
    node = _node_id(kind, arn)
    drawing.nodes.setdefault(node, (kind, arn.rsplit("/", 1)[-1], arn, 1))
    return node


def _add_path(drawing: _Drawing, path: Path) -> None:
    pending: list[str] = []  # a preparing step's permission, drawn with the next
    for index, step in enumerate(path.steps):
        kind = METHODS[step.method].kind
        nxt = path.steps[index + 1] if index + 1 < len(path.steps) else None
        if kind == "prepare" or (
            step.method == "update-assume-role-policy"
            and nxt is not None
            and nxt.target == step.target
        ):
            pending.append(step.action)
            continue
        label = " + ".join([*pending, step.label])
        pending = []
        source = _principal(drawing, step.actor)
        if step.becomes is not None:
            drawing.edges[(source, _principal(drawing, step.becomes), label)] = "become"
        elif path.end == step.actor:
            drawing.edges[(source, ADMIN, label)] = "grant"
        else:
            drawing.edges[(source, _principal(drawing, path.end), label)] = "grant"
    end = _principal(drawing, path.end)
    last = path.steps[-1]
    if last.becomes is not None or path.end != last.actor:
        drawing.edges.setdefault((end, ADMIN, ""), "admin")


def _fold_starts(drawing: _Drawing, starts: set[str]) -> None:
    """Starts nobody reaches, with the same way out, become one node."""
    into = {dst for (_src, dst, _label) in drawing.edges}
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for (src, dst, label), kind in drawing.edges.items():
        out[src].append((dst, label, kind))
    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for node, (kind, _label, tip, _n) in drawing.nodes.items():
        if tip in starts and node not in into:
            groups[(kind, tuple(sorted(out[node])))].append(node)
    for (kind, _signature), members in groups.items():
        if len(members) < FOLD_AT:
            continue
        drawing.folded += len(members)
        names = sorted(drawing.nodes[m][1] for m in members)
        folded = _node_id(f"{kind}s", "|".join(members))
        plural = f"{len(members):,} {kind}s"
        drawing.nodes[folded] = (kind, plural, ", ".join(names[:30]), len(members))
        for member in members:
            del drawing.nodes[member]
        for (src, dst, label), edge in list(drawing.edges.items()):
            if src in members:
                del drawing.edges[(src, dst, label)]
                drawing.edges[(folded, dst, label)] = edge


def _shortest_each(found: Sequence[Path]) -> list[Path]:
    best: dict[str, Path] = {}
    for path in found:
        if path.start not in best or len(path.steps) < len(best[path.start].steps):
            best[path.start] = path
    return [best[start] for start in sorted(best)]


def _fewest(found: Sequence[Path], max_nodes: int) -> tuple[list[Path], int]:
    """The starts with the shortest routes, as many as fit."""
    ordered = sorted(found, key=lambda p: (len(p.steps), p.start))
    kept: list[Path] = []
    for path in ordered:
        if len(_draw([*kept, path], fold=True).nodes) > max_nodes:
            break
        kept.append(path)
    return kept, len({p.start for p in found}) - len({p.start for p in kept})


def _render(drawing: _Drawing, title: str, notes: list[str], legend: bool) -> graphviz.Digraph:
    dot = _digraph("escalation", title)
    for node in sorted(drawing.nodes):
        kind, label, tip, count = drawing.nodes[node]
        attrs = dict(ADMIN_STYLE if kind == "admin" else STYLES[kind])
        if count > 1:
            attrs["peripheries"] = "2"  # a folded node
        dot.node(node, _esc(label), tooltip=_esc(tip or label), **attrs, **{"class": kind})
    for (src, dst, label), kind in sorted(drawing.edges.items()):
        attrs = dict(ROUTE_EDGES[kind])
        if label:
            attrs["label"] = _esc(label)
        dot.edge(src, dst, **attrs, **{"class": kind})
    if not drawing.edges:
        dot.node("no_routes", "No user or role can become admin-equivalent.", shape="plaintext")
    if notes:
        text = "Folded to stay readable:\n" + "\n".join(f"• {n}" for n in notes)
        text += "\nprincipal=name draws one start in full"
        dot.node(
            "folded_note",
            _esc(text, newline="\\l", end="\\l"),
            shape="box",
            style="rounded,dashed",
            fontsize="9",
            color="#868e96",
        )
    if legend:
        with dot.subgraph(name="cluster_legend") as box:
            box.attr(label="Legend", fontsize="9", style="rounded", color="#adb5bd")
            box.attr("node", fontsize="8", height="0.2")
            box.attr("edge", fontsize="8")
            box.node("legend_user", "user", **STYLES["user"])
            box.node("legend_role", "role", **STYLES["role"])
            box.node("legend_admin", "admin-equivalent", **ADMIN_STYLE)
            box.edge(
                "legend_user", "legend_role", label=ROUTE_WORDS["become"], **ROUTE_EDGES["become"]
            )
            box.edge(
                "legend_role", "legend_admin", label=ROUTE_WORDS["grant"], **ROUTE_EDGES["grant"]
            )
    return dot
