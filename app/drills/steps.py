"""What each kind of drill step does in the simulated workspace, and how the transcript
says it (`Drill.act`)."""

from app.drills.checks import button_label
from app.drills.timing import DrillError
from app.drills.transcript import _texts, readable, view_title


def perform(drill, step: dict) -> str:
    """Perform one step; returns how the transcript describes it."""
    actor = drill.user(step["actor"]) if "actor" in step else None
    who = drill.name(actor) if actor else "Nobody"
    if "post" in step:
        post = step["post"]
        channel = drill.channel(post["channel"])
        ts = drill.sim.post_as_user(actor, channel, post["text"])
        drill.last_message = (channel, ts)
        typed = readable(post["text"], None, drill.ws.names)
        return f"{who} posts in #{drill.name(channel)}: “{typed}”"
    if "command" in step:
        channel = drill.channel(step.get("channel", drill.scenario.get("home_channel", "")))
        command, _, text = step["command"].partition(" ")
        answer = drill.sim.slash_command(actor, channel, drill.mentions(text), command=command)
        failed = "" if answer.status < 400 else f" and Slack says {command} failed"
        return f"{who} types `{step['command']}` in #{drill.name(channel)}{failed}"
    if "shortcut" in step:
        callback = step["shortcut"]
        if callback == "escalate_message":
            channel, ts = drill.last_message
            drill.sim.message_shortcut(actor, channel, ts, callback)
            return f"{who} uses “Escalate this message” on the last message"
        drill.sim.global_shortcut(actor, callback)
        return f"{who} uses the shortcut {callback}"
    if "submit" in step:
        return _submit(drill, actor, who, step["submit"])
    if "click" in step:
        return _click(drill, actor, who, step["click"])
    if "react" in step:
        if drill.last_message is None:
            raise DrillError(f"{drill.step_at}.react: no message posted before")
        channel, ts = drill.last_message
        drill.sim.react(actor, channel, ts, step["react"].strip(":"))
        return f"{who} reacts :{step['react'].strip(':')}: to the last message"
    if step.get("open_home"):
        drill.sim.open_app_home(actor)
        return f"{who} opens Relay's App Home"
    if "actor" in step:
        raise DrillError(f"step has nothing to do: {step}")
    return "Time passes."


def _submit(drill, actor: str, who: str, submit: dict) -> str:
    views = drill.sim.views_of(actor)
    if not views:
        raise DrillError(f"{drill.step_at}.submit: {who} has no modal open")
    view = views[-1]
    inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
    labels = {b.get("block_id"): " ".join(_texts(b.get("label"))) for b in inputs}
    for key in submit:
        if key not in labels:
            raise DrillError(
                f"{drill.step_at}.submit.{key}: no field {key!r} in the modal "
                f"“{view_title(view)}”; fields: {', '.join(labels)}"
            )
    people = {  # a person picker takes a handle or role, as actors do
        b.get("block_id") for b in inputs if (b.get("element") or {}).get("type") == "users_select"
    }
    values = {k: drill.user(v) if k in people else v for k, v in submit.items()}
    answer = drill.sim.submit_view(actor, values)
    shown = ", ".join(f"{labels[k]} “{v}”" for k, v in submit.items())
    button = " ".join(_texts(view.get("submit"))) or "Submit"
    said = f"{who} fills in “{view_title(view)}” ({shown}) and clicks {button}"
    if answer.errors:
        errors = "; ".join(
            f"{labels.get(k, k)}: {readable(v, None, drill.ws.names)}"
            for k, v in answer.errors.items()
        )
        return f"{said}; the modal shows: {errors}"
    return said


def _click(drill, actor: str, who: str, click: dict) -> str:
    if click.get("in_dm"):
        channel, ts, button = drill.dm_with(actor, click["action"])
        label = button_label(drill, channel, ts, click["action"])
        drill.sim.click(actor, button, channel_id=channel, ts=ts)
        return f"{who} clicks {label} in their DM from Relay"
    channel, ts = drill.card(click["card"])
    label = button_label(drill, channel, ts, click["action"])
    selected = drill.user(click["user"]) if "user" in click else None
    drill.sim.click(actor, click["action"], channel_id=channel, ts=ts, selected_user=selected)
    if selected:
        return f"{who} picks {drill.name(selected)} in {label} on the card of {click['card']}"
    return f"{who} clicks {label} on the card of {click['card']}"
