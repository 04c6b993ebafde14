"""What a person does in Slack that reaches the app: slash commands, shortcuts, clicks, submits."""

from __future__ import annotations

import copy

from app.simulator import modals
from app.simulator.blockkit import BlockError, check_view, find_element
from app.simulator.inbound import BaseUrl, Sender, channel_ref, common
from app.simulator.interactions import action_item, build_state, state_entry
from app.simulator.records import SimResponse, SlackError
from app.simulator.state import Workspace


class Gestures:
    def __init__(self, ws: Workspace, sender: Sender, base_url: BaseUrl) -> None:
        self.ws = ws
        self.sender = sender
        self.base_url = base_url

    def _response_url(self, user_id, channel_id, source_ts=None, ephemeral=False) -> str:
        return self.ws.new_response_url(self.base_url(), user_id, channel_id, source_ts, ephemeral)

    def slash_command(self, user_id: str, channel_id: str, text: str = "", command="/esc"):
        ws = self.ws
        with ws.lock:
            user, channel = ws.user(user_id), ws.channel(channel_id)
            if (channel.is_private or channel.is_im) and user_id not in channel.members:
                raise PermissionError(f"{user_id} is not in {channel_id}")
            fields = {
                "token": ws.verification_token,
                "team_id": ws.team_id,
                "team_domain": ws.domain,
                "channel_id": channel.id,
                "channel_name": channel_ref(ws, channel_id)["name"],
                "user_id": user_id,
                "user_name": user.name,
                "command": command,
                "text": text,
                "api_app_id": ws.app_id,
                "is_enterprise_install": "false",
                "response_url": self._response_url(user_id, channel_id),
                "trigger_id": ws.issue_trigger(user_id),
            }
        response = self.sender.form(fields)
        response.payload = fields
        if response.problem is None and response.body.strip():
            self._show_ack(response, user_id, channel_id)
        return response

    def _show_ack(self, response: SimResponse, user_id: str, channel_id: str) -> None:
        """A slash command's ack body is shown like a response_url message."""
        data = response.json if response.json is not None else {"text": response.body}
        ws = self.ws
        with ws.lock:
            channel = ws.channel(channel_id)
            text, blocks = str(data.get("text") or ""), data.get("blocks")
            if data.get("response_type") == "in_channel":
                ws.add_message(
                    channel,
                    author=ws.bot_user_id,
                    text=text,
                    blocks=blocks,
                    kind="response",
                    for_user=user_id,
                )
            elif text or blocks:
                ws.add_ephemeral(user_id, channel_id, text, blocks)

    def message_shortcut(self, user_id, channel_id, message_ts, callback_id) -> SimResponse:
        ws = self.ws
        with ws.lock:
            message = ws.channel(channel_id).messages.get(message_ts)
            if message is None:
                raise LookupError(f"no message {message_ts} in {channel_id}")
            payload = common(ws, user_id, "message_action", username=False)
            del payload["api_app_id"]
            payload.update(
                {
                    "callback_id": callback_id,
                    "trigger_id": ws.issue_trigger(user_id),
                    "action_ts": ws.ids.ts(),
                    "message_ts": message_ts,
                    "message": copy.deepcopy(message),
                    "channel": channel_ref(ws, channel_id),
                    "response_url": self._response_url(user_id, channel_id),
                }
            )
        return self.sender.interactive(payload)

    def global_shortcut(self, user_id: str, callback_id: str) -> SimResponse:
        ws = self.ws
        with ws.lock:
            payload = common(ws, user_id, "shortcut")
            del payload["api_app_id"]
            del payload["user"]["name"]
            payload.update(
                {
                    "callback_id": callback_id,
                    "trigger_id": ws.issue_trigger(user_id),
                    "action_ts": ws.ids.ts(),
                }
            )
        return self.sender.interactive(payload)

    def open_app_home(self, user_id: str) -> SimResponse:
        ws = self.ws
        with ws.lock:
            ws.user(user_id)
            event = {
                "type": "app_home_opened",
                "user": user_id,
                "channel": ws.open_im(user_id).id,
                "tab": "home",
                "event_ts": ws.ids.ts(),
            }
            home = ws.views.get(ws.homes.get(user_id, ""))
            if home is not None:
                event["view"] = copy.deepcopy(home["view"])
        return self.sender.event(event)

    # -- clicks ---------------------------------------------------------------------------------

    def click(
        self,
        user_id,
        action_id,
        *,
        channel_id=None,
        ts=None,
        view_id=None,
        value=None,
        selected_user=None,
        selected_option=None,
    ) -> SimResponse:
        ws = self.ws
        picked = {
            "value": value,
            "selected_user": selected_user,
            "selected_option": selected_option,
        }
        with ws.lock:
            ws.user(user_id)
            payload = common(ws, user_id, "block_actions")
            if view_id is None and channel_id and ts:
                self._on_message(payload, user_id, action_id, channel_id, ts, picked)
            else:
                self._on_view(payload, user_id, action_id, view_id, picked)
            payload["trigger_id"] = ws.issue_trigger(user_id)
        return self.sender.interactive(payload)

    def _on_message(self, payload, user_id, action_id, channel_id, ts, picked) -> None:
        ws = self.ws
        channel = ws.channel(channel_id)
        ephemeral = ws.ephemerals.get((channel_id, ts))
        if ephemeral is not None and ephemeral["user"] != user_id:
            raise PermissionError(f"{user_id} cannot see ephemeral {ts}")
        message = ephemeral["message"] if ephemeral else channel.messages.get(ts)
        if message is None:
            raise LookupError(f"no message {ts} in {channel_id}")
        if ephemeral is None and user_id not in channel.members:
            raise PermissionError(f"{user_id} is not in {channel_id}")
        found = find_element(message.get("blocks") or [], action_id)
        if found is None:
            raise LookupError(f"no element {action_id!r} in message {ts}")
        container = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": ephemeral is not None,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload.update({"container": container, "channel": channel_ref(ws, channel_id)})
        if ephemeral is None:
            payload["message"] = copy.deepcopy(message)
        payload["state"] = {"values": {}}
        payload["response_url"] = self._response_url(user_id, channel_id, ts, ephemeral is not None)
        payload["actions"] = [action_item(*found, ws.ids.ts(), **picked)]

    def _on_view(self, payload, user_id, action_id, view_id, picked) -> None:
        ws = self.ws
        if view_id is None:
            stack = ws.stacks.get(user_id) or []
            view_id = stack[-1] if stack else ws.homes.get(user_id)
        record = ws.views.get(view_id or "")
        if record is None or record["user"] != user_id:
            raise LookupError(f"{user_id} has no open view {view_id}")
        view = record["view"]
        found = find_element(view["blocks"], action_id)
        if found is None:
            raise LookupError(f"no element {action_id!r} in view {view_id}")
        item = action_item(*found, ws.ids.ts(), **picked)
        block, element = found
        if element.get("type") not in ("button", "overflow"):  # the view remembers the choice
            skip = ("action_id", "block_id", "action_ts", "placeholder")
            entry = {k: v for k, v in item.items() if k not in skip}
            view["state"]["values"].setdefault(block["block_id"], {})[element["action_id"]] = entry
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = copy.deepcopy(view)  # with every input's value, as Slack sends it
        payload["view"]["state"]["values"] = build_state(
            view["blocks"], {}, view["state"]["values"]
        )
        payload["actions"] = [item]

    # -- view submissions -----------------------------------------------------------------------

    def dispatched_by(self, user_id: str, values: dict, *, view_id=None) -> list[str]:
        """The keys of `values` that Slack would send as block actions while the person fills
        the open modal in: changes to elements of input blocks with dispatch_action."""
        ws = self.ws
        with ws.lock:
            stack = ws.stacks.get(user_id) or []
            record = ws.views.get(view_id or (stack[-1] if stack else ""))
            if record is None:
                return []
            view = record["view"]
            now = view["state"]["values"]
            found = []
            for key, raw in values.items():
                block, element = find_element(view["blocks"], key) or ({}, {})
                if not block.get("dispatch_action") or raw in (None, ""):
                    continue
                entry = now.get(block["block_id"], {}).get(element["action_id"])
                if state_entry(element, raw, given=True) != (entry or state_entry(element)):
                    found.append(key)
            return found

    def submit_view(self, user_id: str, values: dict, *, view_id=None) -> SimResponse:
        ws = self.ws
        with ws.lock:
            stack = ws.stacks.get(user_id) or []
            view_id = view_id or (stack[-1] if stack else None)
            record = ws.views.get(view_id or "")
            if record is None or record["user"] != user_id or view_id not in stack:
                raise LookupError(f"{user_id} has no open modal {view_id}")
            view = copy.deepcopy(record["view"])
            view["state"] = {"values": build_state(view["blocks"], values, view["state"]["values"])}
            payload = common(ws, user_id, "view_submission")
            payload.update(
                {"trigger_id": ws.issue_trigger(user_id), "view": view, "response_urls": []}
            )
        response = self.sender.interactive(payload)
        if response.problem is None:
            with ws.lock:
                self._apply(response, user_id, view)
        return response

    def _apply(self, response: SimResponse, user_id: str, view: dict) -> None:
        data = response.json or {}
        action = data.get("response_action")
        ws = self.ws
        try:
            if action == "errors":
                errors = data.get("errors") or {}
                inputs = {b.get("block_id") for b in view["blocks"] if b.get("type") == "input"}
                unknown = sorted(set(errors) - inputs)
                if unknown:
                    response.problem = f"errors for unknown input block_ids {unknown}"
                response.errors = errors
            elif action == "update":
                modals.update_view(ws, view["id"], check_view(data.get("view")))
            elif action == "push":
                modals.push_modal(ws, user_id, check_view(data.get("view")))
            elif action == "clear":
                modals.clear_stack(ws, user_id)
            elif action is None:
                stack = ws.stacks.get(user_id) or []
                while stack and view["id"] in stack:  # the submitted view (and any above) closes
                    modals.close_top(ws, user_id)
            else:
                response.problem = f"unknown response_action {action!r}"
        except (BlockError, SlackError) as exc:
            response.problem = f"response_action {action} rejected: {exc}"
