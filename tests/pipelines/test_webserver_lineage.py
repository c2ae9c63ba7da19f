"""The real `dagster-webserver`, started in the repo root with no arguments but host and port,
loads the code location from workspace.yaml and shows the design's lineage over GraphQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.definitions import defs
from pipelines.defs.dbt_models import GROUP_ORDER
from sources import SOURCES
from tests.conftest import REPO

QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    dependencyKeys { path }
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    kinds
    description
  }
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def asset_nodes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("webserver")
    port = free_port()
    env = {
        **os.environ,
        "CITYDIP_HOME": str(root / "home"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    (root / "dagster").mkdir()
    log = (root / "webserver.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        nodes = []
        for _ in range(240):  # the code location loads in a subprocess; poll until it has
            if server.poll() is not None:
                break
            try:
                nodes = graphql(port, QUERY)["data"]["assetNodes"]
            except (OSError, KeyError, TypeError, ValueError):
                nodes = []
            if nodes:
                break
            time.sleep(1)
        assert nodes, (root / "webserver.log").read_text()[-3000:]
        yield {"/".join(n["assetKey"]["path"]): n for n in nodes}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def deps(node: dict) -> set[str]:
    return {"/".join(d["path"]) for d in node["dependencyKeys"]}


def upstream_closure(nodes: dict[str, dict], key: str) -> set[str]:
    seen, todo = set(), [key]
    while todo:
        for dep in deps(nodes[todo.pop()]):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_every_asset_of_the_code_location_is_served(asset_nodes):
    expected = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert set(asset_nodes) == expected
    for source in SOURCES:
        assert f"payloads/{source}" in asset_nodes
        assert f"raw/{source}_observations" in asset_nodes
        assert f"stg_{source}__observations" in asset_nodes
    assert "published_warehouse" in asset_nodes


def test_lineage_runs_source_staging_scorecard_publish(asset_nodes):
    for source in SOURCES:
        assert deps(asset_nodes[f"raw/{source}_observations"]) == {f"payloads/{source}"}
        assert f"raw/{source}_observations" in deps(asset_nodes[f"stg_{source}__observations"])
    marts = ["fct_observation", "scorecard_indicator", "scorecard_pillar", "scorecard_city"]
    for mart in marts:
        upstream = upstream_closure(asset_nodes, mart)
        assert {f"stg_{s}__observations" for s in SOURCES} <= upstream, mart
        assert {f"payloads/{s}" for s in SOURCES} <= upstream, mart
    assert {*marts, "dim_city", "dim_indicator"} <= deps(asset_nodes["published_warehouse"])
    # the publish group: the published views (dbt, shipped by published_warehouse) and what
    # reads the published warehouse (the cards)
    shipped = deps(asset_nodes["published_warehouse"])
    for key, node in asset_nodes.items():
        if node["groupName"] == "publish" and key != "published_warehouse":
            assert key in shipped or "published_warehouse" in upstream_closure(asset_nodes, key), (
                key
            )
    assert {"latest_scorecard", "indicator_timeseries"} <= shipped


def test_groups_flow_one_way_and_every_asset_is_owned_and_described(asset_nodes):
    for key, node in asset_nodes.items():
        assert node["groupName"] in GROUP_ORDER, key
        assert node["owners"], key
        assert node["kinds"], key
        assert node["description"], key
        for dep in deps(node):
            upstream_group = asset_nodes[dep]["groupName"]
            assert GROUP_ORDER.index(upstream_group) <= GROUP_ORDER.index(node["groupName"]), (
                f"{dep} ({upstream_group}) -> {key} ({node['groupName']})"
            )
    assert asset_nodes["stg_worldbank__observations"]["groupName"] == "staging"
    assert asset_nodes["scorecard_city"]["groupName"] == "marts"
    assert asset_nodes["seeds/cities"]["groupName"] == "seeds"
    assert asset_nodes["latest_scorecard"]["groupName"] == "publish"
    assert asset_nodes["audit_sobol"]["groupName"] == "audit"
