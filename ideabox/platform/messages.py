"""What ideabox says when it refuses something, each by a stable code.

An error (``ideabox.platform.errors``) carries its code and the values its message
names. The API answers with the English text and the code (in ``extra``); the pages
and e-mails translate the code's text through the gettext catalogs, whose message ids
are these English texts (``N_`` marks them for the extractor). So a reworded message
is still found by the reader's language, and a client can rely on the code.
"""

from __future__ import annotations

from typing import Any

from ideabox.platform.i18n import N_

MESSAGES: dict[str, str] = {
    # Input, field by field
    "blank": N_("must not be blank"),
    "too_short": N_("must be at least %(n)s characters (not counting spaces at the ends)"),
    "too_long": N_("must be at most %(n)s characters"),
    "control_characters": N_("must not contain control characters"),
    "nul_characters": N_("must not contain NUL characters"),
    "markdown_too_large": N_("is too large once formatted; make it shorter or its tables "
                             "smaller"),
    "markdown_too_deep": N_("nests quotes or lists too deeply"),
    "month_format": N_("must look like YYYY-MM"),
    "month_range": N_("must be a month from %(first)s to %(last)s"),
    "cursor_foreign": N_("is not a cursor this list gave out"),
    "cursor_other_sort": N_("belongs to a list with another sort"),
    "status_not_listed": N_("withdrawn, hidden and unpublished ideas are not listed"),
    "timezone_unknown": N_("is not a known time zone, e.g. Europe/Copenhagen"),
    "parent_elsewhere": N_("is not a comment on this idea"),
    "password_wrong": N_("is not your current password"),
    "not_json": N_("must be application/json or application/*+json"),
    "send_json": N_("Send the body as JSON (Content-Type: application/json)"),
    "not_a_number": N_("must be a whole number"),
    "too_small": N_("must be at least %(n)s"),
    "too_big": N_("must be at most %(n)s"),
    "choose_one": N_("must be one of the options"),
    "not_an_email": N_("is not an e-mail address"),
    "wrong_form": N_("is not in the expected form"),
    "choose_accounts": N_("choose at least one account"),
    "webhook_url_form": N_("must be a web address starting with https://"),
    "webhook_url_credentials": N_("must not hold a user name, password or #fragment"),
    "webhook_url_https": N_("must start with https://"),
    "webhook_url_private": N_("must point to a public address, not a local or private one"),
    "webhook_purpose_unknown": N_("there is no purpose '%(slug)s'"),
    "choose_events": N_("choose at least one event"),
    "category_unknown": N_("the purpose has no category '%(slug)s'"),
    "category_retired": N_("the category '%(slug)s' is retired and no longer offered"),
    "picture_empty": N_("is an empty file"),
    "picture_too_big": N_("is larger than %(mb)s MB"),
    "picture_too_many_pixels": N_("has more than %(mp)s million pixels"),
    "picture_format": N_("must be a JPEG, PNG or WebP picture"),
    "picture_unreadable": N_("cannot be read as a picture: the file is damaged or "
                             "incomplete"),
    # Identity and eligibility
    "verify_email_first": N_("Confirm your e-mail address first: follow the link in the "
                             "mail we sent you, or ask for a new one on your page"),
    "residency_needed": N_("Only verified residents of the municipality take part in this "
                           "purpose: sign in with an identity provider that confirms where "
                           "you live, such as MitID"),
    "verification_unknown": N_("is not a confirmation link we sent"),
    "verification_used": N_("has been used already; ask for a new link if your address is "
                            "still not confirmed"),
    "verification_expired": N_("has expired (a link lasts %(hours)s hours); ask for a new "
                               "one"),
    "verification_stale": N_("was sent to an address the account no longer has"),
    "verification_already_done": N_("The e-mail address is already confirmed"),
    "no_email_to_verify": N_("The account has no e-mail address to confirm"),
    "assisted_residency_needed": N_("Only verified residents of the municipality take part "
                                    "in this purpose, and the person's residency was not "
                                    "checked when they were registered"),
    # Signing in
    "wrong_credentials": N_("Wrong e-mail or password"),
    "sign_in_needed": N_("Sign in to do this"),
    "bearer_malformed": N_("Send the token as 'Authorization: Bearer <token>'"),
    "token_invalid": N_("The token is not valid: it is unknown, expired or was revoked"),
    "email_taken": N_("An account with this e-mail address already exists"),
    "password_changed_meanwhile": N_("Your password was changed meanwhile; sign in again"),
    "too_many_attempts": N_("Too many attempts; try again later"),
    # Signing in through an OpenID provider
    "oidc_provider_unknown": N_("There is no way to sign in called '%(name)s'"),
    "oidc_denied": N_("The sign-in with %(provider)s was cancelled or refused, so you are "
                      "not signed in"),
    "oidc_provider_error": N_("%(provider)s could not sign you in (it answered "
                              "'%(error)s'); try again, or sign in another way"),
    "oidc_unreachable": N_("We could not reach %(provider)s; try again in a moment"),
    "oidc_timeout": N_("%(provider)s did not answer in time; try again in a moment"),
    "oidc_invalid_response": N_("%(provider)s answered in a way we cannot use, so you are not "
                                "signed in; try again, and tell the municipality if it "
                                "happens again"),
    "oidc_token_invalid": N_("%(provider)s sent an identity we could not verify, so you are "
                             "not signed in; try again"),
    "oidc_code_refused": N_("%(provider)s did not accept the sign-in: it may have been used "
                            "already; start again"),
    "oidc_state_missing": N_("The sign-in could not be finished: it took longer than "
                             "%(minutes)s minutes, or it was started in another browser; "
                             "start again"),
    "oidc_state_mismatch": N_("The sign-in could not be finished: it is not the one this "
                              "browser started; start again"),
    "oidc_state_used": N_("This sign-in has been finished already; start again to sign in"),
    # Who may do what
    "residents_only": N_("This purpose is for residents"),
    "staff_only": N_("This purpose is for the municipality's staff"),
    "admins_only_page": N_("Only administrators can open this page"),
    "moderators_only_page": N_("Only moderators and administrators can open this page"),
    "admins_only_roles": N_("Only an admin can change roles"),
    "admins_only_users": N_("Only an admin can list users"),
    "own_role": N_("You cannot change your own role; another admin can"),
    "admins_only_create_purpose": N_("Only administrators create purposes"),
    "admins_only_change_purpose": N_("Only administrators change purposes"),
    "admins_only_promote": N_("Only administrators promote a month"),
    "admins_only_answer": N_("Only administrators answer ideas"),
    "moderators_only": N_("Only moderators and administrators moderate"),
    "admins_only_webhooks": N_("Only administrators manage webhooks"),
    "staff_only_export": N_("Only staff and administrators export the top ideas"),
    "staff_only_categories": N_("Only staff and administrators manage categories"),
    "staff_only_overview": N_("Only staff, moderators and administrators see the overview"),
    "author_or_admin_edits": N_("Only the author or an administrator may edit this idea"),
    "author_withdraws": N_("Only the author may withdraw this idea"),
    "author_adds_pictures": N_("Only the idea's author may add pictures to it"),
    "author_or_moderator_removes_pictures": N_("Only the idea's author or a moderator may "
                                               "remove its pictures"),
    "author_edits_comment": N_("Only its author may edit a comment"),
    "author_or_moderator_deletes": N_("Only its author or a moderator may delete a comment"),
    "own_item_report": N_("You cannot report what you wrote yourself"),
    "author_asks_second_look": N_("Only its author may ask for a second look"),
    "staff_only_assisted": N_("Only staff and administrators help people without digital "
                              "access"),
    "not_assisted": N_("User %(id)s was not registered by staff; staff act only for people "
                       "registered for assisted participation"),
    # Not found
    "idea_not_found": N_("No idea %(id)s"),
    "purpose_not_found": N_("No purpose '%(slug)s'"),
    "overview_figure_not_found": N_("No figure '%(name)s' in the overview"),
    "comment_not_found": N_("No comment %(id)s"),
    "picture_not_found": N_("No picture %(id)s"),
    "notification_not_found": N_("No notification %(id)s"),
    "case_not_found": N_("No case %(id)s in the moderation queue"),
    "user_not_found": N_("There is no user with id %(id)s"),
    "sign_in_not_found": N_("You have no sign-in with this id"),
    "account_gone": N_("The account no longer exists"),
    "assisted_person_not_found": N_("No person %(id)s is registered for assisted "
                                    "participation"),
    "webhook_not_found": N_("No webhook %(id)s"),
    "webhook_delivery_not_found": N_("No webhook delivery %(id)s"),
    "category_not_found": N_("No category '%(slug)s' in this purpose"),
    "month_not_promoted": N_("%(month)s of '%(slug)s' has not been promoted"),
    "export_not_found": N_("No promotion of %(month)s %(scope)s is on record"),
    # The state forbids it
    "slug_taken": N_("A purpose with the slug '%(slug)s' exists already"),
    "category_slug_taken": N_("The purpose has a category with the slug '%(slug)s' "
                              "already"),
    "category_in_use": N_("Ideas are filed under the category '%(slug)s'; retire it instead, "
                          "so that they keep it"),
    "timezone_fixed": N_("The time zone cannot change once a month has been promoted"),
    "idea_withdrawn": N_("The idea was withdrawn by its author"),
    "idea_hidden": N_("The idea was hidden by a moderator"),
    "idea_pending_review": N_("The idea is awaiting review and is not published yet"),
    "voting_closed_implemented": N_("Voting has closed: the idea has been implemented"),
    "voting_closed_rejected": N_("Voting has closed: the administration has declined the "
                                 "idea"),
    "voting_closed": N_("Voting has closed on this idea"),
    "vote_action": N_("Choose to vote or to remove your vote"),
    "edit_only_open": N_("An idea can be edited only while it is open"),
    "withdraw_only_open": N_("Only an open idea can be withdrawn"),
    "pictures_only_open": N_("Pictures can be added only while the idea is open"),
    "pictures_full": N_("An idea can have at most %(n)s pictures; remove one first"),
    "comment_deleted_reply": N_("That comment was deleted; it cannot be replied to"),
    "comment_deleted_edit": N_("A deleted comment cannot be edited"),
    "comment_hidden_reply": N_("That comment is hidden pending review; it cannot be replied "
                               "to"),
    "already_hidden": N_("The idea is already hidden"),
    "already_reported": N_("You have reported this already"),
    "comment_deleted_report": N_("That comment was deleted; there is nothing to report"),
    "decision_not_for_case": N_("This case takes one of: %(allowed)s"),
    "case_closed": N_("This case has been decided already"),
    "not_pending_review": N_("The idea is not awaiting review"),
    "second_look_used": N_("You have asked for a second look at this once already"),
    "case_open": N_("The moderators have this in their queue already"),
    "nothing_to_look_at": N_("No moderator's decision against this is on record"),
    "not_hidden": N_("The idea is not hidden"),
    "hidden_status_unknown": N_("The idea's status before it was hidden is not on record"),
    "month_not_ended": N_("%(month)s has not ended yet in %(timezone)s; it can be promoted "
                          "from %(opens)s"),
    "promotion_busy": N_("Ideas of this purpose kept changing during the promotion; try "
                         "again"),
    "answer_not_allowed": N_("Cannot answer with %(answer)s: an idea that is %(status)s can "
                             "be answered with %(allowed)s"),
    "answer_final": N_("Cannot answer with %(answer)s: an idea that is %(status)s cannot be "
                       "answered"),
    "confirm_needed": N_("Tick the box to confirm"),
    # Unsubscribing from e-mails by the link in one
    "unsubscribe_token_invalid": N_("is not a link ideabox made: copy the whole link "
                                    "from the e-mail"),
    "unsubscribe_one_click": N_("must be One-Click"),
    # Ideabox itself
    "unavailable": N_("The database is not available right now"),
    "too_slow": N_("The database took too long to answer; try again in a moment"),
}


def english(code: str, params: dict[str, Any]) -> str:
    """The English text of ``code`` with its values."""
    template = MESSAGES[code]
    return template % params if params else template
