"""The test factories build valid rows through the services."""

from __future__ import annotations

from talent_tui.services import deals
from talent_tui.store.db import Database
from talent_tui.store.models import CampaignStatus

from . import factories


def test_offer_factory_makes_a_pending_campaign_with_version_one(database: Database) -> None:
    with database.transaction() as s:
        campaign = factories.offer(s, fee="2,500.50 EUR")
        campaign_id = campaign.id
    with database.session() as s:
        stored = deals.get_campaign(s, campaign_id)
        assert stored.status is CampaignStatus.OFFER_RECEIVED
        assert (stored.fee_minor, stored.currency) == (250050, "EUR")
        assert [v.version for v in deals.versions(s, campaign_id)] == [1]
