"""SlackSimulator: a stateful stand-in for Slack that a real slack_sdk WebClient and app talk to."""

from __future__ import annotations

import copy
import ssl
import time
from collections.abc import Callable
from typing import Any

from app.simulator import modals, reacting
from app.simulator.faults import Faults
from app.simulator.gestures import Gestures
from app.simulator.inbound import Sender
from app.simulator.rate_limits import RateLimits
from app.simulator.records import Call, Observation, Ping, SimResponse
from app.simulator.server import SimServer
from app.simulator.state import Workspace


class SlackSimulator:
    def __init__(
        self,
        signing_secret: str = "sim-signing-secret",
        *,
        clock: Callable[[], float] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        latency: float = 0.0,
        rate_limits: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """`latency`: seconds each Web API call takes (real Slack: about 0.1-0.3);
        `rate_limits`: answer 429 past Slack's limits (app/simulator/rate_limits.py);
        `tls`: serve HTTPS with this server context, as Slack does."""
        self.signing_secret = signing_secret
        self.ws = Workspace(clock, seed)
        self.faults = Faults(latency)
        # Tests may say how to tell that the app still has work to send (its outbox).
        self.app_busy: Callable[[], bool] | None = None
        self.rate_limits = RateLimits(clock or time.monotonic) if rate_limits else None
        self._host, self._port, self._tls = host, port, tls
        self._server: SimServer | None = None
        self._sender = Sender(self.ws, signing_secret)
        self._gestures = Gestures(self.ws, self._sender, lambda: self.base_url)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SlackSimulator:
        if self._server is None:
            self._server = SimServer(
                self.ws, self.faults, self._host, self._port, self.rate_limits, self._tls
            )
            self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SlackSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return self._server.base_url

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    # -- identity -------------------------------------------------------------------------------

    bot_token = property(lambda self: self.ws.bot_token)
    bot_user_id = property(lambda self: self.ws.bot_user_id)
    bot_id = property(lambda self: self.ws.bot_id)
    team_id = property(lambda self: self.ws.team_id)
    app_id = property(lambda self: self.ws.app_id)

    # -- setting the scene ----------------------------------------------------------------------

    def add_user(self, name, *, id=None, real_name=None, tz="UTC", email=None) -> str:
        return self.ws.add_user(name, id=id, real_name=real_name, tz=tz, email=email)

    def add_channel(self, name, *, id=None, is_private=False, members=(), bot_member=True) -> str:
        return self.ws.add_channel(
            name, id=id, is_private=is_private, members=members, bot_member=bot_member
        )

    def post_as_user(self, user_id: str, channel_id: str, text: str, *, thread_ts=None) -> str:
        """A human writes a message (mentions in it count as pings)."""
        ws = self.ws
        with ws.lock:
            ws.user(user_id)
            channel = ws.channel(channel_id)
            if user_id not in channel.members:
                raise PermissionError(f"{user_id} is not a member of {channel_id}")
            return ws.add_message(channel, author=user_id, text=text, thread_ts=thread_ts)["ts"]

    def issue_trigger(self, user_id: str) -> str:
        """A fresh trigger_id for `user_id`, as if they had just interacted with the app."""
        with self.ws.lock:
            self.ws.user(user_id)
            return self.ws.issue_trigger(user_id)

    # -- requests to the app --------------------------------------------------------------------

    def connect(self, request_url: str) -> None:
        self._sender.request_url = request_url

    def send_raw(self, body: bytes, headers: dict) -> SimResponse:
        return self._sender.send_raw(body, headers)

    def slash_command(self, user_id, channel_id, text="", command="/esc") -> SimResponse:
        return self._gestures.slash_command(user_id, channel_id, text, command)

    def message_shortcut(self, user_id, channel_id, message_ts, callback_id) -> SimResponse:
        return self._gestures.message_shortcut(user_id, channel_id, message_ts, callback_id)

    def global_shortcut(self, user_id, callback_id) -> SimResponse:
        return self._gestures.global_shortcut(user_id, callback_id)

    def submit_view(self, user_id, values, *, view_id=None) -> SimResponse:
        """Fill the modal in with `values` and submit it. As in Slack, typing into or picking
        in an input block with dispatch_action sends a block action first; the person waits
        for the app to answer it before submitting."""
        for key, value in values.items():
            if self._gestures.dispatched_by(user_id, {key: value}, view_id=view_id):
                self._gestures.click(user_id, key, view_id=view_id, value=value)
                self.settle()
        return self._gestures.submit_view(user_id, values, view_id=view_id)

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
        """block_actions on a message (channel_id + ts) or a view (view_id, else the user's top
        modal, else their App Home)."""
        return self._gestures.click(
            user_id,
            action_id,
            channel_id=channel_id,
            ts=ts,
            view_id=view_id,
            value=value,
            selected_user=selected_user,
            selected_option=selected_option,
        )

    def open_app_home(self, user_id) -> SimResponse:
        return self._gestures.open_app_home(user_id)

    def react(self, user_id, channel_id, ts, name="pushpin", *, retries=0) -> SimResponse:
        """A person adds a reaction; the app gets `reaction_added` (and `retries` more
        deliveries of it, as Slack retries)."""
        return reacting.react(self.ws, self._sender, user_id, channel_id, ts, name, retries)

    def pin(self, user_id, channel_id, ts, *, retries=0) -> SimResponse:
        """A person pins a message; the app gets `pin_added`."""
        return reacting.pin(self.ws, self._sender, user_id, channel_id, ts, retries)

    # -- waiting --------------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(0.01)

    def settle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Return once no Web API call has been in flight or arrived for `quiet` seconds
        (and `app_busy`, if a test set it, says the app has nothing left to send)."""

        def calm() -> bool:
            with self.ws.lock:
                idle = time.monotonic() - self.ws.last_activity
                if self.ws.in_flight or idle < quiet:
                    return False
            return self.app_busy is None or not self.app_busy()

        self.wait_for(calm, timeout, "the app to stop calling the Web API")

    # -- observations ---------------------------------------------------------------------------

    @property
    def observations(self) -> list[Observation]:
        with self.ws.lock:
            return list(self.ws.observations)

    @property
    def calls(self) -> list[Call]:
        with self.ws.lock:
            return list(self.ws.calls)

    @property
    def pings(self) -> list[Ping]:
        with self.ws.lock:
            return list(self.ws.pings)

    def seen_by(self, user_id: str) -> list[Observation]:
        with self.ws.lock:
            return [o for o in self.ws.observations if self.ws.can_see(user_id, o)]

    def messages(self, channel_id: str) -> list[dict]:
        with self.ws.lock:
            return [copy.deepcopy(m) for m in self.ws.channel(channel_id).messages.values()]

    def message(self, channel_id: str, ts: str) -> dict | None:
        with self.ws.lock:
            found = self.ws.channel(channel_id).messages.get(ts)
            return copy.deepcopy(found) if found else None

    def views_of(self, user_id: str) -> list[dict]:
        with self.ws.lock:
            ids = self.ws.stacks.get(user_id) or []
            return [copy.deepcopy(self.ws.views[vid]["view"]) for vid in ids]

    def close_modals(self) -> None:
        """Everyone closes whatever modals they have open (as between two sessions)."""
        with self.ws.lock:
            for user in list(self.ws.stacks):
                modals.clear_stack(self.ws, user)

    def home_of(self, user_id: str) -> dict | None:
        with self.ws.lock:
            record = self.ws.views.get(self.ws.homes.get(user_id, ""))
            return copy.deepcopy(record["view"]) if record else None

    def dm_channel(self, user_id: str) -> str | None:
        with self.ws.lock:
            for channel in self.ws.channels.values():
                if channel.is_im and channel.im_user == user_id:
                    return channel.id
            return None

    def members(self, channel_id: str) -> set[str]:
        with self.ws.lock:
            return set(self.ws.channel(channel_id).members)
