"""``ideabox cache rebuild`` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys

from ideabox.votes.reconcile import marker_key
from tests.conftest import SECRET
from tests.factories import make_purpose, make_user, post_idea


async def test_cache_rebuild_puts_every_tally_right(client, db, app, settings):
    purpose = await make_purpose(db)
    voter, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await client.get(f"/api/v1/ideas/{idea['id']}")
    # Votes loaded behind the service's back (a bulk import, a restore): Redis is stale.
    await db.execute("INSERT INTO votes (idea_id, voter_id) VALUES ($1, $2)", idea["id"], voter.id)
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["votes"] == 0
    env = {**os.environ, "IDEABOX_DATABASE_URL": settings.database_url,
           "IDEABOX_REDIS_URL": settings.redis_url, "IDEABOX_SECRET_KEY": SECRET,
           "IDEABOX_REDIS_PREFIX": settings.redis_prefix}
    result = subprocess.run([sys.executable, "-m", "ideabox", "cache", "rebuild"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "rebuilt the tallies of 1 of 1 ideas" in result.stdout
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["votes"] == 1
    generation = await db.fetchval("SELECT generation FROM cache_state")
    assert int(await app.state.cache.client.get(marker_key(app.state.cache))) == generation
