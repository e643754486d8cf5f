"""Names of the service's codes (statuses, roles, sorts, audiences, audit actions) as
readers see them, in the words of the glossary."""

from __future__ import annotations

from ideabox.platform.i18n import N_

STATUS = {
    "pending_review": N_("Awaiting review"),
    "open": N_("Open for votes"),
    "promoted": N_("Sent to the administration"),
    "under_review": N_("Under review"),
    "accepted": N_("Accepted"),
    "implemented": N_("Implemented"),
    "rejected": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "hidden": N_("Hidden by a moderator"),
}

# Seen only by the idea's author and moderators: hidden ideas, and ideas waiting for
# review before they are published.
SECLUDED = ("hidden", "pending_review")
# Never in a public list, feed or figure: the secluded ideas and withdrawn ones.
UNLISTED = ("hidden", "withdrawn", "pending_review")

# The statuses the administration answers with (API.md, "Promotion and responses").
ANSWERS = ("under_review", "accepted", "implemented", "rejected")

ROLE = {
    "resident": N_("resident"),
    "staff": N_("staff"),
    "moderator": N_("moderator"),
    "admin": N_("admin"),
}

AUDIENCE = {
    "everyone": N_("Everyone"),
    "residents": N_("Residents"),
    "staff": N_("The municipality's staff"),
}

# Who may take part in a purpose beyond its audience (``purposes.eligibility``).
ELIGIBILITY = {
    "verified_email": N_("Everyone with a confirmed e-mail address"),
    "verified_residency": N_("Residents of the municipality only"),
}

SORT = {
    "top_month": N_("Most votes this month"),
    "hot": N_("Popular now"),
    "new": N_("Newest"),
    "top": N_("Most votes overall"),
}

# What staff did for a person, as the audit log shows it (assisted participation).
AUDIT_ACTION = {
    "register_assisted": N_("Registered the person"),
    "post_idea_for": N_("Shared an idea"),
    "comment_for": N_("Commented"),
    "vote_for": N_("Voted"),
    "retract_vote_for": N_("Removed a vote"),
}

# What a webhook endpoint can be told (ideabox.webhooks), and how its deliveries stand.
WEBHOOK_EVENT = {
    "idea.published": N_("An idea is published"),
    "idea.promoted": N_("An idea is sent to the administration"),
    "idea.answered": N_("The administration answers an idea"),
    "idea.status_changed": N_("An idea changes status"),
}

DELIVERY_STATUS = {
    "pending": N_("Waiting"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
}

# Why a resident reports an idea or a comment (``reports.reason``).
REPORT_REASON = {
    "spam": N_("Spam or advertising"),
    "offensive": N_("Offensive or hateful"),
    "personal_data": N_("Personal information about someone"),
    "off_topic": N_("Not about the purpose"),
    "other": N_("Something else"),
}

# The moderators' queue: what a case is, and the decisions that close it.
CASE_KIND = {
    "reports": N_("Reported"),
    "second_look": N_("Second look asked for"),
    "review": N_("Awaiting review"),
}

DECISION = {
    "keep": N_("Keep it"),
    "hide": N_("Hide it"),
    "edit_request": N_("Ask the author to change it"),
    "approve": N_("Approve and publish"),
    "reject": N_("Do not publish"),
}
