"""The partitioner's connectivity searches agree with networkx on random graphs."""

from __future__ import annotations

import random

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.partition import _adjacency, _pockets, _still_connected


def _graph_and_group(seed: int, size: int, holes: float) -> tuple[nx.Graph[int], set[int]]:
    """A street-like graph (a grid with cross links and holes) and one connected group in it."""
    chance = random.Random(seed)
    grid = nx.convert_node_labels_to_integers(nx.grid_2d_graph(size, size))
    for node in list(grid):
        if chance.random() < 0.1:
            grid.add_edge(node, chance.randrange(size * size))
    grid.remove_nodes_from([n for n in list(grid) if n and chance.random() < holes])
    largest = max(nx.connected_components(grid), key=len)
    return grid, set(largest)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(2, 12),
    holes=st.floats(0.0, 0.45),
    pick=st.integers(0, 10_000),
)
def test_cut_off_parts_match_the_components_without_the_node(
    seed: int, size: int, holes: float, pick: int
) -> None:
    graph, group = _graph_and_group(seed, size, holes)
    node = sorted(group)[pick % len(group)]
    adjacency = _adjacency(graph)
    parts = sorted(nx.connected_components(graph.subgraph(group - {node})), key=len)

    assert _still_connected(adjacency, group, node) == (len(parts) <= 1)
    pockets = _pockets(adjacency, group, node)
    assert node not in pockets
    if len(parts) <= 1:
        assert pockets == set()
    else:
        # The largest part stays; the rest is cut off (parts of equal size may swap roles).
        kept = group - {node} - pockets
        assert kept in [p for p in parts if len(p) == len(parts[-1])]
        assert pockets == set().union(*[p for p in parts if p != kept])
