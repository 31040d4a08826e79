"""Deals: a campaign from the brand's offer to the last invoice.

    states        the lifecycle (TRANSITIONS), moving along it, DealError, expiring offers
    offers        Terms, offer versions, reading typed terms, counters, accepting, new campaigns
    reopen        an expired offer the brand sent again
    conflicts     exclusivity and usage-rights clashes between a creator's deals (imported as
                  `services.deals.conflicts`: accept and counter after the check)
    deliverables  deliverables and creative feedback
    invoices      invoices, their due-date default, totals per currency, commission
    pipeline      the deal flow, what is due, the audit trail, one campaign's read model

Every change works inside the caller's transaction (`Database.transaction()`) and writes its
audit entry in that same transaction, so a change and its record land together or not at
all. `actor` is who did it: the OS user, `--as NAME`, or "talent" for automatic changes.

The names below are the package's public surface; callers import `services.deals` and use
them as `deals.NAME`. The interaction log lives in `services.interactions` (its names are
repeated here for callers written before the split).
"""

from __future__ import annotations

from talent_tui.services.deals.deliverables import (
    DELIVERABLE_FLOW,
    add_deliverable,
    add_feedback,
    delete_deliverable,
    deliverable_overdue,
    deliverables_of,
    edit_deliverable,
    feedback_of,
    get_deliverable,
    set_deliverable_status,
)
from talent_tui.services.deals.invoices import (
    DEFAULT_NET_DAYS,
    MoneyTotals,
    OverFee,
    add_invoice,
    commission_minor,
    default_due_on,
    due_after,
    format_totals,
    invoice_totals,
    invoiced_minor,
    invoices_of,
    mark_paid,
)
from talent_tui.services.deals.offers import (
    TERM_FIELDS,
    TYPED_TERMS,
    WINDOW_TERMS,
    Terms,
    TermsInvalid,
    Version,
    accept,
    add_campaign,
    current_offer,
    days_or_date,
    new_terms,
    offers,
    own_external_id,
    parse_terms,
    propose,
    settle_windows,
    terms_of,
    versions,
)
from talent_tui.services.deals.pipeline import (
    CampaignDetail,
    DealRow,
    DueItem,
    Stage,
    audience_fit,
    campaign_detail,
    deal_flow,
    due_items,
    history,
)
from talent_tui.services.deals.reopen import reopen
from talent_tui.services.deals.states import (
    AGREED,
    OPEN_STATUSES,
    STATUS_LABELS,
    TRANSITIONS,
    DealError,
    IllegalTransition,
    decline,
    default_actor,
    expire_on_open,
    expire_overdue,
    get_campaign,
    start_review,
    tab_of,
    transition,
)
from talent_tui.services.interactions import (
    complete_follow_up,
    follow_ups_due,
    interactions_of,
    log_interaction,
)
from talent_tui.store.models import AuditEntry, InteractionKind  # names older callers use

__all__ = [
    "AGREED",
    "AuditEntry",
    "InteractionKind",
    "DEFAULT_NET_DAYS",
    "DELIVERABLE_FLOW",
    "OPEN_STATUSES",
    "STATUS_LABELS",
    "TERM_FIELDS",
    "TYPED_TERMS",
    "TRANSITIONS",
    "WINDOW_TERMS",
    "CampaignDetail",
    "DealError",
    "DealRow",
    "DueItem",
    "IllegalTransition",
    "MoneyTotals",
    "OverFee",
    "Stage",
    "Terms",
    "TermsInvalid",
    "Version",
    "accept",
    "add_campaign",
    "own_external_id",
    "add_deliverable",
    "add_feedback",
    "add_invoice",
    "audience_fit",
    "campaign_detail",
    "commission_minor",
    "complete_follow_up",
    "current_offer",
    "days_or_date",
    "deal_flow",
    "decline",
    "default_actor",
    "default_due_on",
    "delete_deliverable",
    "deliverable_overdue",
    "deliverables_of",
    "due_after",
    "due_items",
    "edit_deliverable",
    "expire_on_open",
    "expire_overdue",
    "feedback_of",
    "follow_ups_due",
    "format_totals",
    "get_campaign",
    "get_deliverable",
    "history",
    "interactions_of",
    "invoice_totals",
    "invoiced_minor",
    "invoices_of",
    "log_interaction",
    "mark_paid",
    "new_terms",
    "offers",
    "parse_terms",
    "propose",
    "reopen",
    "set_deliverable_status",
    "settle_windows",
    "start_review",
    "tab_of",
    "terms_of",
    "transition",
    "versions",
]
