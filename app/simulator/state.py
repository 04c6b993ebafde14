"""The simulated workspace: users, channels, messages, views, triggers and what was observed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.simulator.ids import IdMaker
from app.simulator.mentions import find_pings
from app.simulator.records import Call, Observation, Ping

TRIGGER_TTL = 3.0  # seconds a trigger_id stays valid
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    email: str | None = None
    is_bot: bool = False
    updated: int = 0


@dataclass
class Channel:
    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None
    archived: bool = False
    members: set[str] = field(default_factory=set)
    topic: dict = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: dict = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    messages: dict[str, dict] = field(default_factory=dict)  # ts -> message, in ts order
    pins: list[str] = field(default_factory=list)
    bookmarks: list[dict] = field(default_factory=list)
    canvas: str | None = None  # the channel canvas (conversations.canvases.create)
    tabs: list[dict] = field(default_factory=list)  # canvases tabbed in (canvases.create)


@dataclass
class Trigger:
    user: str
    issued: float
    used: bool = False


@dataclass
class ResponseUrl:
    user: str
    channel: str | None
    created: float
    source_ts: str | None = None  # the message an action happened on
    source_ephemeral: bool = False
    uses: int = 0


class Workspace:
    """All state; every access from server threads happens under `lock`."""

    def __init__(self, clock: Callable[[], float] | None = None, seed: int | None = None) -> None:
        self.clock = clock or time.time
        self.lock = threading.RLock()
        self.ids = IdMaker(self.clock, seed)
        self.team_id = self.ids.new("T")
        self.team_name = "Relay Simulator"
        self.domain = "relay-sim"
        self.enterprise_id = None
        self.app_id = self.ids.new("A")
        self.bot_id = self.ids.new("B")
        self.bot_user_id = self.ids.new("U")
        self.bot_token = self.ids.token("xoxb")
        self.verification_token = self.ids.short(24)
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: dict[tuple[str, str], dict] = {}  # (channel, ts) -> {"user", "message"}
        self.views: dict[str, dict] = {}  # view id -> {"view": dict, "user": id}
        self.stacks: dict[str, list[str]] = {}  # user -> modal view ids, top last
        self.homes: dict[str, str] = {}  # user -> home view id
        self.canvases: dict[str, dict] = {}  # canvas id -> title, markdown, channel
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.observations: list[Observation] = []
        self.uploads: dict[str, dict] = {}  # file id -> filename, length, data, shared, title
        self.base_url = ""  # where upload URLs point (set by the server)
        self.calls: list[Call] = []
        self.pings: list[Ping] = []
        self.in_flight = 0
        self.connections = 0  # accepted since the start (an HTTP/1.1 client keeps one alive)
        self.last_activity = time.monotonic()
        self.users[self.bot_user_id] = User(
            self.bot_user_id, "relay", "Relay", is_bot=True, updated=int(self.clock())
        )

    # -- people and places ------------------------------------------------------------------

    def add_user(self, name, *, id=None, real_name=None, tz="UTC", email=None) -> str:
        with self.lock:
            uid = id or self.ids.new("U")
            if uid in self.users:
                raise ValueError(f"user {uid} already exists")
            self.users[uid] = User(
                uid, name, real_name or name, tz, email, updated=int(self.clock())
            )
            return uid

    def add_channel(self, name, *, id=None, is_private=False, members=(), bot_member=True) -> str:
        with self.lock:
            cid = id or self.ids.new("C")
            if cid in self.channels or any(c.name == name for c in self.channels.values()):
                raise ValueError(f"channel {cid} / #{name} already exists")
            for uid in members:
                self.user(uid)
            channel = Channel(cid, name, int(self.clock()), self.bot_user_id, is_private)
            channel.members.update(members)
            if bot_member:
                channel.members.add(self.bot_user_id)
            self.channels[cid] = channel
            return cid

    def user(self, uid: str) -> User:
        if uid not in self.users:
            raise KeyError(f"unknown user {uid}")
        return self.users[uid]

    def channel(self, cid: str) -> Channel:
        if cid not in self.channels:
            raise KeyError(f"unknown channel {cid}")
        return self.channels[cid]

    def find_channel(self, ref: str | None) -> Channel | None:
        """A channel by id, or by name ("#name" or "name") the way chat.postMessage accepts."""
        if not ref:
            return None
        if ref in self.channels:
            return self.channels[ref]
        name = ref[1:] if ref.startswith("#") else ref
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def bot_can_see(self, channel: Channel) -> bool:
        return not (channel.is_private or channel.is_im or channel.is_mpim) or (
            self.bot_user_id in channel.members
        )

    def open_im(self, uid: str) -> Channel:
        for channel in self.channels.values():
            if channel.is_im and channel.im_user == uid:
                return channel
        cid = self.ids.new("D")
        channel = Channel(
            cid, uid, int(self.clock()), uid, is_private=True, is_im=True, im_user=uid
        )
        channel.members.update({uid, self.bot_user_id})
        self.channels[cid] = channel
        return channel

    # -- messages -----------------------------------------------------------------------------

    def bot_fields(self) -> dict:
        return {
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "bot_profile": {
                "id": self.bot_id,
                "deleted": False,
                "name": "relay",
                "updated": int(self.clock()),
                "app_id": self.app_id,
                "icons": {},
                "team_id": self.team_id,
            },
        }

    def add_message(
        self,
        channel,
        *,
        author,
        text,
        blocks=None,
        thread_ts=None,
        link_names=False,
        kind=None,
        for_user=None,
    ) -> dict:
        ts = self.ids.ts()
        message = {"user": author, "type": "message", "ts": ts, "text": text or ""}
        if author == self.bot_user_id:
            message.update(self.bot_fields())
        message["team"] = self.team_id
        if blocks:
            message["blocks"] = blocks
        parent = channel.messages.get(thread_ts or "")
        if parent is not None:
            root_ts = parent.get("thread_ts", parent["ts"])
            root = channel.messages[root_ts]
            message["thread_ts"] = root_ts
            message["parent_user_id"] = root["user"]
            root["thread_ts"] = root_ts
            root["reply_count"] = root.get("reply_count", 0) + 1
            root["reply_users"] = sorted(set(root.get("reply_users", [])) | {author})
            root["latest_reply"] = ts
        channel.messages[ts] = message
        if kind is None:
            kind = "dm" if channel.is_im else "message"
        if for_user is None and channel.is_im:
            for_user = channel.im_user
        self.observe(
            kind,
            user=for_user,
            channel=channel.id,
            ts=ts,
            thread_ts=message.get("thread_ts"),
            text=message["text"],
            blocks=blocks,
            author=author,
            public=True,
        )
        for target in find_pings(text, blocks, link_names):
            self.pings.append(Ping(channel.id, ts, target, author))
        return message

    def add_ephemeral(self, user, channel_id, text, blocks=None, thread_ts=None, kind="response"):
        """A message only `user` sees (chat.postEphemeral, ephemeral responses); returns its ts."""
        ts = self.ids.ts()
        msg = {
            "type": "message",
            "subtype": "bot_message",
            "text": text,
            "ts": ts,
            "user": self.bot_user_id,
            **self.bot_fields(),
        }
        if blocks:
            msg["blocks"] = blocks
        if thread_ts:
            msg["thread_ts"] = str(thread_ts)
        if channel_id:
            self.ephemerals[(channel_id, ts)] = {"user": user, "message": msg}
        self.observe(
            kind,
            user=user,
            channel=channel_id,
            ts=ts,
            thread_ts=msg.get("thread_ts"),
            text=text,
            blocks=blocks,
            author=self.bot_user_id,
        )
        return ts

    # -- triggers -----------------------------------------------------------------------------

    def issue_trigger(self, uid: str) -> str:
        trigger_id = self.ids.trigger()
        self.triggers[trigger_id] = Trigger(uid, self.clock())
        return trigger_id

    def new_response_url(self, base_url, uid, channel_id, source_ts=None, ephemeral=False) -> str:
        rid = self.ids.short(24)
        self.response_urls[rid] = ResponseUrl(uid, channel_id, self.clock(), source_ts, ephemeral)
        return f"{base_url}/response/{rid}"

    # -- observations -------------------------------------------------------------------------

    def observe(self, kind: str, **fields) -> Observation:
        with self.lock:
            item = Observation(seq=len(self.observations) + 1, at=self.clock(), kind=kind, **fields)
            self.observations.append(item)
            return item

    def can_see(self, uid: str, item: Observation) -> bool:
        if item.user == uid:
            return True
        if not item.public or item.channel not in self.channels:
            return False
        return uid in self.channels[item.channel].members

    def user_ref(self, uid: str, *, username: bool = True) -> dict:
        person = self.users.get(uid) or User(uid, uid, uid)
        ref = {"id": uid, "username": person.name, "name": person.name, "team_id": self.team_id}
        if not username:
            del ref["username"]
        return ref
