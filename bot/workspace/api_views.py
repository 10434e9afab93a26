"""``views.*`` (modals and App Home) and the team's own methods (``auth.test``, ``users.info``,
``usergroups.users.list``), with Slack's checks: a valid view, a live trigger_id, at most three
modals in a stack, the hash of the view being replaced."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from bot.workspace.blockkit import view_errors
from bot.workspace.records import JSON, Call, Reply, refused, slack_error
from bot.workspace.state import ViewRecord

if TYPE_CHECKING:
    from bot.workspace.core import Workspace

STACK_LIMIT = 3  # the root view and two pushed on it


def _checked_view(view: Any) -> JSON | Reply:
    errors = view_errors(view)
    if errors:
        return refused("invalid_arguments", *errors)
    return dict(view)


def echo_view(ws: Workspace, view: JSON, view_id: str, **extra: Any) -> JSON:
    """The view as Slack holds and returns it: ids, a fresh hash, empty state, defaults."""
    me = ws.identity
    shown = {
        "id": view_id,
        "team_id": me.team_id,
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": view_id,
        "previous_view_id": None,
        **view,
        "hash": f"{int(time.time())}.{ws.state.next_id('h')}",
        "app_id": me.app_id,
        "bot_id": me.bot_id,
        "app_installed_team_id": me.team_id,
        "state": {"values": {}},
        **extra,
    }
    shown["id"] = view_id
    return shown


def _trigger(ws: Workspace, call: Call) -> tuple[str, str] | Reply:
    """(trigger_id, user) of a views.open/push, or Slack's refusal."""
    trigger = call.args.get("trigger_id") or call.args.get("interactivity_pointer")
    if not trigger:
        return slack_error("invalid_arguments")
    trigger = str(trigger)
    if ws.state.trigger_expired(trigger):
        return slack_error("expired_trigger_id")
    issued = ws.state.triggers.get(trigger)
    return trigger, issued[0] if issued else ""


def _external_id_taken(ws: Workspace, view: JSON, keep: str | None = None) -> bool:
    wanted = view.get("external_id")
    return bool(wanted) and any(
        r.open and r.view.get("external_id") == wanted and r.view["id"] != keep
        for r in ws.state.views.values()
    )


def views_open(ws: Workspace, call: Call) -> JSON | Reply:
    trigger = _trigger(ws, call)
    if isinstance(trigger, Reply):
        return trigger
    view = _checked_view(call.args.get("view"))
    if isinstance(view, Reply):
        return view
    if _external_id_taken(ws, view):
        return slack_error("duplicate_external_id")
    shown = echo_view(ws, view, ws.state.next_id("V"))
    ws.state.show_view(ViewRecord(shown, trigger[1]))
    return {"ok": True, "view": shown}


def views_push(ws: Workspace, call: Call) -> JSON | Reply:
    trigger = _trigger(ws, call)
    if isinstance(trigger, Reply):
        return trigger
    view = _checked_view(call.args.get("view"))
    if isinstance(view, Reply):
        return view
    stack = ws.state.stack(trigger[1]) if trigger[1] else []
    if len(stack) >= STACK_LIMIT:
        return slack_error("push_limit_reached")
    view_id = ws.state.next_id("V")
    below = stack[-1] if stack else None
    root = stack[0] if stack else view_id
    shown = echo_view(ws, view, view_id, root_view_id=root, previous_view_id=below)
    ws.state.show_view(ViewRecord(shown, trigger[1]), push=True)
    return {"ok": True, "view": shown}


def views_update(ws: Workspace, call: Call) -> JSON | Reply:
    args = call.args
    state = ws.state
    view_id = args.get("view_id")
    if not view_id and args.get("external_id"):
        view_id = next(
            (
                v
                for v, r in state.views.items()
                if r.open and r.view.get("external_id") == args["external_id"]
            ),
            None,
        )
        if view_id is None:
            return slack_error("not_found")
    if not view_id:
        return slack_error("invalid_arguments")
    record = state.views.get(str(view_id))
    if record is None:
        # A view this workspace never issued (a test's hand-made payload): take it as open.
        record = ViewRecord({"id": str(view_id), "type": "modal"}, "")
        state.views[str(view_id)] = record
    if record is None or not record.open:
        return slack_error("not_found")
    if args.get("hash") and record.view.get("hash") and args["hash"] != record.view["hash"]:
        return slack_error("hash_conflict")
    view = _checked_view(args.get("view"))
    if isinstance(view, Reply):
        return view
    if _external_id_taken(ws, view, keep=record.view["id"]):
        return slack_error("duplicate_external_id")
    keep = {k: record.view[k] for k in ("root_view_id", "previous_view_id") if k in record.view}
    record.view = echo_view(ws, view, record.view["id"], **keep)
    record.errors = {}
    state.refresh_view(record)
    return {"ok": True, "view": record.view}


def views_publish(ws: Workspace, call: Call) -> JSON | Reply:
    user_id = str(call.args.get("user_id") or "")
    if not user_id:
        return slack_error("invalid_arguments")
    view = _checked_view(call.args.get("view"))
    if isinstance(view, Reply):
        return view
    if view.get("type") != "home":
        return refused("invalid_arguments", "[ERROR] must be home [json-pointer:/view/type]")
    record = ws.state.home(user_id)
    view_id = record.view["id"] if record else ws.state.next_id("V")
    shown = echo_view(ws, view, view_id)
    if record is None:
        record = ViewRecord(shown, user_id)
        ws.state.views[view_id] = record
    record.view = shown
    ws.state.refresh_view(record)
    return {"ok": True, "view": shown}


# -- the team ------------------------------------------------------------------------------


def auth_test(ws: Workspace, call: Call) -> JSON | Reply:
    me = ws.identity
    body = {
        "ok": True,
        "url": f"{me.web_url}/",
        "team": me.team_name,
        "user": me.bot_name,
        "team_id": me.team_id,
        "user_id": me.bot_user_id,
        "bot_id": me.bot_id,
        "is_enterprise_install": False,
    }
    return Reply(body, headers={"x-oauth-scopes": ",".join(ws.scopes)})


def users_info(ws: Workspace, call: Call) -> JSON | Reply:
    user_id = str(call.args.get("user", ""))
    if not user_id:
        return slack_error("user_not_found")
    return {"ok": True, "user": ws.state.user(user_id)}


def usergroups_users_list(ws: Workspace, call: Call) -> JSON | Reply:
    group = str(call.args.get("usergroup", ""))
    if group not in ws.state.usergroups:
        return slack_error("no_such_subteam")
    return {"ok": True, "users": list(ws.state.usergroups[group])}


METHODS = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "auth.test": auth_test,
    "users.info": users_info,
    "usergroups.users.list": usergroups_users_list,
}
