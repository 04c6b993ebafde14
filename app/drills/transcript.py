"""Turn what the simulator recorded into lines a person can read."""

import re

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")  # a reader's own zone: shown as the fallback
LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


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


def readable(text: str | None, blocks, names: dict[str, str]) -> str:
    parts = _texts(blocks) if blocks else [text or ""]
    joined = " ".join(p.strip() for p in parts if p and p.strip())
    joined = DATE.sub(lambda m: m.group(1), joined)
    joined = MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), joined)
    joined = CHANNEL.sub(lambda m: "#" + names.get(m.group(1), m.group(1)), joined)
    joined = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", joined)
    joined = re.sub(r"\*([^*\n]+)\*", r"\1", joined)
    joined = joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\s+", " ", joined)


def observation_line(obs, names: dict[str, str], width: int = 400) -> str:
    """`#payments-escalations sees a message: …` / `Alice sees an ephemeral in #support: …`"""
    who = names.get(obs.user, obs.user or "")
    where = "#" + names.get(obs.channel, obs.channel or "?")
    content = obs.view if obs.view else obs.blocks
    body = readable(obs.text, content, names)
    body = body if len(body) <= width else body[: width - 1] + "…"
    thread = " (thread)" if getattr(obs, "thread_ts", None) else ""
    phrases = {
        "message": f"{where} sees a message{thread}",
        "message_updated": f"{where} sees the message updated",
        "ephemeral": f"{who} sees, only to them in {where}",
        "response": f"{who} sees, only to them",
        "dm": f"{who} gets a DM from Relay",
        "view_opened": f"{who} sees a modal open",
        "view_updated": f"{who} sees the modal change",
        "view_pushed": f"{who} sees a second modal",
        "view_closed": f"{who} sees the modal close",
        "home_published": f"{who} sees App Home",
    }
    return f"{phrases.get(obs.kind, f'{who or where} · {obs.kind}')}: {body}".rstrip(": ")
