"""Run the simulator standalone:

python -m app.simulator --port 3001 --signing-secret X --request-url URL

It prints its API URL and bot token (for SLACK_API_URL and SLACK_BOT_TOKEN) and the ids of
the users and channels it made, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import time

from app.simulator import SlackSimulator


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options, shared with `relay simulator`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=3001, help="port to listen on")
    parser.add_argument(
        "--signing-secret",
        default="sim-signing-secret",
        help="signs the requests it sends the app (the app's SLACK_SIGNING_SECRET)",
    )
    parser.add_argument("--request-url", help="where Slack requests for the app go")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="milliseconds each Web API call takes before it is answered (Slack: 100-300)",
    )
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="answer 429 + Retry-After past Slack's limits (method tiers; a message a second"
        " per channel)",
    )
    parser.add_argument("--user", action="append", default=[], help="add a user (repeatable)")
    parser.add_argument("--channel", action="append", default=[], help="add a channel")
    return parser


def serve(options: argparse.Namespace) -> int:
    sim = SlackSimulator(
        options.signing_secret,
        host=options.host,
        port=options.port,
        latency=options.latency_ms / 1000,
        rate_limits=options.rate_limits,
    ).start()
    users = [sim.add_user(name) for name in options.user]
    for name in options.channel:
        sim.add_channel(name, members=users)
    if options.request_url:
        sim.connect(options.request_url)
    lines = [
        f"api_url={sim.api_url}",
        f"bot_token={sim.bot_token}",
        f"team_id={sim.team_id} bot_user_id={sim.bot_user_id} app_id={sim.app_id}",
        *(f"user {sim.ws.users[uid].name}={uid}" for uid in users),
        *(f"channel #{c.name}={c.id}" for c in sim.ws.channels.values()),
    ]
    print("\n".join(lines), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.simulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return serve(add_arguments(parser).parse_args(argv))


if __name__ == "__main__":
    main()
