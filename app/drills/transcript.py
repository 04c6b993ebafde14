"""Turn what the simulator recorded into lines a person can read, the way Slack shows them:
names instead of ids, emoji instead of `:codes:`, date tokens as their fallback, buttons by
their labels, and a card as a short block (title line, fields, buttons)."""

import re

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")  # a reader's own zone: shown as the fallback
LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")  # "fails.." but not an ellipsis "..."

# The emoji Relay uses, as Slack draws them.
EMOJI = {
    "warning": "⚠️",
    "rotating_light": "🚨",
    "arrow_up": "⬆️",
    "handshake": "🤝",
    "pause_button": "⏸️",
    "arrow_forward": "▶️",
    "white_check_mark": "✅",
    "leftwards_arrow_with_hook": "↩️",
    "raising_hand": "🙋",
    "no_entry": "⛔",
    "pushpin": "📌",
}
EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")


def _texts(element) -> list[str]:
    """Every piece of visible text in a block, element or view, in order."""
    if isinstance(element, list):
        return [t for item in element for t in _texts(item)]
    if not isinstance(element, dict):
        return []
    kind = element.get("type")
    if kind in ("plain_text", "mrkdwn"):
        return [element.get("text", "")]
    if kind == "button":
        return ["[" + " ".join(_texts(element.get("text"))) + "]"]
    if kind and kind.endswith("_select") and "placeholder" in element:
        return ["[" + " ".join(_texts(element.get("placeholder"))) + " ▾]"]
    if kind == "input":
        # A form shows what is filled in and the hints; empty fields are left out.
        value = element.get("element", {}).get("initial_value")
        label = " ".join(_texts(element.get("label")))
        shown = [f"{label}: “{value}”"] if value else []
        return shown + [f"({t})" for t in _texts(element.get("hint"))]
    found = []
    for key in ("title", "text", "fields", "elements", "blocks", "element", "hint"):
        if key in element:
            found += _texts(element[key])
    return found


def emoji(text: str) -> str:
    return EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


BROADCAST = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")


def _markup(joined: str, names: dict[str, str]) -> str:
    joined = BROADCAST.sub(lambda m: "@" + m.group(1), joined)
    joined = DATE.sub(lambda m: m.group(1), joined)
    joined = MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), joined)
    joined = CHANNEL.sub(lambda m: "#" + names.get(m.group(1), m.group(1)), joined)
    joined = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", joined)
    joined = re.sub(r"\*([^*\n]+)\*", r"\1", joined)
    joined = emoji(joined)
    joined = joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return DOUBLE_STOP.sub(".", joined)


def readable(text: str | None, blocks, names: dict[str, str]) -> str:
    """All the visible text of a message or view on one line (what `contains` looks in)."""
    parts = _texts(blocks) if blocks else [text or ""]
    joined = " ".join(p.strip() for p in parts if p and p.strip())
    return re.sub(r"\s+", " ", _markup(joined, names))


def is_card(blocks) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "header" for b in blocks
    )


def _field(text: str, names: dict[str, str]) -> str:
    """`*Severity*\\nSev1` -> `Severity: Sev1`; further lines follow after commas."""
    label, _, value = text.partition("\n")
    shown = readable(label, None, names)
    value = ", ".join(readable(v, None, names) for v in value.split("\n") if v.strip())
    return f"{shown}: {value}" if value else shown


def card_lines(blocks, names: dict[str, str]) -> list[str]:
    """A card as Slack lays it out: its title, its fields two to a line, its buttons."""
    title, fields, buttons = "", [], []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = readable(None, [block], names)
        elif kind == "section" and block.get("fields"):
            fields += [_field(f.get("text", ""), names) for f in block["fields"]]
        elif kind == "actions":
            buttons = _texts(block.get("elements", []))
    lines = [title]
    for i in range(0, len(fields), 2):
        pair = fields[i : i + 2]
        lines += ["   ".join(pair)] if sum(map(len, pair)) <= 90 else pair
    if buttons:
        lines.append(" ".join(buttons))
    return [line for line in lines if line]


def view_title(view) -> str:
    return readable(None, (view or {}).get("title"), {}) if isinstance(view, dict) else ""


def observation_line(obs, names: dict[str, str], width: int = 400) -> str:
    """`#payments-escalations sees a message: …` / `Alice sees an ephemeral in #support: …`.
    A card comes back as several lines: its title line, fields and buttons, indented."""
    who = names.get(obs.user, obs.user or "")
    by = names.get(getattr(obs, "author", None) or "", "someone")
    where = "#" + names.get(obs.channel, obs.channel or "?")
    content = obs.view if obs.view else obs.blocks
    thread = " (thread)" if getattr(obs, "thread_ts", None) else ""
    title = view_title(obs.view)
    modal = f"the modal “{title}”" if title else "the modal"
    phrases = {
        "message": f"{where} sees a message{thread}",
        "message_updated": f"{where} sees the message updated",
        "message_deleted": f"{where} sees a message deleted",
        "ephemeral": f"{who} sees, only to them in {where}",
        "response": f"{who} sees, only to them",
        "dm": f"{who} gets a DM from Relay",
        "view_opened": f"{who} sees {modal} open",
        "view_updated": f"{who} sees {modal} change",
        "view_pushed": f"{who} sees a second modal, “{title}”",
        "view_closed": f"{who} sees {modal} close",
        "home_published": f"{who} sees App Home",
        "canvas_created": f"{where} gets a canvas",
        "canvas_edited": f"{where} sees a canvas updated",
        "channel_created": f"Relay creates {where}",
        "channel_renamed": f"{where} is renamed",
        "channel_archived": f"{where} is archived",
        "topic_set": f"{where} topic",
        "purpose_set": f"{where} purpose",
        "invited": f"{who} is invited to {where}",
        "bookmark_added": f"{where} bookmark",
        "pin_added": f"{by} pins a message in {where}",
        "reaction_added": f"{by} reacts in {where}",
    }
    phrase = phrases.get(obs.kind, f"{who or where} · {obs.kind}")
    if obs.kind == "reaction_added":
        return f"{phrase}: {emoji(':' + (obs.text or '') + ':')}"
    if obs.kind in ("channel_created", "pin_added", "channel_archived"):
        return phrase  # what they would add is in the phrase already
    if obs.kind == "view_closed":
        return phrase
    if is_card(obs.blocks) and not obs.view:
        return phrase + ":\n" + "\n".join("  " + line for line in card_lines(obs.blocks, names))
    body = readable(obs.text, content, names)
    if title and body.startswith(title):
        body = body[len(title) :].lstrip()
    body = body if len(body) <= width else body[: width - 1] + "…"
    return f"{phrase}: {body}".rstrip(": ")
