"""``/metrics``: Prometheus's view, moving with what happens, for allowed clients only."""

from __future__ import annotations

import httpx
import msgspec
import pytest
from litestar import Litestar
from prometheus_client.parser import text_string_to_metric_families

from ideabox.http.app import create_app
from ideabox.metrics.counters import reconciled
from ideabox.platform.settings import Settings, SettingsError, load_settings
from tests.conftest import running, serving
from tests.factories import bearer, make_purpose, make_user, post_idea

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _requests(samples: Samples, path: str, method: str) -> float:
    return sum(v for (name, labels), v in samples.items()
               if name == "ideabox_requests_total" and ("path", path) in labels
               and ("method", method) in labels)


VOTE_ROUTE = "/api/v1/ideas/{idea_id}/vote"


async def test_a_vote_moves_the_vote_counter_and_the_route_counter(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, voter = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    before = await _scrape(client)
    assert (await client.put(f"/api/v1/ideas/{idea['id']}/vote",
                             headers=bearer(voter))).status_code == 200
    after = await _scrape(client)
    assert _value(after, "ideabox_votes_total", action="cast") == \
        _value(before, "ideabox_votes_total", action="cast") + 1
    assert _value(after, "ideabox_votes_total", action="retracted") == \
        _value(before, "ideabox_votes_total", action="retracted")
    # Counted by route template, not by path: one series for every idea.
    assert _requests(after, VOTE_ROUTE, "PUT") == _requests(before, VOTE_ROUTE, "PUT") + 1
    assert not any(f"/ideas/{idea['id']}/" in dict(labels).get("path", "")
                   for _, labels in after)

    assert (await client.delete(f"/api/v1/ideas/{idea['id']}/vote",
                                headers=bearer(voter))).status_code == 200
    again = await _scrape(client)
    assert _value(again, "ideabox_votes_total", action="retracted") == \
        _value(after, "ideabox_votes_total", action="retracted") + 1


async def test_every_metric_is_listed_and_the_backlog_read(client, db):
    reconciled()
    samples = await _scrape(client)
    names = {name for name, _ in samples}
    for name in ("ideabox_votes_total", "ideabox_cache_fallbacks_total",
                 "ideabox_cache_rebuilds_total", "ideabox_promotion_runs_total",
                 "ideabox_db_pool_saturation", "ideabox_leader", "ideabox_webhook_backlog",
                 "ideabox_reconcile_last_success_timestamp_seconds",
                 "ideabox_reconcile_lag_seconds"):
        assert name in names, name
    # This test's database has no webhook deliveries; the background work is off here.
    assert _value(samples, "ideabox_webhook_backlog") == 0
    assert _value(samples, "ideabox_leader") == 0
    assert 0 <= _value(samples, "ideabox_reconcile_lag_seconds") < 60
    assert 0 <= _value(samples, "ideabox_db_pool_saturation") <= 1


async def test_reads_from_postgres_while_redis_is_not_believed_are_counted(app, client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    before = _value(await _scrape(client), "ideabox_cache_fallbacks_total")
    app.state.services.cache.trusted = False  # as after a lost write, until rebuilt
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["votes"] == 0
    assert _value(await _scrape(client), "ideabox_cache_fallbacks_total") > before


@pytest.mark.parametrize(("peer", "forwarded"), [
    ("198.51.100.7", None),  # straight from a client not allowed
    ("198.51.100.7", "127.0.0.1"),  # what it says of itself is not believed
    ("127.0.0.1", "203.0.113.9"),  # through the trusted proxy, for a client not allowed
])
async def test_a_client_not_allowed_gets_404(app: Litestar, peer: str, forwarded: str | None):
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    async with serving(app):
        transport = httpx.ASGITransport(app=app, client=(peer, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/metrics", headers=headers)
            unknown = await http.get("/no-such-page", headers=headers)
    assert response.status_code == 404
    assert "ideabox_" not in response.text
    assert response.headers["content-type"] == unknown.headers["content-type"]


async def test_allowed_networks_and_proxies_are_believed(settings: Settings):
    app = create_app(msgspec.structs.replace(
        settings, metrics_allow=("203.0.113.0/24",), trusted_proxies=("10.0.0.0/8",)))
    async with running(app):
        await app.state.schema_ready.wait()
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            allowed = await http.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})
            # Loopback is allowed only by the default.
            local = await http.get("/metrics", headers={"x-forwarded-for": "127.0.0.1"})
    assert allowed.status_code == 200
    assert "ideabox_votes_total" in allowed.text
    assert local.status_code == 404


def test_a_bad_network_is_named():
    with pytest.raises(SettingsError, match=r"IDEABOX_METRICS_ALLOW.*'10\.0\.0\.0/33'"):
        load_settings({"IDEABOX_METRICS_ALLOW": "127.0.0.1, 10.0.0.0/33"})
